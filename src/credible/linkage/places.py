"""County names in any script -> one county id, from the gazetteer in ``data/counties.csv``.

Lists name the same county 疏附县, Shufu, Kona Sheher, كونا شەھەر or Кона Шәһәр. Names
in Chinese characters are looked up as written; anything else is romanised with
``credible.names`` and matched on its squashed Latin form, then on its name keys (which
absorb é/e, q/k, x/sh and similar spelling differences). A place the gazetteer does not
know gets no id, and the comparison falls back to spelling.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from credible.linkage import _names

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_SUFFIXES = ("自治县", "县", "市", "区")
# Generic words for "county", "city", "district" in the scripts lists use, after
# romanisation; "sheher" alone is not one of them (Kona Sheher, Qarasheher are names).
_GENERIC = {
    "county",
    "city",
    "district",
    "prefecture",
    "xian",
    "shi",
    "qu",
    "nahiyisi",
    "nahiye",
    "nahiyesi",
    "shehiri",
    "shehri",
    "rayoni",
    "audany",
    "audani",
    "qalasy",
    "qalasi",
    "rayon",
    "raion",
    "uezd",
    "okrug",
    "awdani",
    "awdany",
}


def _squash(text: str) -> str:
    """Lower case, letters and digits only, no diacritics: "Kériye" -> "keriye"."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch))


def _strip_generic(romanised: str) -> str:
    words = [w for w in re.split(r"[^\w]+", romanised.lower()) if w]
    kept = [w for w in words if w not in _GENERIC]
    return " ".join(kept or words)


# Sounds that Uyghur, Kazakh and Chinese-derived spellings of one place write
# differently: Kazakh has no "ch" (Chapchal is Шапшал), q and k, gh and g, w and u
# alternate between romanisations.
_SKELETON_FOLDS = (("ch", "sh"), ("zh", "j"), ("gh", "g"), ("kh", "k"), ("q", "k"), ("w", "u"))
_SKELETON_MIN = 3


def _skeleton(text: str) -> str:
    """The consonants of a place name after folding spelling variants: the last resort
    for a place whose spelling matches no form in the gazetteer."""
    s = _squash(text)
    for a, b in _SKELETON_FOLDS:
        s = s.replace(a, b)
    s = re.sub(r"[aeiouy0-9]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def _unique(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Keys that point to one county only: a key shared by two identifies neither."""
    seen: dict[str, str] = {}
    for key, cid in pairs:
        if key:
            seen[key] = cid if seen.get(key, cid) == cid else ""
    return {k: v for k, v in seen.items() if v}


@dataclass(frozen=True)
class _Gazetteer:
    han: dict[str, str]  # Chinese name -> id
    latin: dict[str, str]  # squashed Latin form -> id
    by_key: dict[str, str]  # one name key of a Latin form -> id, where unambiguous
    by_skeleton: dict[str, str]  # consonant skeleton -> id, where unambiguous


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    text = resources.files("credible.linkage").joinpath("data/counties.csv").read_text("utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    han: dict[str, str] = {}
    latin: dict[str, str] = {}
    for row in rows:
        for zh in row["zh"].split(";"):
            han[zh.strip()] = row["id"]
        for form in row["latin"].split(";"):
            latin[_squash(form)] = row["id"]
    forms = list(latin)
    keys = _names.name_keys_many(forms)
    by_key = _unique(
        [(k, latin[f]) for f, ks in zip(forms, keys, strict=True) for k in ks if k[0] != "~"]
    )
    skeletons = [(_skeleton(f), latin[f]) for f in forms]
    by_skeleton = _unique([(s, c) for s, c in skeletons if len(s) >= _SKELETON_MIN])
    return _Gazetteer(han, latin, by_key, by_skeleton)


def county_ids(values: list[object]) -> list[str | None]:
    """The gazetteer id of each place name, or ``None`` when it is not recognised."""
    # Lists repeat a few hundred place names over millions of rows: look each up once.
    distinct = list(dict.fromkeys(text_of(v) for v in values))
    found = dict(zip(distinct, _county_ids(distinct), strict=True))
    return [found[text_of(v)] for v in values]


def text_of(value: object) -> str:
    """A cell as stripped text; empty for None and NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _county_ids(values: list[str]) -> list[str | None]:
    gaz = _gazetteer()
    out: list[str | None] = [None] * len(values)
    pending: list[int] = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
            continue
        text = str(v).strip()
        if _HAN.search(text):
            out[i] = _han_lookup(text, gaz.han)
            if out[i] is not None:
                continue
        pending.append(i)
    if not pending:
        return out
    romanised = _names.romanize_many([str(values[i]) for i in pending])
    stripped = [_strip_generic(r or "") for r in romanised]
    keys = _names.name_keys_many(stripped)
    for i, s, k in zip(pending, stripped, keys, strict=True):
        out[i] = gaz.latin.get(_squash(s)) or _by_keys(k, gaz) or gaz.by_skeleton.get(_skeleton(s))
    return out


def _by_keys(keys: list[str], gaz: _Gazetteer) -> str | None:
    """The county all of a name's (non-skeleton) keys that the gazetteer knows agree on."""
    found = {gaz.by_key[k] for k in keys if k[0] != "~" and k in gaz.by_key}
    return found.pop() if len(found) == 1 else None


def _han_lookup(text: str, han: dict[str, str]) -> str | None:
    """The county named in a Chinese address such as 喀什地区疏附县.

    Addresses run from the larger unit to the smaller, so of the gazetteer names found
    in the text the one ending last wins (the county, not the prefecture it is in).
    """
    if text in han:
        return han[text]
    best: tuple[int, int, str] | None = None
    for name, cid in han.items():
        for form in {name, name.removesuffix("自治县").rstrip("县市区")}:
            if len(form) < 2:
                continue
            at = text.rfind(form)
            if at >= 0:
                score = (at + len(form), len(form), cid)
                if best is None or score[:2] > best[:2]:
                    best = score
    return best[2] if best else None
