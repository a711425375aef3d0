"""Render a Uyghur Latin (ULY) name in the other scripts a FICTIONAL list may use.

The rules are data (``data/translit.yml``); this module only applies them. Names are few
(a few hundred), so every rendering is computed once per name and records index into
the results; nothing here runs per record except the noise helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

APOSTROPHE = "'"


@cache
def _rules() -> dict[str, Any]:
    text = (resources.files("credible.simulate") / "data" / "translit.yml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def tokens(word: str, multi: frozenset[str]) -> list[str]:
    """Split a lower-case ULY word into letters, digraphs first; "'" splits and vanishes."""
    out: list[str] = []
    i = 0
    while i < len(word):
        if word[i] == APOSTROPHE:
            i += 1
            continue
        pair = word[i : i + 2]
        if len(pair) == 2 and pair in multi:
            out.append(pair)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def _words(text: str) -> list[str]:
    # Keep separators (space, hyphen, middle dot) as their own items.
    out: list[str] = []
    cur = ""
    for ch in text:
        if ch in " -·":
            if cur:
                out.append(cur)
            out.append(ch)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


@dataclass(frozen=True)
class _Table:
    letters: dict[str, str]
    multi: frozenset[str]

    @classmethod
    def of(cls, letters: dict[str, str]) -> _Table:
        return cls(letters, frozenset(k for k in letters if len(k) > 1))

    def word(self, word: str) -> str:
        return "".join(self.letters.get(t, t) for t in tokens(word.lower(), self.multi))


def to_arabic(uly: str) -> str:
    """ULY to Uyghur Arabic script (UEY), with the hamza on vowel-initial syllables."""
    spec = _rules()["uly_to_uey"]
    table = _Table.of(spec["letters"])
    vowels = set(spec["vowels"])
    hamza = spec["hamza"]
    out = []
    for w in _words(uly):
        if w in " -·":
            out.append(" " if w != "-" else "-")
            continue
        letters = []
        prev_vowel = True  # word start behaves like "after a vowel"
        for t in tokens(w.lower(), table.multi):
            is_vowel = t in vowels
            if is_vowel and prev_vowel:
                letters.append(hamza)
            letters.append(table.letters.get(t, t))
            prev_vowel = is_vowel
        out.append("".join(letters))
    return "".join(out)


def _cyrillic(uly: str, table: _Table) -> str:
    return "".join(w if w in " -·" else _capitalise(table.word(w)) for w in _words(uly))


def to_uyghur_cyrillic(uly: str) -> str:
    """ULY to Uyghur Cyrillic (USY)."""
    return _cyrillic(uly, _Table.of(_rules()["uly_to_usy"]["letters"]))


def to_kazakh(uly: str) -> str:
    """ULY to Kazakh Cyrillic as a Kazakh speaker respells a Uyghur name."""
    spec = _rules()["uly_to_kazakh"]
    back = set(spec["back_vowels"])
    front = {"e", "é", "ö", "ü"}
    out = []
    for w in _words(uly):
        if w in " -·":
            out.append(w)
            continue
        low = w.lower()
        is_back = any(c in back for c in low) and not any(c in front for c in low)
        letters = dict(spec["letters"])
        letters["i"] = spec["i_back"] if is_back else spec["i_front"]
        out.append(_capitalise(_Table.of(letters).word(low)))
    return "".join(out)


def kazakh_to_russian(kk: str) -> str:
    """Kazakh Cyrillic to the Russian alphabet only (lossy), as cp1251 can hold it."""
    table: dict[str, str] = _rules()["kazakh_to_russian"]
    return "".join(table.get(c, c) for c in kk)


def english_variants(uly: str, count: int, rng: np.random.Generator) -> list[str]:
    """``count`` ad hoc English spellings; the first is the commonest one."""
    spec: dict[str, list[list[Any]]] = _rules()["uly_to_english"]
    multi = frozenset(k for k in spec if len(k) > 1)
    words = _words(uly)
    out = []
    for v in range(count):
        parts = []
        for w in words:
            if w in " -·":
                parts.append(" " if w == "·" else w)
                continue
            letters = []
            for t in tokens(w.lower(), multi):
                options = spec.get(t)
                if options is None:
                    letters.append(t)
                elif v == 0:
                    letters.append(str(options[0][0]))
                else:
                    weights = np.array([float(o[1]) for o in options])
                    pick = int(rng.choice(len(options), p=weights / weights.sum()))
                    letters.append(str(options[pick][0]))
            parts.append(_capitalise("".join(letters)))
        out.append("".join(parts))
    return out


def han_variants() -> dict[str, list[str]]:
    """Alternative characters for the same syllable (Chinese transliteration noise)."""
    data: dict[str, list[str]] = _rules()["han_variants"]
    return data


def arabic_keyboard() -> dict[str, str]:
    """Uyghur letters replaced when typed on an Arabic or Persian keyboard."""
    data: dict[str, str] = _rules()["arabic_keyboard"]
    return data
