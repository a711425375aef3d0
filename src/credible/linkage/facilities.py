"""Detention facility names in any script -> (place, kind, number).

Lists name the same camp 墨玉县第1职业技能教育培训中心, "Karakax No. 1 Vocational Skills
Education and Training Centre", "Qaraqash 1-kespiy maharet terbiyilesh merkizi" or
"Қарақаш 1-лагері". No string measure sees these as one name, but each says three things
that survive translation: where the place is (a county or prefecture, which the county
gazetteer in ``places`` resolves across scripts), what kind of place it is (camp,
detention centre, prison, industrial park; words in ``data/facility_kinds.yml``) and its
number. Two records naming the same county, kind and number name the same facility.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from credible.linkage import _names
from credible.linkage.places import county_ids, text_of

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# 第N, N号: the number of a facility in a Chinese name.
_HAN_NUMBER = re.compile(r"第\s*([0-9一二两三四五六七八九十]+)|([0-9一二两三四五六七八九十]+)\s*号")
# "No. 3", "№ 3", "#3", "3-" (Uyghur and Kazakh ordinals), or a bare number.
_LATIN_NUMBER = re.compile(r"(?:\bno\b\.?|№|#)?\s*(\d+)")
# Words that only say "number" or "the", left out of the place.
_FILLER = {"no", "number", "nomer", "nomur", "nomuri", "the", "of", "n"}


@dataclass(frozen=True)
class FacilityKey:
    """What a facility name says: place (gazetteer id or spelling), kind and number."""

    place: str | None
    kind: str | None
    number: int | None

    @property
    def key(self) -> str | None:
        """One string for "the same facility"; None unless place, kind and number are known."""
        if self.place is None or self.kind is None or self.number is None:
            return None
        return f"{self.place}|{self.kind}|{self.number}"


@lru_cache(maxsize=1)
def _kinds() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    text = resources.files("credible.linkage").joinpath("data/facility_kinds.yml").read_text()
    data = yaml.safe_load(text)
    return [
        (kind, tuple(words.get("han", [])), tuple(_fold(w) for w in words.get("latin", [])))
        for kind, words in data.items()
    ]


def _fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces: "Türmisi" -> "turmisi"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _han_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:  # 十二 = 12, 二十 = 20, 二十三 = 23
        tens, _, units = text.partition("十")
        return _HAN_DIGITS.get(tens, 1) * 10 + _HAN_DIGITS.get(units, 0)
    return _HAN_DIGITS.get(text) if len(text) == 1 else None


def _kind_of(han: str, folded: str) -> tuple[str | None, int]:
    """The kind and where its word starts (len of the text when there is none)."""
    padded = f" {folded} "
    for kind, han_words, latin_words in _kinds():
        for w in han_words:
            at = han.find(w) if han else -1
            if at >= 0:
                return kind, at
        for w in latin_words:
            at = padded.find(f" {w}")
            if at >= 0:
                return kind, max(at - 1, 0)
    return None, len(han or folded)


def _parse_han(text: str) -> tuple[str, str | None, int | None]:
    kind, kind_at = _kind_of(text, "")
    number = None
    place_end = kind_at
    match = _HAN_NUMBER.search(text)
    if match:
        number = _han_int(match.group(1) or match.group(2))
        place_end = min(place_end, match.start())
    return text[:place_end].strip(), kind, number


def _parse_latin(romanised: str) -> tuple[str, str | None, int | None]:
    folded = _fold(romanised)
    kind, kind_at = _kind_of("", folded)
    number = None
    place_end = kind_at
    match = _LATIN_NUMBER.search(folded)
    if match:
        number = int(match.group(1))
        place_end = min(place_end, match.start())
    words = [w for w in folded[:place_end].split() if w not in _FILLER]
    return " ".join(words), kind, number


def facility_keys(values: Sequence[object]) -> list[FacilityKey | None]:
    """What each facility name says; ``None`` for an empty value.

    The place is the county gazetteer's id where the words before the number (or the
    kind) name a known county or city, else the romanised spelling of those words.
    """
    # Lists name a few hundred facilities over millions of rows: parse each once.
    distinct = list(dict.fromkeys(text_of(v) for v in values))
    parsed = dict(zip(distinct, _facility_keys(distinct), strict=True))
    return [parsed[text_of(v)] for v in values]


def _facility_keys(values: list[str]) -> list[FacilityKey | None]:
    out: list[FacilityKey | None] = [None] * len(values)
    parsed: dict[int, tuple[str, str | None, int | None]] = {}
    latin_at = [i for i, v in enumerate(values) if text_of(v) and not _HAN.search(text_of(v))]
    romanised = _names.romanize_many([text_of(values[i]) for i in latin_at])
    for i, rom in zip(latin_at, romanised, strict=True):
        # Digits are the same in every script; take them from the text as written when
        # romanising lost them.
        text = rom or ""
        if not re.search(r"\d", text):
            digits = re.findall(r"\d+", unicodedata.normalize("NFKC", text_of(values[i])))
            text = f"{text} {digits[0]}" if digits else text
        parsed[i] = _parse_latin(text)
    for i, v in enumerate(values):
        if text_of(v) and _HAN.search(text_of(v)):
            parsed[i] = _parse_han(unicodedata.normalize("NFKC", text_of(v)))
    indices = list(parsed)
    places = [parsed[i][0] or None for i in indices]
    counties = county_ids(list(places))
    for i, place, county in zip(indices, places, counties, strict=True):
        _, kind, number = parsed[i]
        spelled = _spelling(place)
        out[i] = FacilityKey(county or spelled, kind, number)
    return out


def _spelling(place: str | None) -> str | None:
    """A place the gazetteer does not know, by its first name key: survives respelling."""
    if not place:
        return None
    keys = _names.name_keys_many([place])[0]
    return f"~{keys[0]}" if keys else None
