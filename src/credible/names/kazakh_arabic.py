"""Kazakh in Arabic script (the alphabet of the Kazakhs of China) -> ULY-style Latin.

Its letters are mostly Uyghur's, but some stand for other sounds (ۆ is v, ع ğ, ح x), and
Kazakh marks front vowels with the high hamza ٴ; read the Uyghur way, Мұхтар Әуезов's
مۇحتار ٵۋەزوۆ would be *muhatar awezuö* (the Arabic reading of ح inserting vowels,
ۆ read as ö). A name is read the Kazakh way when it shows a letter only that alphabet
has: the hamza letters, a Russian-style -ov/-ev written ۆ, or a word with ح / ع (which
Uyghur never writes) and a Turkic vowel letter that Arabic has not (Arabic spelling would
leave the vowels out).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from credible.errors import ConfigError

# the high hamza and the letters that carry it (U+0674-U+0678)
_HAMZA_LETTERS = re.compile("[\u0674-\u0678]")
_KAZAKH_CONSONANTS = re.compile("[حع]")
# Turkic vowel letters Arabic does not have (ۇ ۆ ە), and ى inside a word (Arabic writes
# alif maqsura only at the end of one)
_TURKIC_VOWELS = re.compile("[\u06c7\u06c6\u06d5]|\u0649(?=[\u0600-\u06ff])")
# The Russian-style surname ending -ov/-ev (وۆ / ەۆ at the end of a word): Uyghur writes
# ö with ۆ, which never follows a vowel at the end of a word
_RUSSIAN_ENDING = re.compile("[\u0648\u06d5]\u06c6(?![\u0600-\u06ff])")
# Letters of Uyghur that Kazakh has not: a name with one of them is Uyghur
_UYGHUR_ONLY = re.compile("[\u0626\u06d0\u06c8]")
# After NFKC the hamza letters are a base letter + U+0674: the front vowels
_FRONT = (
    ("\u0627\u0674", "ٵ"),
    ("\u0648\u0674", "ٶ"),
    ("\u06c7\u0674", "ٷ"),
    ("\u0649\u0674", "ٸ"),
)


def is_kazakh_arabic(name: str) -> bool:
    """Whether a name in Arabic script is written in the Kazakh Arabic alphabet."""
    if _UYGHUR_ONLY.search(name):
        return False
    if _HAMZA_LETTERS.search(name) or _RUSSIAN_ENDING.search(name):
        return True
    if not _KAZAKH_CONSONANTS.search(name):
        return False
    # in one word: a Uyghur name may carry an Arabic-spelled word (عبدالباقى)
    return any(_KAZAKH_CONSONANTS.search(w) and _TURKIC_VOWELS.search(w) for w in name.split())


@cache
def _letters() -> dict[str, str]:
    from credible.names._tables import _rows

    table: dict[str, str] = {}
    for row in _rows("kazakh_arabic.csv"):
        if len(row["arabic"]) != 1 or not row["latin"]:
            raise ConfigError(f"kazakh_arabic.csv: malformed row {row}")
        table[row["arabic"]] = row["latin"]
    return table


def kazakh_arabic_latin(word: str) -> str:
    """Latin letters of a word in Kazakh Arabic script (letters outside the table kept)."""
    text = unicodedata.normalize("NFKC", word)
    for pair, letter in _FRONT:
        text = text.replace(pair, letter)
    table = _letters()
    return "".join(table.get(ch, "" if ch == "\u0674" else ch) for ch in text)
