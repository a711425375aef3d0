"""Arabic and Persian renderings of Muslim names, in Arabic script or in Latin.

Two things differ from Uyghur and its Latin forms:

- *Arabic-language orthography* (محمد یعقوب بیگ, ثابت داملا عبد الباقي) leaves the short
  vowels unwritten and uses letters Uyghur does not (ح ع ص ض ط ظ ث ذ ة). Such a word is
  read letter by letter (``data/arabic_letters.csv``) with ``a`` where two consonants
  meet without a written vowel, and its part is compared on consonants as well, like a
  Chinese transcription.
- *Arabic compound names* (``data/arabic_names.yml``): the article written with a hyphen
  (al-Kashgari, ал-Кашгари) is dropped, except in theophoric names, which Turkic forms
  write as one word with the article assimilated to a sun letter (ʿAbd al-Raḥmān =
  Abdurahman, ʿAbd al-Karīm = Abdulkerim) and in X al-Dīn compounds (Nūr al-Dīn =
  Nurdin); a father's name after ibn/bin is left out, as a middle patronymic is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import yaml

from credible.errors import ConfigError

# Letters that only Arabic orthography uses: Uyghur writes ھ, خ, س, ز, ت for them, and
# writes a word-initial vowel with ئ, never with أ إ آ (the hamza and madda seats of
# Arabic and Persian). (Not ی, ک, ي or ه, which Uyghur typed on an Arabic or Persian
# keyboard uses for ى, ك, ى and ە, nor a bare hamza, typed for ئ.)
_ARABIC_ONLY = frozenset("حعصضطظثذةأإآؤ")
# Words that only an Arabic-language name has: ibn/bin/bint (nasab), ʿabd (theophoric).
_ARABIC_WORDS = frozenset(("بن", "ابن", "بنت", "عبد"))
_UYGHUR_VOWELS = frozenset("ەۇۆۈېىئ")
_ARABIC_VOWEL_LETTERS = frozenset("اويىی")
_PERSIAN_ONLY = frozenset("پچژگڭ")


@cache
def _letters() -> dict[str, tuple[str, str]]:
    from credible.names._tables import _rows

    table: dict[str, tuple[str, str]] = {}
    for row in _rows("arabic_letters.csv"):
        if len(row["letter"]) != 1 or row["kind"] not in {"consonant", "vowel", "silent", "final"}:
            raise ConfigError(f"arabic_letters.csv: malformed row {row}")
        table[row["letter"]] = (row["latin"], row["kind"])
    return table


@cache
def names_table() -> dict[str, frozenset[str]]:
    path = resources.files("credible.names") / "data" / "arabic_names.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys = ("article", "sun_letters", "abd", "din", "ibn")
    if not isinstance(data, dict) or any(not isinstance(data.get(k), list) for k in keys):
        raise ConfigError(f"arabic_names.yml needs the lists {', '.join(keys)}")
    return {k: frozenset(str(v) for v in data[k]) for k in keys}


def is_arabic_orthography(word: str) -> bool:
    """Whether an Arabic-script word is written the Arabic/Persian way (short vowels left
    out) rather than in the Uyghur alphabet, which writes every vowel: it has a letter
    only Arabic uses, or no vowel letter at all (محمد; ه counts as one: Uyghur typed on an
    Arabic keyboard writes it for ە, مهمهت Memet). Consonants that meet are not
    enough: Uyghur has clusters too (ساتتارجان Sattarjan, دىلشات Dilshat)."""
    chars = set(word)
    if chars & _ARABIC_ONLY:
        return True
    letters = [ch for ch in word if "\u0600" <= ch <= "\u06ff"]
    return len(letters) >= 3 and not chars & (_ARABIC_VOWEL_LETTERS | _UYGHUR_VOWELS | {"ه"})


# One character-class scan (fast in C) for the letters only Arabic uses and for Arabic
# presentation forms, which are folded by NFKC before the letters are looked at again.
_LETTER_OR_FORM = re.compile("[" + "".join(sorted(_ARABIC_ONLY)) + "\ufb50-\ufdff\ufe70-\ufeff]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def is_arabic_name(name: str) -> bool:
    """Whether a whole name in Arabic script is written the Arabic/Persian way: one of its
    words has a letter only Arabic uses or is ibn/bin/ʿabd. Then every word of it is read
    so (عيسى يوسف الپتگین: يوسف is Yūsuf, not the Uyghur reading of its letters), where a
    word alone would be told only by its own letters. A word with no vowel letter is not
    enough here: a Uyghur word loses its vowel letters to typing slips."""
    found = _LETTER_OR_FORM.search(name)
    if found is not None:
        if not _PRESENTATION_FORMS.match(found.group()):
            return True
        name = unicodedata.normalize("NFKC", name)
        if set(name) & _ARABIC_ONLY:
            return True
    if "بن" not in name and "عبد" not in name:
        return False
    return any(w in _ARABIC_WORDS for w in name.split())


# The letters that Arabic and Persian keyboards and spellings use for one another.
_TITLE_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u0651": None, "\u0640": None})


@cache
def _titles() -> dict[str, str]:
    from credible.names._tables import affixes

    return {k.translate(_TITLE_FOLD): v for k, v in affixes()["arabic_script_titles"].items()}


def title_latin(word: str) -> str | None:
    """The Latin title (beg, xoja, haji …) that an Arabic-script word spells, if it is one
    of the titles of name_affixes.yml in Persian or Arabic spelling (بیگ, خواجه)."""
    return _titles().get(unicodedata.normalize("NFKC", word).translate(_TITLE_FOLD))


# Arabic gives the g of foreign names with ج (Egyptian usage; جولشان Gulshan), Persian
# with گ: a word with ج is also read with g (Wikipedia "Arabic alphabet", jīm).
_JIM_AS_G = str.maketrans({"ج": "گ"})


def arabic_readings(word: str, foreign_g: bool = True) -> tuple[str, ...]:
    """The Latin readings of one Arabic-orthography word: as written; with و and ي
    between consonants read as the diphthongs aw and ay (جوهر Jawhar, شوكت Shawkat,
    زينب Zaynab; ū and ī otherwise, محمود Maḥmūd); and (``foreign_g``: the name is
    Arabic-spelled as a whole, see ``is_arabic_name``) with ج as g."""
    out = [read_arabic(word)]
    diphthong = read_arabic(word, diphthongs=True)
    if diphthong != out[0]:
        out.append(diphthong)
    if foreign_g and "ج" in word:
        out.append(read_arabic(word.translate(_JIM_AS_G)))
    return tuple(out)


@lru_cache(maxsize=1 << 14)
def read_arabic(word: str, diphthongs: bool = False) -> str:
    """Latin reading of one Arabic-orthography word; the article is kept as ``al-`` so
    that the compound rules apply to it as to a Latin ``al-``. ``diphthongs``: و and ي
    between two consonants are the consonants of aw and ay, not the long vowels."""
    table = _letters()
    if word in ("بن", "بنت"):
        return "bin"
    if word == "ابن":
        return "ibn"
    article = ""
    # the article: not before a Persian letter, which no Arabic word starts with (الپتگین
    # is Alptegin, not al-Ptegin)
    if word.startswith("ال") and len(word) > 3 and word[2] not in _PERSIAN_ONLY:
        article, word = "al-", word[2:]
    elif word.startswith("عبد") and len(word) > 3:  # عبدالباقي: ʿAbd al-Bāqī in one word
        rest = read_arabic(word[3:], diphthongs)
        return "abd" + (rest if rest.startswith("al-") else "-" + rest)
    elif word == "عبد":
        return "abd"
    # Persian khwā: the w after kh is silent (خواجه xaja)
    word = word.replace("خوا", "خا")
    out: list[str] = []
    prev = ""  # kind of the previous letter
    for i, ch in enumerate(word):
        latin, kind = table.get(ch, ("", "silent"))
        last = i == len(word) - 1
        if ch in "يی" and i == 0 and len(word) > 1:  # initial ya is always y
            latin, kind = "y", "consonant"
        elif ch == "و" and i == 0 and len(word) > 1 and word[1] in _ARABIC_VOWEL_LETTERS:
            latin, kind = "w", "consonant"
        elif (ch in "وي" and prev == "vowel" and not last) or (
            diphthongs
            and ch in "ويی"
            and prev == "consonant"
            and not last
            and table.get(word[i + 1], ("", ""))[1] == "consonant"
        ):
            latin, kind = ("w" if ch == "و" else "y"), "consonant"
        if ch == "ه" and last and out:
            latin, kind = "a", "final"
        if kind == "consonant" and prev == "consonant":
            out.append("a")
        if kind == "consonant" and prev == "silent" and i == 1:
            out.append("a")  # an initial ʿayn carries a vowel: عبد abd
        out.append(latin)
        if kind != "silent" or prev == "":
            prev = kind if kind != "final" else "vowel"
    return article + "".join(out)


_HYPHENATED = re.compile(r"^(.*?)-(.+)$")


def _split_article(word: str) -> tuple[str, str] | None:
    """``al-karim`` -> (``al``, ``karim``); None when the word has no article."""
    m = _HYPHENATED.match(word)
    if m and m.group(1) in names_table()["article"]:
        return m.group(1), m.group(2)
    return None


def _abd_join(abd: str, article: str, rest: str) -> str:
    sun = names_table()["sun_letters"]
    assimilated = article not in ("al", "el", "'l", "l", "ul", "il")
    if assimilated or rest[:2] in sun or rest[:1] in sun:
        return "abdu" + rest
    return "abdul" + rest


def compound_words(words: list[str]) -> list[tuple[str, tuple[int, ...], bool]]:
    """Arabic compound names in a list of Latin words (one per part) -> the words as
    Turkic forms write them, each with the indices of the words it was made from and
    whether it is a father's name after ibn/bin (to be left out of the comparison)."""
    table = names_table()
    out: list[tuple[str, tuple[int, ...], bool]] = []
    after_ibn = False

    def joinable() -> bool:
        return bool(out) and not out[-1][2]

    for i, word in enumerate(words):
        if word in table["ibn"] and 0 < i < len(words) - 1:
            after_ibn = True
            continue
        split = _split_article(word)
        if split is None and "-" in word:
            head, _, tail = word.partition("-")
            if head in table["abd"] and tail:  # Abd-ul-Kerim, Abdul-Kerim, abd-baqi
                inner = _split_article(tail)
                art, rest = inner if inner else ("al" if head.endswith("l") else "", tail)
                word, split = _abd_join(head, art, rest), None
        if split is not None:
            art, rest = split
            if joinable() and out[-1][0] in table["abd"]:
                out[-1] = (_abd_join(out[-1][0], art, rest), (*out[-1][1], i), False)
                continue
            if joinable() and rest in table["din"]:
                out[-1] = (out[-1][0] + "din", (*out[-1][1], i), False)
                continue
            word = rest
        elif joinable() and out[-1][0] in table["abd"]:
            out[-1] = (out[-1][0] + word, (*out[-1][1], i), False)  # Abdul Rahman: one name
            continue
        out.append((word, (i,), after_ibn))
        after_ibn = False
    return out


def needs_compounds(words: list[str]) -> bool:
    """Cheap test: whether ``compound_words`` can change anything."""
    table = names_table()
    return any("-" in w or w in table["abd"] or w in table["ibn"] for w in words)
