"""The few calls linkage makes into ``credible.names``, batched.

Lists repeat names a great deal, so each batched call is made once per distinct value;
what comes back is normalised (``None`` for empty input, lower-case strings, lists of
keys).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from credible import names

T = TypeVar("T")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


#: Answers kept per function, by value: preparing records asks for the same strings
#: again and again (each name part romanised on its own and among all parts, each place
#: three times over), and ``credible.names`` is pure. Dropped whole past the limit.
_MEMO: dict[Callable[..., Any], dict[str, Any]] = {}
_MEMO_LIMIT = 300_000
_UNKNOWN = object()


def _once_each(many: Callable[[list[str]], Sequence[T]], values: list[str]) -> list[T]:
    """``many`` called once on the distinct ``values`` not asked before, its answers
    spread back."""
    known = _MEMO.setdefault(many, {})
    answers: dict[str, Any] = {}  # this call's own: another thread may clear ``known``
    new = []
    for v in dict.fromkeys(values):
        found = known.get(v, _UNKNOWN)
        if found is _UNKNOWN:
            new.append(v)
        else:
            answers[v] = found
    if new:
        computed = dict(zip(new, list(many(new)), strict=True))
        answers.update(computed)
        if len(known) + len(computed) > _MEMO_LIMIT:
            known.clear()
        known.update(computed)
    return [answers[v] for v in values]


def romanize_many(values: Sequence[object]) -> list[str | None]:
    """Canonical Latin form of each name (or name part); ``None`` where there is none."""
    idx = [i for i, v in enumerate(values) if not _blank(v)]
    out: list[str | None] = [None] * len(values)
    done = _once_each(names.romanize_many, [str(values[i]).strip() for i in idx])
    for i, r in zip(idx, done, strict=True):
        text = " ".join(str(r).lower().split()) if r else ""
        out[i] = text or None
    return out


def name_keys_many(values: Sequence[object]) -> list[list[str]]:
    """Blocking keys of each name (or name part); an empty list where there are none."""
    idx = [i for i, v in enumerate(values) if not _blank(v)]
    out: list[list[str]] = [[] for _ in values]
    done = _once_each(names.name_keys_many, [str(values[i]).strip() for i in idx])
    for i, keys in zip(idx, done, strict=True):
        out[i] = [str(k) for k in (keys or []) if k]
    return out


def cross_script_keys(keys: Sequence[Sequence[str]]) -> list[list[str]]:
    """The ``credible.names.cross_script_key`` of every key of each name part."""
    skeleton: dict[str, str] = {}  # keys repeat from record to record: each once
    for ks in keys:
        for k in ks:
            if k not in skeleton:
                skeleton[k] = names.cross_script_key(k)
    return [sorted({c for c in map(skeleton.__getitem__, ks) if c}) for ks in keys]


def split_many(values: Sequence[object]) -> list[list[str]]:
    """Parts of each full name, in written order (``credible.names.split_name``)."""
    out: list[list[str]] = []
    for v in values:
        parts = [] if _blank(v) else names.split_name(str(v))
        out.append([p.strip() for p in parts if p.strip()])
    return out


def similarity_many(left: Sequence[str], right: Sequence[str]) -> list[float]:
    """``credible.names.name_similarity`` of each pair, in [0, 1]."""
    return [float(v) for v in names.name_similarity_many(list(left), list(right))]


def match_level_many(left: Sequence[str], right: Sequence[str]) -> list[float]:
    """``credible.names.name_match_level`` of each pair, as its index into
    ``MATCH_LEVELS`` (0 different, 1 part, 2 same)."""
    return [float(v) for v in names.name_match_level_many(list(left), list(right))]
