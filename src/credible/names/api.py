"""Romanisation, blocking keys, the same-name decision and their explanations."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from credible.names import parts as _parts
from credible.names import script as _script
from credible.names.han import HAN_MARK
from credible.names.latin import canonical_latin
from credible.names.similarity import (
    SAME_NAME_THRESHOLD,
    compiled,
    name_similarity,
    name_similarity_many,
    part_similarity,
)


def _title(word: str) -> str:
    return "-".join(w[:1].upper() + w[1:] for w in word.split("-"))


@lru_cache(maxsize=1 << 18)
def _romanize_token(
    token: str, code: str | None, arabic_name: bool = False, kazakh: bool = False
) -> str:
    reading = _parts.token_readings(token, code, False, arabic_name, kazakh)[0]
    # through canonical_latin once more so that the output is its own fixed point
    text = canonical_latin(" ".join(p[0] for p in reading if p))
    return " ".join(_title(w) for w in text.split())


def romanize(name: str, script: str | None = None) -> str:
    """Canonical Latin form of ``name`` (ULY conventions, title case), any script.

    ``script`` forces a script code for the whole name; by default each part's script
    is detected. Chinese renderings give their most usual reading (see
    ``romanize_candidates``). Idempotent: romanising the result changes nothing.
    """
    if script is not None and script not in _script.SCRIPTS:
        from credible.errors import InputError, Problem

        raise InputError([Problem("script", None, None, ", ".join(_script.SCRIPTS), script)])
    arabic_name = _parts.arabic_spelled(name, script)
    kazakh = _parts.kazakh_spelled(name, script)
    words = [_romanize_token(t, script, arabic_name, kazakh) for t in _parts.split_name(name)]
    return " ".join(w for w in words if w)


def romanize_many(names: Iterable[str], script: str | None = None) -> list[str]:
    """``romanize`` of each name; repeated names and parts are computed once."""
    cache: dict[str, str] = {}
    out = []
    for name in names:
        r = cache.get(name)
        if r is None:
            r = cache[name] = romanize(name, script)
        out.append(r)
    return out


def romanize_candidates(name: str, limit: int = 4) -> list[str]:
    """Ranked romanisations: several for Chinese renderings, one for other scripts."""
    out: list[str] = []
    for reading in _parts.readings(name):
        choices = [[c for c in p if c != HAN_MARK][:limit] for p in reading.parts if p]
        for combo in itertools.islice(itertools.product(*choices), limit * 4):
            text = " ".join(_title(w) for w in combo)
            if text not in out:
                out.append(text)
    return out[:limit]


@lru_cache(maxsize=1 << 16)
def _part_keys(part: tuple[tuple[str, float], ...]) -> frozenset[str]:
    keys: set[str] = set()
    for key, _pen in part[:3]:
        if key == HAN_MARK:
            continue
        keys.add(key)
        skeleton = "".join(ch for ch in key if ch not in "AIUY")[:4]
        if len(skeleton) >= 2:
            keys.add("~" + skeleton)
    return frozenset(keys)


def _keys(name: str, parsed: tuple[tuple[int, ...], bool, int] | None = None) -> list[str]:
    from credible.names import _batch

    ids, single, _ = _batch._name_ids(name) if parsed is None else parsed
    parts = (
        [_batch._parts[i] for i in ids]
        if single
        else [p for reading in compiled(name) for p in reading]
    )
    keys: set[str] = set()
    for part in parts:
        keys |= _part_keys(part)
    return sorted(keys)


def name_keys(name: str, script: str | None = None) -> list[str]:
    """Blocking keys: the phonetic key of every part (and of its suffix-stripped stem and
    its Chinese-reading alternatives), plus each key's consonant skeleton prefixed ``~``.

    Two spellings of one name share at least one key far more often than not; block on
    "shares any key" and let ``name_similarity`` decide.
    """
    if script is not None:
        return _keys(romanize(name, script))
    return _keys(name)


def name_keys_many(names: Iterable[str]) -> list[list[str]]:
    from credible.names import _batch

    names = list(names)
    cache: dict[str, list[str]] = {}
    out = []
    for name, parsed in zip(names, _batch.parsed_many(names), strict=True):
        keys = cache.get(name)
        if keys is None:
            keys = cache[name] = _keys(name, parsed)
        out.append(list(keys))
    return out


def same_name(a: str, b: str, threshold: float = SAME_NAME_THRESHOLD) -> bool:
    """Whether two names are taken to be the same name (``name_similarity >= threshold``)."""
    return name_similarity(a, b) >= threshold


def same_name_many(
    a_names: Sequence[str], b_names: Sequence[str], threshold: float = SAME_NAME_THRESHOLD
) -> np.ndarray:
    return name_similarity_many(a_names, b_names) >= threshold


@dataclass(frozen=True)
class NameExplanation:
    name: str
    script: str
    parts: list[str]
    part_scripts: list[str]
    romanized: str
    candidates: list[str]
    keys: list[str]
    part_keys: list[list[str]] = field(default_factory=list)


def explain(name: str) -> NameExplanation:
    """Everything credible.names derives from one name."""
    written = _parts.split_name(name)
    return NameExplanation(
        name=name,
        script=_script.detect_script(name),
        parts=written,
        part_scripts=[_script.detect_script(p) for p in written],
        romanized=romanize(name),
        candidates=romanize_candidates(name),
        keys=name_keys(name),
        part_keys=[[k for k, _ in part if k != HAN_MARK] for part in compiled(name)[0]],
    )


@dataclass(frozen=True)
class PartMatch:
    a: str
    b: str
    key_a: str
    key_b: str
    similarity: float


@dataclass(frozen=True)
class Comparison:
    a: NameExplanation
    b: NameExplanation
    score: float
    same: bool
    threshold: float
    matches: list[PartMatch]
    unmatched_a: list[str]
    unmatched_b: list[str]


def _best_key(part: tuple[tuple[str, float], ...], other: tuple[tuple[str, float], ...]) -> str:
    """The key of ``part`` that explains its similarity to ``other``."""
    mark = ((HAN_MARK, 0.0),) if part and part[-1][0] == HAN_MARK else ()
    keys = [k for k in part if k[0] != HAN_MARK]
    return max(keys, key=lambda k: part_similarity((k, *mark), other))[0]


def compare(a: str, b: str, threshold: float = SAME_NAME_THRESHOLD) -> Comparison:
    """Score two names and show which parts were matched to which, and how closely."""
    score = name_similarity(a, b)
    ra, rb = _parts.readings(a)[0], _parts.readings(b)[0]
    ca, cb = compiled(a)[0], compiled(b)[0]
    words_a = [p[0] for p in ra.parts if _parts.comparable(p)]
    words_b = [p[0] for p in rb.parts if _parts.comparable(p)]
    pairs = sorted(
        ((part_similarity(pa, pb), i, j) for i, pa in enumerate(ca) for j, pb in enumerate(cb)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches = []
    for sim, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        ka = _best_key(ca[i], cb[j])
        kb = _best_key(cb[j], ca[i])
        matches.append(PartMatch(_title(words_a[i]), _title(words_b[j]), ka, kb, sim))
    return Comparison(
        a=explain(a),
        b=explain(b),
        score=score,
        same=score >= threshold,
        threshold=threshold,
        matches=matches,
        unmatched_a=[_title(w) for i, w in enumerate(words_a) if i not in used_a],
        unmatched_b=[_title(w) for i, w in enumerate(words_b) if i not in used_b],
    )
