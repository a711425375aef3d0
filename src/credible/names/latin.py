"""Ad hoc Latin spellings -> one canonical Latin form, and the phonetic key of a part.

The canonical form follows ULY conventions (x for kh, q, gh, ch, sh, zh, j, é, ö, ü) so
that the romanisation of Uyghur Arabic or Cyrillic text and a hand-typed English,
Turkish, German or Russian-style spelling of the same name land on the same letters
wherever the spelling allows it. The phonetic key then folds the distinctions that
spellings of one name do not keep apart (vowel quality, h/x, q/k, j/zh, w/v, p/f,
doubled letters, final devoicing).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Single letters of other Latin orthographies -> ULY letters.
_LETTERS = {
    "ä": "e", "ə": "e", "ë": "é", "è": "e", "ê": "e", "ē": "e", "ě": "e",
    "á": "a", "à": "a", "â": "a", "ā": "a", "ǎ": "a", "å": "a", "æ": "e",
    "í": "i", "ì": "i", "î": "i", "ī": "i", "ǐ": "i", "ı": "i", "ï": "i", "İ": "i",
    "ó": "o", "ò": "o", "ô": "o", "ō": "o", "ǒ": "o", "ő": "ö", "ø": "ö", "ɵ": "ö",
    "ú": "u", "ù": "u", "û": "u", "ū": "u", "ǔ": "u", "ű": "ü", "ǖ": "ü", "ǘ": "ü",
    "ǚ": "ü", "ǜ": "ü", "ұ": "u",
    "ğ": "gh", "ş": "sh", "ș": "sh", "ç": "ch", "ñ": "ng", "ž": "zh", "š": "sh",
    "č": "ch", "ⱨ": "h", "ⱪ": "q", "ⱬ": "zh", "ß": "ss", "ý": "y", "ÿ": "y",
    # Esperanto (Ŝokan Valiĥanov), Kazakh Latin of 2018 (ǵ, ń), Czech/Slovak (ř).
    "ĥ": "x", "ŝ": "sh", "ĉ": "ch", "ĝ": "j", "ĵ": "zh", "ŭ": "u", "ǵ": "gh", "ń": "n",
    "ř": "r", "ǧ": "gh",
    # Scholarly transliteration of Arabic and Persian (DIN 31635, ALA-LC, EI): the dot
    # or line under a letter marks an Arabic consonant that Turkic names pronounce as
    # the plain one; ʿayn and hamza are not written in the Turkic forms at all.
    "ḥ": "h", "ḫ": "x", "ẖ": "x", "ṣ": "s", "ṭ": "t", "ḍ": "d", "ẓ": "z", "ż": "z",
    "ġ": "gh", "ṯ": "s", "ḏ": "z", "ḳ": "q", "ʿ": "", "ʾ": "", "ʽ": "",
}  # fmt: skip
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "´": "'", "ʻ": "'"})
# Ad hoc digraphs -> ULY. Applied until nothing changes, so the result is a fixed point.
_DIGRAPHS = (("dzh", "j"), ("tch", "ch"), ("sch", "sh"), ("kh", "x"), ("dj", "j"))
_NOT_NAME = re.compile(r"[^\w' -]+")
_SPACES = re.compile(r"\s+")


def canonical_latin(text: str) -> str:
    """Lower-case canonical Latin of a Latin-script name (idempotent)."""
    prev = None
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    # str.lower() turns the Turkish capital İ into i + a combining dot (U+0307), which
    # no table knows: fold it first (ABDURREHİM HEYİT -> abdurrehim heyit)
    text = text.replace("İ", "i").replace("\u0307", "")
    if "é" in text or "É" in text:
        text = _pinyin_e(text)
    while text != prev:
        prev = text
        text = "".join(_LETTERS.get(ch, ch) for ch in text.lower())
        if not text.isascii():
            text = _strip_marks(text)
        for old, new in _DIGRAPHS:
            text = text.replace(old, new)
        text = _NOT_NAME.sub(" ", text).replace("_", " ")
        text = _SPACES.sub(" ", text).strip(" -'")
    return text


# Pinyin tone marks other than é: a word with one of them is pinyin, and its é is the
# vowel e with the second tone, not ULY's é (Hézhuō).
_PINYIN_TONES = frozenset("āǎàēěèīíǐìōóǒòūúǔùǖǘǚǜĀÁǍÀĒĚÈĪÍǏÌŌÓǑÒŪÚǓÙ")


def _pinyin_e(text: str) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if ("é" in word or "É" in word) and any(ch in _PINYIN_TONES for ch in word):
            words[i] = word.replace("é", "e").replace("É", "E")
    return " ".join(words)


# Letters that ULY itself writes with a diacritic: kept as they are.
_ULY_LETTERS = frozenset("éöü")


def _strip_marks(text: str) -> str:
    """Any other Latin letter with a diacritic (tone marks of pinyin, macrons and dots of
    scholarly transliteration the tables do not list) falls back to its base letter."""
    out = []
    for ch in text:
        if ch.isascii() or ch in _ULY_LETTERS or not ch.isalpha():
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        out.append(stripped if stripped.isascii() and stripped else ch)
    return "".join(out)


_KEY_DIGRAPHS = (
    ("sh", "S"), ("ch", "C"), ("zh", "J"), ("gh", "G"), ("ng", "n"), ("ph", "p"),
    ("ts", "C"),
)  # fmt: skip
_KEY_LETTERS = str.maketrans({
    "a": "A", "e": "A", "é": "A", "i": "I", "o": "U", "u": "U", "ö": "U", "ü": "U",
    "b": "B", "p": "P", "f": "P", "t": "T", "d": "D", "k": "K", "q": "K", "g": "G",
    "j": "J", "c": "J", "x": "", "h": "", "w": "V", "v": "V", "z": "Z", "s": "s",
    "l": "L", "m": "M", "n": "N", "r": "R", "'": "", "-": "",
})  # fmt: skip
_VOWELS = frozenset("AIU")
# Final devoicing; final v is devoiced too (Russian -ов/-ев is said -of/-ef, and written
# so in older English and French spellings, Abbasoff, and in Chinese, 库纳耶夫 Kunayef).
_FINAL_DEVOICE = {"D": "T", "B": "P", "G": "K", "Z": "s", "V": "P"}
# u before a is the w of Kazakh and Russian-style spellings (Ануар Anuar for Anwar,
# Enwer; Куаныш Kuanysh), and Uyghur, which avoids two vowels in a row, writes it w.
# Not before e: ue is an ad hoc ü (Yusuep, Tuersun).
_UA_AS_WA = re.compile(r"(?:(?<=^)|(?<=[^aeéiouöü]))ua")


@lru_cache(maxsize=1 << 18)
def phonetic_key(part: str) -> str:
    """Phonetic key of one canonical-Latin name part: e.g. Abdurehim, Abdurakhim -> ABTURAM.

    Spellings of one name usually share it; it is the unit of blocking and comparison.
    """
    s = _UA_AS_WA.sub("wa", part.lower())
    for old, new in _KEY_DIGRAPHS:
        s = s.replace(old, new)
    # y is a consonant only before a vowel at the start of the part (Yusup), else i.
    if s.startswith("y") and len(s) > 1 and s[1] in "aeéiouöü":
        s = "Y" + s[1:].replace("y", "i")
    else:
        s = s.replace("y", "i")
    s = s.translate(_KEY_LETTERS)
    out: list[str] = []
    for ch in s:
        if not ch.isalpha():
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    if out and out[-1] in _FINAL_DEVOICE:
        out[-1] = _FINAL_DEVOICE[out[-1]]
    return "".join(out)


# Consonant classes that Chinese transcription does not keep apart: it writes Uyghur r
# with 拉 la and 丽 li as often as with 尔 er, m and n alike at the end of a syllable,
# b/p and d/t by the Mandarin initial at hand, and s, sh, ch, j and z with the few
# sibilant initials it has. Gutturals (q, k, g, gh, h, x) and glides (y, w) are dropped:
# 哈那提 writes Qanat, 吐尔洪 Turghun, 依不拉音 Ibrahim.
_CROSS_SCRIPT = str.maketrans(
    {"R": "L", "M": "N", "P": "B", "D": "T", "C": "S", "J": "S", "s": "S", "Z": "S"}
)
_CROSS_SCRIPT_DROP = frozenset("AIUYVKG~")


@lru_cache(maxsize=1 << 16)
def cross_script_key(key: str) -> str:
    """The consonant skeleton of a phonetic (or ``~`` skeleton) key that survives Chinese
    transcription: Turghun (TURGUN) and 吐尔洪 (TURUN) both give TLN.

    Far coarser than the phonetic key (Alim, Erkin and Kérim share LN), so it is for
    blocking and for a weak level of the name comparison, not for telling names apart.
    """
    out: list[str] = []
    for ch in key.translate(_CROSS_SCRIPT):
        if ch in _CROSS_SCRIPT_DROP or (out and out[-1] == ch):
            continue
        out.append(ch)
    return "".join(out)
