"""Which script (and orthography) a name, or one part of it, is written in."""

from __future__ import annotations

import unicodedata

# Codes from model/vocab/scripts.yml.
UYGHUR_ARABIC = "uyghur_arabic"
UYGHUR_LATIN = "uyghur_latin"
UYGHUR_CYRILLIC = "uyghur_cyrillic"
KAZAKH_CYRILLIC = "kazakh_cyrillic"
KAZAKH_LATIN = "kazakh_latin"
RUSSIAN_CYRILLIC = "russian_cyrillic"
HAN = "han"
LATIN = "latin"
MIXED = "mixed"
UNKNOWN = "unknown"

SCRIPTS = (
    UYGHUR_ARABIC,
    UYGHUR_LATIN,
    UYGHUR_CYRILLIC,
    KAZAKH_CYRILLIC,
    KAZAKH_LATIN,
    RUSSIAN_CYRILLIC,
    HAN,
    LATIN,
    MIXED,
    UNKNOWN,
)

# Separators written between the parts of a transcribed name in Chinese.
HAN_SEPARATORS = "·•・‧∙⋅･.．"

_KAZAKH_ONLY = set("ұіыҰІЫ")
_UYGHUR_ONLY = set("җҖ")
_TURKIC_CYRILLIC = set("әғқңөүһӘҒҚҢӨҮҺ")
_KAZAKH_LATIN_MARKS = set("äğñūışÄĞÑŪİŞ")
_ULY_MARKS = set("éöüÉÖÜ")


def _block(ch: str) -> str | None:
    o = ord(ch)
    if o < 0x80:
        # Most letters of most lists: decided without looking up the character's
        # Unicode name (which took a third of preparing FEBRL 4's 10,000 names).
        return "latin" if ch.isalpha() else None
    if 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "arabic"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "han"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
        return "latin"
    return None


def blocks(text: str) -> set[str]:
    """The broad script families of the letters in ``text`` (punctuation ignored)."""
    found = set()
    for ch in text:
        b = _block(ch)
        if b is not None and ch not in "ـ":
            found.add(b)
    return found


def _cyrillic_kind(text: str) -> str:
    chars = set(text)
    if chars & _UYGHUR_ONLY:
        return UYGHUR_CYRILLIC
    if chars & _KAZAKH_ONLY:
        return KAZAKH_CYRILLIC
    if chars & _TURKIC_CYRILLIC:
        return UYGHUR_CYRILLIC
    return RUSSIAN_CYRILLIC


def _latin_kind(text: str) -> str:
    chars = set(text)
    if chars & _KAZAKH_LATIN_MARKS and ("q" in text.lower() or "ñ" in text.lower()):
        return KAZAKH_LATIN
    if "é" in text.lower():
        return UYGHUR_LATIN
    return LATIN


def detect_script(name: str) -> str:
    """The script code (``model/vocab/scripts.yml``) of ``name``.

    Uyghur vs Kazakh vs Russian-style Cyrillic is told by the letters only one of them
    uses (җ: Uyghur; ұ і ы: Kazakh; none of ә ғ қ ң ө ү һ: Russian-style). Latin text is
    ``uyghur_latin`` only when it uses ULY's é, ``kazakh_latin`` when it uses the 2021
    Kazakh letters with q or ñ; otherwise ``latin`` (ad hoc romanisation). These are
    heuristics on a single name: a short name may not show its orthography.
    """
    found = blocks(name)
    if not found:
        return UNKNOWN
    if len(found) > 1:
        return MIXED
    (family,) = found
    if family == "arabic":
        return UYGHUR_ARABIC
    if family == "han":
        return HAN
    if family == "cyrillic":
        return _cyrillic_kind(name)
    return _latin_kind(name)
