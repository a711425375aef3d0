"""Uyghur between its Arabic (UEY), Latin (ULY) and Cyrillic (USY) scripts.

Driven by ``data/uyghur_alphabet.csv``. UEY writes a hamza (ئ) before a vowel that
starts a word or follows another vowel; ULY leaves it out at the start of a word and
writes an apostrophe inside a word. ULY also writes an apostrophe where two letters
would otherwise read as a digraph (n'g, s'h, z'h, g'h). With both rules, well-formed
UEY text survives UEY -> ULY -> UEY unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from credible.names._tables import uyghur_alphabet

HAMZA = "ئ"
_DIGRAPH_STARTS = {"c": "h", "g": "h", "n": "g", "s": "h", "z": "h"}
# Letters that are typed in place of the proper Uyghur ones (Persian/Arabic keyboards).
_UEY_VARIANTS = {
    "ه": "ە",  # Arabic heh for Uyghur ae
    "ک": "ك",  # Persian keheh
    "ی": "ى",  # Farsi yeh
    "ې": "ې",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ء": HAMZA,
    "ٸ": HAMZA,
    "ـ": "",  # tatweel
    "\u200c": "",
    "\u200d": "",
}


@cache
def _maps() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str], set[str]]:
    letters = uyghur_alphabet()
    uey_uly = {le.uey: le.uly for le in letters}
    uly_uey = {le.uly: le.uey for le in letters}
    usy_uly = {le.usy: le.uly for le in letters}
    uly_usy = {le.uly: le.usy for le in letters}
    vowels = {le.uly for le in letters if le.vowel}
    usy_uly.update({"ю": "yu", "я": "ya", "ё": "yo", "ц": "ts", "щ": "shch", "ы": "i"})
    usy_uly.update({"э": "e", "ь": "", "ъ": ""})
    return uey_uly, uly_uey, usy_uly, uly_usy, vowels


def _is_uey_letter(ch: str) -> bool:
    return 0x0600 <= ord(ch) <= 0x06FF and unicodedata.category(ch).startswith("L")


# Farsi yeh is typed for both Uyghur y and i: its initial and medial forms look like
# ي (y), its final form like ى (i). Uyghur writes a hamza before a vowel that starts a
# word, and no i right before another vowel, so ی at the start of a word or before a vowel
# letter is y (یۈسۈپ Yüsüp), and i elsewhere.
_FARSI_YEH_Y = re.compile(r"(?<![\u0620-\u06FF])ی|ی(?=[اەوۇۆۈېىی])")


def normalize_uey(text: str) -> str:
    """Fold presentation forms and look-alike letters into the Uyghur letters of the table."""
    text = _FARSI_YEH_Y.sub("ي", unicodedata.normalize("NFKC", text))
    return "".join(_UEY_VARIANTS.get(ch, ch) for ch in text)


def _append(out: list[str], token: str) -> None:
    """Append a ULY letter, separating it with an apostrophe where it would form a digraph."""
    if out and token:
        prev = out[-1][-1]
        if _DIGRAPH_STARTS.get(prev) == token[0] and not (len(out[-1]) == 2 and prev == "g"):
            out.append("'")
    out.append(token)


def uey_to_uly(text: str) -> str:
    """Uyghur Arabic script -> Uyghur Latin script (lower case)."""
    uey_uly, _, _, _, _ = _maps()
    out: list[str] = []
    in_word = False
    for ch in text:
        if ch == HAMZA:
            if in_word:
                out.append("'")
            in_word = True
            continue
        uly = uey_uly.get(ch)
        if uly is None:
            in_word = _is_uey_letter(ch)
            out.append(ch)
            continue
        _append(out, uly)
        in_word = True
    return "".join(out)


def _uly_tokens(word: str) -> list[str]:
    _, uly_uey, _, _, _ = _maps()
    tokens = []
    i = 0
    while i < len(word):
        two = word[i : i + 2]
        if len(two) == 2 and two in uly_uey:
            tokens.append(two)
            i += 2
        else:
            tokens.append(word[i])
            i += 1
    return tokens


def uly_to_uey(text: str) -> str:
    """Uyghur Latin script -> Uyghur Arabic script. Unknown letters pass through."""
    _, uly_uey, _, _, vowels = _maps()
    out: list[str] = []
    for word in _split_keep(text.lower()):
        if not word or (not word[0].isalpha() and word[0] != "'"):
            out.append(word)
            continue
        tokens = _uly_tokens(word)
        prev_vowel = True  # a vowel at the start of a word takes a hamza
        for i, tok in enumerate(tokens):
            if tok in {"'", "’", "ʼ"}:
                nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
                if nxt in vowels:
                    out.append(HAMZA)
                    prev_vowel = False
                continue
            if tok in vowels:
                if prev_vowel and (i == 0 or tokens[i - 1] not in {"'", "’", "ʼ"}):
                    out.append(HAMZA)
                out.append(uly_uey[tok])
                prev_vowel = True
            else:
                out.append(uly_uey.get(tok, tok))
                prev_vowel = False
    return "".join(out)


def _split_keep(text: str) -> list[str]:
    """Split into words and the separators between them, keeping both."""
    parts: list[str] = []
    cur = ""
    for ch in text:
        is_word = ch.isalpha() or ch in "'’ʼ"
        if cur and (cur[-1].isalpha() or cur[-1] in "'’ʼ") != is_word:
            parts.append(cur)
            cur = ""
        cur += ch
    if cur:
        parts.append(cur)
    return parts


def usy_to_uly(text: str) -> str:
    """Uyghur Cyrillic script -> Uyghur Latin script (lower case)."""
    _, _, usy_uly, _, _ = _maps()
    out: list[str] = []
    for ch in text.lower():
        uly = usy_uly.get(ch)
        if uly is None:
            out.append(ch)
        elif uly:
            _append(out, uly)
    return "".join(out)


def uly_to_usy(text: str) -> str:
    """Uyghur Latin script -> Uyghur Cyrillic script (lower case)."""
    _, _, _, uly_usy, _ = _maps()
    out: list[str] = []
    for word in _split_keep(text.lower()):
        for tok in _uly_tokens(word):
            if tok in {"'", "’", "ʼ"}:
                continue
            out.append(uly_usy.get(tok, tok))
    return "".join(out)
