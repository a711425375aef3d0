"""Kinds of spelling seen in real lists (issue 19), on FICTIONAL names built from common
name parts: pinyin in Latin letters, parts added or left out, traditional characters,
Arabic and Persian forms, Turkic Latin alphabets and Russian-style suffixes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.names import (
    MATCH_LEVELS,
    SAME_NAME_THRESHOLD,
    name_keys,
    name_match_level,
    name_match_level_many,
    name_similarity,
    name_similarity_many,
    name_subset_similarity,
    romanize,
    same_name,
)
from credible.names.arabic import compound_words, is_arabic_orthography, read_arabic
from credible.names.han import simplified


# --- 1. pinyin written in Latin letters -------------------------------------------------
@pytest.mark.parametrize(
    "pinyin",
    [
        "Maimaiti Tuerxun",  # joined syllables
        "Màimàití Tǔ'ěrxùn",  # tone marks, apostrophe
        "mai3mai4ti2 tu3er3xun4",  # tone numbers
        "Mai Mai Ti Tu Er Xun",  # every syllable apart
        "Tuerxun Maimaiti",  # surname first
    ],
)
def test_pinyin_spellings_meet_the_uyghur_name(pinyin: str) -> None:
    assert same_name(pinyin, "Memet Tursun")
    assert same_name(pinyin, "مەمەت تۇرسۇن")
    assert same_name(pinyin, "买买提·吐尔逊")
    assert not same_name(pinyin, "Memet Tohti")


def test_pinyin_e_with_tone_is_not_uly_e() -> None:
    # é of pinyin (second tone) beside other tone marks is e; ULY's é stays
    assert romanize("Āpàkè Hézhuō") == "Apake Hezhuo"
    assert romanize("Tashpolat Téyip") == "Tashpolat Téyip"


def test_pinyin_words_that_are_not_the_name_parts() -> None:
    assert same_name("Pati Gu Li Tuerxun", "Patigul Tursun")


def test_a_uyghur_latin_name_that_is_also_pinyin_keeps_its_own_reading() -> None:
    # "Ali" and "Nur" parse as pinyin too; the reading as written still counts
    assert name_similarity("Ali Nur", "Ali Nur") == 1.0
    assert same_name("Ali Nur", "ئەلى نۇر")


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Maimaiti", "Tuerxun", "Aili", "Abula", "Yiming"]), st.data())
def test_tone_marks_and_numbers_do_not_change_the_reading(word: str, data) -> None:
    marks = {"a": "āáǎà", "i": "īíǐì", "e": "ēéěè", "u": "ūúǔù", "o": "ōóǒò"}
    chars = list(word)
    for i, ch in enumerate(chars):
        if ch in marks and data.draw(st.booleans()):
            chars[i] = data.draw(st.sampled_from(marks[ch]))
    marked = "".join(chars)
    assert name_similarity(f"{marked} Tohti", f"{word} Tohti") == 1.0


# --- 2. parts added or left out ----------------------------------------------------------
@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Ilham", "Ilham Tohti"),
        ("Sabit Rozi", "Sabit Rozi Abdulla"),
        ("Tursun Memet", "Tursun Memet Ali"),
    ],
)
def test_a_name_with_a_part_left_out_is_a_part_match(short: str, long: str) -> None:
    assert name_match_level(short, long) in ("part", "same")
    assert name_subset_similarity(short, long) == pytest.approx(1.0)
    assert name_similarity(short, long) < 1.0  # below a full match


def test_levels_order_same_part_different() -> None:
    assert name_match_level("Ilham Tohti", "Tohti Ilham") == "same"
    assert name_match_level("Ilham", "Ilham Tohti") == "part"
    assert name_match_level("Memet Tursun", "Memet Tohti") == "different"
    assert MATCH_LEVELS == ("different", "part", "same")


def test_honorifics_and_the_middle_dot() -> None:
    for title in ("Haji", "Hajim", "Molla", "Damolla", "Damulla", "Ustaz", "Beg", "Batyr"):
        assert name_similarity(f"Sabit {title} Rozi", "Sabit Rozi") == 1.0, title
    assert name_similarity("阿不都·热合曼", "阿不都热合曼") == 1.0
    assert name_similarity("沙比提大毛拉·肉孜", "Sabit Rozi") >= SAME_NAME_THRESHOLD


def test_match_levels_in_bulk_equal_one_by_one() -> None:
    a = ["Ilham", "Ilham Tohti", "Memet Tursun", "Sabit Rozi", "阿不都·热合曼"]
    b = ["Ilham Tohti", "Tohti Ilham", "Memet Tohti", "Sabit Rozi Abdulla", "阿不都热合曼"]
    levels = name_match_level_many(a, b)
    assert [MATCH_LEVELS[i] for i in levels] == [
        name_match_level(x, y) for x, y in zip(a, b, strict=True)
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Ilham", "Tohti", "Memet", "Rozi", "Aynur", "Sabit", "Gulnar"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.sampled_from(["Abdulla", "Tursun", "Heyit"]),
)
def test_adding_a_part_never_makes_a_name_different(parts: list[str], extra: str) -> None:
    short = " ".join(parts)
    long = " ".join([*parts, extra]) if extra not in parts else short
    assert name_subset_similarity(short, long) == pytest.approx(1.0)
    assert name_match_level(short, long) != "different"
    assert name_subset_similarity(short, long) == name_subset_similarity(long, short)


# --- 3. traditional characters -----------------------------------------------------------
def test_traditional_characters_are_simplified_before_reading() -> None:
    assert simplified("買買提·吐爾遜") == "买买提·吐尔逊"
    assert simplified("艾薩") == "艾萨"  # not in the names' own table: OpenCC's
    assert name_similarity("買買提·吐爾遜", "买买提·吐尔逊") == 1.0
    assert same_name("艾薩·玉素甫", "Eysa Yüsüp")


# --- 4. Arabic and Persian forms --------------------------------------------------------
def test_arabic_orthography_is_told_from_uyghur() -> None:
    assert is_arabic_orthography("محمد")
    assert is_arabic_orthography("عبد")
    assert not is_arabic_orthography("مەمەت")
    assert not is_arabic_orthography("خان")
    assert read_arabic("يوسف").startswith("yus")


@pytest.mark.parametrize(
    ("scholarly", "turkic"),
    [
        ("ʿAbd al-Raḥmān Yūsuf", "Abdurahman Yusup"),  # sun letter: the article assimilates
        ("ʿAbd al-Karīm Yūsuf", "Abdulkerim Yusup"),  # moon letter: it stays
        ("Nūr al-Dīn Yūsuf", "Nurdin Yusup"),
        ("Abd ar-Rahman Yusuf", "Abdurahman Yusup"),
        ("Abdul Rahman Yusuf", "Abdurahman Yusup"),
        ("Yūsuf ibn Aḥmad al-Kāshgharī", "Yusup Kashgari"),
    ],
)
def test_arabic_scholarly_forms(scholarly: str, turkic: str) -> None:
    assert same_name(scholarly, turkic)


def test_compound_words() -> None:
    assert [w for w, _, _ in compound_words(["abd", "al-rahman"])] == ["abdurahman"]
    assert [w for w, _, _ in compound_words(["abd", "al-karim"])] == ["abdulkarim"]
    assert [w for w, _, _ in compound_words(["nur", "al-din"])] == ["nurdin"]
    made = compound_words(["yusuf", "ibn", "ahmad", "al-kashgari"])
    assert [(w, father) for w, _, father in made] == [
        ("yusuf", False),
        ("ahmad", True),
        ("kashgari", False),
    ]


def test_arabic_script_without_short_vowels() -> None:
    assert same_name("محمد يوسف", "Muhemmet Yusup")
    assert same_name("عبد الرحمن يوسف", "ئابدۇراخمان يۈسۈپ")


# --- 5. Turkic Latin alphabets and Russian-style surnames ----------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Abdülkerim Abbas", "Abdukerim Abbasov"),
        ("Abdukerim Abbasoff", "Abdukerim Abbas"),
        ("Ⱪurban Tursun", "Qurban Tursun"),
        ("Qurban Tursunow", "Qurban Tursun"),
        ("Kenesary Kasymov", "Kenesary Qasymuly"),
        ("Nursultan Nazarbayev", "Nursultan Nazarbayuly"),
        ("Ŝokan Valiĥanov", "Shokan Valikhanov"),
        ("Mehmet Tursunoğlu", "Mehmet Tursun"),
        ("Gulnar Tursunova", "Gulnar Tursun"),
    ],
)
def test_turkic_alphabets_and_surname_suffixes(a: str, b: str) -> None:
    assert same_name(a, b)


def test_the_bulk_path_matches_the_one_pair_path_on_these_spellings() -> None:
    a = [
        "Mai Mai Ti Tu Er Xun",
        "Pati Gu Li Tuerxun",
        "ʿAbd al-Raḥmān Yūsuf",
        "Yūsuf ibn Aḥmad al-Kāshgharī",
        "محمد يوسف",
        "mai3mai4ti2 tu3er3xun4",
        "Abdülkerim Abbas",
    ]
    b = [
        "Memet Tursun",
        "Patigul Tursun",
        "Abdurahman Yusup",
        "Yusup Kashgari",
        "Muhemmet Yusup",
        "Memet Tursun",
        "Abdukerim Abbasov",
    ]
    bulk = name_similarity_many(a, b)
    one = np.array([name_similarity(x, y) for x, y in zip(a, b, strict=True)])
    assert np.allclose(bulk, one)


# --- second session of issue 19 (FICTIONAL names of common parts) ----------------------
def test_a_name_spelled_the_arabic_way_is_read_so_as_a_whole() -> None:
    # يوسف alone reads the Uyghur way; beside a word with a letter only Arabic uses (ح)
    # the whole name is Arabic-spelled
    assert same_name("حسن يوسف", "Hasan Yusup")
    assert same_name("Hasan Yusup", "ھەسەن يۈسۈپ")
    # the hamza seats of Arabic (إ أ آ) are not Uyghur letters
    assert is_arabic_orthography("إلهام")
    assert same_name("جوهر إلهام", "Jewher Ilham")  # و of the diphthong aw


def test_arabic_jim_is_also_read_g() -> None:
    # Arabic writes the g of foreign names with ج
    assert same_name("جولنار عباس", "Gulnar Abbas")
    assert not same_name("جولنار عباس", "Rushen Abbas")


@pytest.mark.parametrize("title", ["خواجه", "بیگ", "بيك", "داملا", "حاجی"])
def test_persian_and_arabic_spellings_of_titles_are_titles(title: str) -> None:
    assert name_similarity(f"آفاق {title}", "Apaq") == 1.0


def test_a_title_in_both_names_counts_half_a_part() -> None:
    assert same_name("Sabir Damolla", "Sabir Damulla Abdukerim")
    assert same_name("Tursun Beg", "Memet Tursun Bek")
    # without the title a given name alone is still only a part of the full name
    assert not same_name("Sabir", "Sabir Abdukerim")
    assert name_match_level("Sabir", "Sabir Abdukerim") == "part"
    # a shared title does not make two different names the same
    assert not same_name("Haji Memet Tursun", "Haji Memet Tohti")


def test_a_different_first_consonant_is_a_different_name() -> None:
    # sisters with the father's name as surname: Gulshan / Rushan differ in two letters
    assert not same_name("Gulshan Abbas", "Rushan Abbas")
    assert not same_name("古丽仙·阿巴斯", "Rushan Abbas")
    # first letters that spellings of one name vary on still meet
    assert same_name("Qurban Tohti", "Kurban Tokhti")
    assert same_name("Ghopur Memet", "Gopur Mamat")
    assert same_name("Jamal Yusup", "Zhamal Yusuf")


def test_a_double_given_name_written_as_one_word() -> None:
    assert same_name("Muhemmedimin Bughra", "Muhemmed Imin Bughra")
    assert same_name("Kasymzhomart Tokayev", "Касым Жомарт Токаев")
    assert not same_name("Memet Tursun", "Memet Tohti Ali")


def test_cjk_radicals_typed_for_characters() -> None:
    # U+2EE2 CJK RADICAL C-SIMPLIFIED HORSE typed for 马
    assert romanize("库尔班·\u2ee2木提") == romanize("库尔班·马木提")


def test_batch_equals_the_scalar_function_on_the_new_rules() -> None:
    a = ["Sabir Damolla", "Gulshan Abbas", "Muhemmedimin Bughra", "حسن يوسف", "Haji Memet Tursun"]
    b = [
        "Sabir Damulla Abdukerim",
        "Rushan Abbas",
        "Muhemmed Imin Bughra",
        "Hasan Yusup",
        "Haji Memet Tohti",
    ]
    want = np.array([name_similarity(x, y) for x, y in zip(a, b, strict=True)])
    for dense in (0, 10**9):
        from credible.names._batch import similarity_many

        assert np.allclose(similarity_many(a * 3, b * 3, dense_min_pairs=dense), np.tile(want, 3))


# --- third session: Chinese transcription, Kazakh Arabic script, different surnames ----
@pytest.mark.parametrize(
    ("chinese", "latin"),
    [
        ("海来提·尼亚孜", "Gheyret Niyaz"),  # 海 for ghey: an h-character writes gh
        ("哈斯木", "Qasim"),  # 哈 for qa
        ("吐尔洪·阿力马斯", "Turghun Almas"),  # 洪 for ghun
        ("努尔·白克力", "Nur Bekri"),  # 力 for ri: r and l alike
        ("铁力瓦尔迪", "Tiliwaldi"),  # 尔 for l
    ],
)
def test_chinese_transcription_reads_r_l_and_h_q_alike(chinese: str, latin: str) -> None:
    assert same_name(chinese, latin)


def test_the_folds_of_chinese_transcription_leave_letter_names_alone() -> None:
    # r and l are one only against a part read from characters
    assert name_similarity("拉合曼", "Rahman") == 1.0
    assert name_similarity("Lahman", "Rahman") < SAME_NAME_THRESHOLD
    assert name_similarity("Bekli", "Bekri") < name_similarity("白克力", "Bekri")


@pytest.mark.parametrize(
    ("kazakh_arabic", "other", "romanized"),
    [
        ("مۇحتار ٵۋەزوۆ", "Мұхтар Әуезов", "Muxtar Ewezov"),  # ح x, ٵ ä, ۆ v
        ("عابيت مۇسىرەپوۆ", "Ғабит Мүсірепов", "Ghabyt Musirepov"),  # ع ğ
        ("نۇرسۇلتان نازاربايەۆ", "Nursultan Nazarbayev", "Nursultan Nazarbayev"),  # -ev
        ("ٴالىحان بوكەيحانوۆ", "Alikhan Bokeikhanov", "Alixan Bokeyxanov"),  # the hamza sign
    ],
)
def test_kazakh_in_arabic_script(kazakh_arabic: str, other: str, romanized: str) -> None:
    assert romanize(kazakh_arabic) == romanized
    assert name_similarity(kazakh_arabic, other) >= 0.9


def test_uyghur_and_arabic_spellings_are_not_taken_for_kazakh() -> None:
    from credible.names.kazakh_arabic import is_kazakh_arabic

    assert not is_kazakh_arabic("ئاپاق خوجا")  # Uyghur: ئ
    assert not is_kazakh_arabic("سابىت داموللا عبدالباقى")  # an Arabic-spelled word
    assert not is_kazakh_arabic("محمد یعقوب بیگ")  # Persian
    assert romanize("ئۆمەر") == "Ömer"  # Uyghur ۆ is ö


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Erlan Satpayev", "Erlan Zhabayev"),
        ("Mukhtar Auezov", "Mukhtar Omarov"),
        ("Nurlan Baitursynov", "Nurlan Beisenov"),
        ("Gulbahar Haitiwaji", "Gulhumar Haitiwaji"),
        ("艾尔肯·帕尔哈提", "艾尔肯·艾力"),  # Erkin Perhat / Erkin Eli, in characters
        ("艾尔肯·帕尔哈提", "Erkin Eli"),
    ],
)
def test_a_shared_part_does_not_carry_a_different_one(a: str, b: str) -> None:
    assert not same_name(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kanysh Satpayev", "Qanysh Sätbaev"),  # voicing: t/d, p/b
        ("Robiya Qodir", "Rebiye Qadeer"),  # vowels
        ("Ahmetjan Khasim", "Exmetjan Qasimi"),  # kh dropped, q kept
        ("Nurlan Abenov", "Нұрлан Әбенұлы"),
    ],
)
def test_spellings_of_one_surname_are_not_a_mismatch(a: str, b: str) -> None:
    assert name_similarity(a, b) >= 0.7


def test_batch_equals_the_scalar_function_on_the_third_session_rules() -> None:
    from credible.names._batch import similarity_many

    a = ["Erlan Satpayev", "Qanysh Sätbaev", "海来提·尼亚孜", "مۇحتار ٵۋەزوۆ", "艾尔肯·帕尔哈提"]
    b = ["Erlan Zhabayev", "Kanysh Satpayev", "Gheyret Niyaz", "Мұхтар Әуезов", "艾尔肯·艾力"]
    want = np.array([name_similarity(x, y) for x, y in zip(a, b, strict=True)])
    for dense in (0, 10**9):
        assert np.allclose(similarity_many(a * 3, b * 3, dense_min_pairs=dense), np.tile(want, 3))


# A clerk's homophone for the standard character (FICTIONAL names): 题 for 提, 儿 for 尔,
# 疆 for 江, 科 for 克 — read as the standard character, whole pieces included.
@pytest.mark.parametrize(
    ("variant", "standard"),
    [
        ("买买题", "买买提"),
        ("吐儿逊", "吐尔逊"),
        ("艾力疆", "艾力江"),
        ("赛力科", "赛力克"),
        ("阿布来题·艾力疆", "阿布来提·艾力江"),
        ("迪丽拜儿·吐儿洪", "迪丽拜尔·吐尔洪"),
    ],
)
def test_a_homophone_of_a_transcription_character_reads_as_it(variant: str, standard: str) -> None:
    assert romanize(variant) == romanize(standard)
    assert set(name_keys(variant)) == set(name_keys(standard))


def test_a_character_without_a_homophone_in_the_tables_is_read_by_its_sound() -> None:
    # 帝 (di) is no homophone of 提 (ti): it keeps its own reading.
    assert romanize("买买帝") != romanize("买买提")
    # Han names keep their pinyin whatever the transcription table holds.
    assert romanize("王鸣") == "Wang Ming"


# Kazakh and Russian-style Cyrillic write the w of Turkic names with у (FICTIONAL pairs).
@pytest.mark.parametrize(
    ("cyrillic", "other"),
    [
        ("Сауле", "Sawle"),  # after a vowel, in Russian Cyrillic
        ("Даурен", "Dawren"),
        ("Сәуле", "Sawle"),  # with ә, detected as Uyghur Cyrillic
        ("Дәурен", "達吾仁"),
        ("Ануар", "Enwer"),  # u before a, in the key
        ("Ануар", "艾尼瓦尔"),
        ("Әнуәр", "Enwer"),  # before a vowel, in Kazakh (here detected as Uyghur)
        ("Қуаныш", "Kwanysh"),  # before a vowel, in Kazakh
    ],
)
def test_cyrillic_u_that_writes_w_meets_the_w(cyrillic: str, other: str) -> None:
    assert set(name_keys(cyrillic)) & set(name_keys(other))


def test_u_before_e_stays_a_vowel_in_the_key() -> None:
    # ue is an ad hoc ü (Yusuep for Yüsüp): not read as w.
    assert "w" not in romanize("Yusuep").lower()
    assert set(name_keys("Yusuep")) != set(name_keys("Yuswep"))


# --- fourth session: a word-final kh in ad hoc Latin writes q as often as x -------------
@pytest.mark.parametrize(
    "other",
    ["Ishaq Tursun", "ئىسھاق تۇرسۇن", "依斯哈克·吐尔逊", "Исхак Турсун"],
)
def test_final_kh_meets_the_q_of_other_scripts(other: str) -> None:
    # FICTIONAL: Ishaq (ئىسھاق, 依斯哈克 with 克 for the final q) spelt Ishakh
    assert name_similarity("Ishakh Tursun", other) >= 0.85
    assert name_similarity_many(["Ishakh Tursun"] * 20_000, [other] * 20_000)[0] == (
        name_similarity("Ishakh Tursun", other)
    )


def test_final_kh_is_still_x_and_other_names_stay_apart() -> None:
    assert same_name("Sadikh Memet", "Sadix Memet")  # FICTIONAL
    assert not same_name("Ishakh Tursun", "Isa Tursun")
    assert not same_name("Sadikh Memet", "Sabit Memet")
    assert romanize("Ishakh") == "Ishax"  # the reading shown is unchanged


# --- fourth session: pinyin with syllables of characters the table lacks ----------------
@pytest.mark.parametrize("other", ["Yüsüp Memet", "يۈسۈپ مەمەت", "Юсуп Мемет"])
def test_pinyin_with_a_syllable_outside_the_table_is_read_back(other: str) -> None:
    # FICTIONAL: 尤素甫 / 尤书甫 (you-shu-fu) for Yüsüp; shu is no character of the table
    assert same_name("Youshufu Maimaiti", other)


def test_pinyin_outside_the_table_needs_most_syllables_in_it() -> None:
    from credible.names.han import pinyin_readings

    assert pinyin_readings("lequan") == ()  # two syllables, both outside: not read back
    assert pinyin_readings("gulnar") == ()  # not pinyin at all
    assert romanize("Wang Lequan") == "Wang Lequan"
