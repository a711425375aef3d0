"""Correspondence tables, loaded once from ``names/data`` and validated at load."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from credible.errors import ConfigError


def _rows(filename: str) -> list[dict[str, str]]:
    text = (resources.files("credible.names") / "data" / filename).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    if not rows:
        raise ConfigError(f"names table {filename} is empty")
    return rows


@dataclass(frozen=True)
class UyghurLetter:
    uly: str
    uey: str
    usy: str
    vowel: bool


@cache
def uyghur_alphabet() -> tuple[UyghurLetter, ...]:
    letters = []
    for row in _rows("uyghur_alphabet.csv"):
        if len(row["uey"]) != 1 or len(row["usy"]) != 1 or row["vowel"] not in {"0", "1"}:
            raise ConfigError(f"uyghur_alphabet.csv: malformed row {row}")
        letters.append(UyghurLetter(row["uly"], row["uey"], row["usy"], row["vowel"] == "1"))
    if len(letters) != 32:
        raise ConfigError(f"uyghur_alphabet.csv must list 32 letters, found {len(letters)}")
    return tuple(letters)


@cache
def cyrillic_latin() -> dict[str, str]:
    """Kazakh / Russian-style Cyrillic letter -> canonical Latin."""
    return {row["cyrillic"]: row["latin"] for row in _rows("cyrillic.csv")}


@cache
def kazakh_latin() -> dict[str, str]:
    """Kazakh Cyrillic letter -> Kazakh Latin (2021)."""
    return {row["cyrillic"]: row["kazakh_latin"] for row in _rows("cyrillic.csv")}


@dataclass(frozen=True)
class HanSyllable:
    full: tuple[str, ...]
    coda: str


@cache
def han_syllables() -> dict[str, HanSyllable]:
    table: dict[str, HanSyllable] = {}
    for row in _rows("han_syllables.csv"):
        han = row["han"]
        if len(han) != 1 or not row["full"]:
            raise ConfigError(f"han_syllables.csv: malformed row {row}")
        if han in table:
            raise ConfigError(f"han_syllables.csv: {han} listed twice")
        table[han] = HanSyllable(tuple(row["full"].split("|")), row["coda"] or "")
    return table


def _pinyin_pairs(filename: str, key: str, value: str) -> dict[str, str]:
    """A generated table of single characters and their toneless pinyin, one way round."""
    table = {}
    for row in _rows(filename):
        if len(row["han"]) != 1 or not row[key] or not row[value]:
            raise ConfigError(f"{filename}: malformed row {row}")
        table[row[key]] = row[value]
    return table


@cache
def han_syllables_pinyin() -> dict[str, str]:
    """Character of ``han_syllables.csv`` -> its toneless pinyin, as pypinyin reads it
    (generated from pypinyin; ``credible.names.han.table_pinyin``)."""
    return _pinyin_pairs("han_syllables_pinyin.csv", "han", "pinyin")


@cache
def mandarin_syllables() -> dict[str, str]:
    """Toneless Mandarin syllable -> one character read so (generated from pypinyin;
    ``credible.names.han._from_pinyin_outside``)."""
    return _pinyin_pairs("mandarin_syllables.csv", "syllable", "han")


@cache
def han_traditional() -> dict[str, str]:
    """Traditional character -> simplified, for the characters of the transcription tables."""
    table = {}
    for row in _rows("han_traditional.csv"):
        if len(row["traditional"]) != 1 or len(row["simplified"]) != 1:
            raise ConfigError(f"han_traditional.csv: malformed row {row}")
        table[row["traditional"]] = row["simplified"]
    return table


@cache
def han_lookalikes() -> dict[int, str]:
    """CJK radical -> the ideograph it is typed for (a ``str.translate`` table)."""
    table = {}
    for row in _rows("han_lookalikes.csv"):
        if len(row["radical"]) != 1 or len(row["character"]) != 1:
            raise ConfigError(f"han_lookalikes.csv: malformed row {row}")
        table[ord(row["radical"])] = row["character"]
    return table


@cache
def han_names() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for row in _rows("han_names.csv"):
        if not row["han"] or not row["latin"]:
            raise ConfigError(f"han_names.csv: malformed row {row}")
        table[row["han"]] = tuple(v.lower() for v in row["latin"].split("|"))
    return table


@cache
def affixes() -> dict[str, Any]:
    path = resources.files("credible.names") / "data" / "name_affixes.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("honorifics", "kinship", "suffixes"):
        if not isinstance(data.get(key), list):
            raise ConfigError(f"name_affixes.yml needs a list {key!r}")
    return {
        "honorifics": frozenset(data["honorifics"]),
        "kinship": frozenset(data["kinship"]),
        "suffixes": tuple(sorted(set(data["suffixes"]), key=len, reverse=True)),
        "patronymic_suffixes": tuple(data.get("patronymic_suffixes", [])),
        "arabic_script_titles": dict(data.get("arabic_script_titles") or {}),
        "title_classes": _title_classes(data.get("title_classes") or {}, data["honorifics"]),
    }


def _title_classes(table: dict[str, list[str]], honorifics: list[str]) -> dict[str, int]:
    """Latin title -> the bit of its class (at most 16 classes: a bit mask per name)."""
    if len(table) > 16:
        raise ConfigError("name_affixes.yml: at most 16 title_classes")
    out: dict[str, int] = {}
    for i, (cls, forms) in enumerate(table.items()):
        for form in forms:
            if form not in honorifics:
                raise ConfigError(
                    f"name_affixes.yml: title {form!r} of {cls!r} is not an honorific"
                )
            out[form] = 1 << i
    return out
