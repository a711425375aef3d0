"""Script detection and Uyghur UEY/ULY/USY transliteration."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from credible.model.vocab import vocabulary
from credible.names import SCRIPTS, detect_script, uey_to_uly, uly_to_uey, uly_to_usy, usy_to_uly
from credible.names._tables import uyghur_alphabet

LETTERS = uyghur_alphabet()
VOWELS = [le.uey for le in LETTERS if le.vowel]
CONSONANTS = [le.uey for le in LETTERS if not le.vowel]
HAMZA = "ئ"


@st.composite
def uey_word(draw: st.DrawFn) -> str:
    """A well-formed UEY word: a vowel at the start or after a vowel carries a hamza."""
    out: list[str] = []
    prev_vowel = True
    for _ in range(draw(st.integers(1, 9))):
        if draw(st.booleans()):
            v = draw(st.sampled_from(VOWELS))
            hamza = prev_vowel or draw(st.integers(0, 9)) == 0  # mes'ul: hamza after a consonant
            out.append((HAMZA if hamza else "") + v)
            prev_vowel = True
        else:
            out.append(draw(st.sampled_from(CONSONANTS)))
            prev_vowel = False
    return "".join(out)


def test_script_codes_are_the_vocabulary() -> None:
    assert set(SCRIPTS) == set(vocabulary("scripts").codes)


def test_detect_script_examples() -> None:
    assert detect_script("ئابدۇرېھىم ھېيىت") == "uyghur_arabic"
    assert detect_script("阿不都热依木·艾依提") == "han"
    assert detect_script("Абдурехим Һейит") == "uyghur_cyrillic"
    assert detect_script("Сайрагүл Сауытбай") == "kazakh_cyrillic"
    assert detect_script("Ильхам Тохти") == "russian_cyrillic"
    assert detect_script("Abdurahim Hayit") == "latin"
    assert detect_script("Tashpolat Téyip") == "uyghur_latin"
    assert detect_script("Ilham 土赫提") == "mixed"
    assert detect_script("  ") == "unknown"


def test_known_uey_uly_pairs() -> None:
    assert uey_to_uly("ئىلھام توختى") == "ilham toxti"
    assert uey_to_uly("سائەت") == "sa'et"
    assert uey_to_uly("مەسئۇل") == "mes'ul"
    assert uey_to_uly("تاشپولات تېيىپ") == "tashpolat téyip"
    # n + g is written n'g in ULY so that it does not read as the letter ng
    assert uey_to_uly("سەنگە") == "sen'ge"
    assert uly_to_uey("sen'ge") == "سەنگە"
    assert uly_to_uey("junggo") == "جۇڭگو"


@settings(max_examples=300, deadline=None)
@given(st.lists(uey_word(), min_size=1, max_size=3))
def test_uey_uly_uey_round_trip(words: list[str]) -> None:
    text = " ".join(words)
    assert uly_to_uey(uey_to_uly(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(uey_word(), min_size=1, max_size=3))
def test_uly_usy_uly_keeps_letters(words: list[str]) -> None:
    uly = uey_to_uly(" ".join(words))
    assert usy_to_uly(uly_to_usy(uly)).replace("'", "") == uly.replace("'", "")


def test_farsi_yeh_is_y_where_only_a_consonant_can_stand() -> None:
    from credible.names import name_keys

    # typed on a Persian keyboard: ی for both y and i
    assert name_keys("یۈسۈپ") == name_keys("يۈسۈپ") == name_keys("Yüsüp")
    assert name_keys("ئىبراھیم") == name_keys("ئىبراھىم")  # final: i


def test_kazakh_u_after_a_vowel_is_w() -> None:
    from credible.names import name_keys, romanize

    assert name_keys("Абдұуәлі") == name_keys("Abduweli") == name_keys("Абдууали")
    assert romanize("Уали") == "Wali"  # starting a word before a vowel
    assert romanize("Руслан") == "Ruslan"  # between consonants: u


def test_a_capital_zhe_with_descender_is_uyghur_cyrillic() -> None:
    from credible.names import name_keys

    assert detect_script("Җаппар") == "uyghur_cyrillic"
    assert name_keys("Җаппар") == name_keys("Jappar")
