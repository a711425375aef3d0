"""The few calls linkage makes into ``credible.names``, batched.

Linkage uses only the public API of ``credible.names``. This adapter exists so that the
rest of the package sees one stable, batched interface: it prefers the batched forms
(``romanize_many``, ``name_keys_many``), falls back to mapping the scalar forms, and
normalises what comes back (``None`` for empty input, lower-case strings, lists of keys).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

_names: Any = importlib.import_module("credible.names")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _batched(name_many: str, name_one: str) -> Callable[[list[str]], list[Any]]:
    """The batched call, made once per distinct value: lists repeat names a lot."""
    many = getattr(_names, name_many, None)
    if many is None:
        one = getattr(_names, name_one)

        def many(values: list[str]) -> list[Any]:
            return [one(v) for v in values]

    def call(values: list[str]) -> list[Any]:
        distinct = list(dict.fromkeys(values))
        result = dict(zip(distinct, list(many(distinct)), strict=True))
        return [result[v] for v in values]

    return call


def romanize_many(values: Sequence[object]) -> list[str | None]:
    """Canonical Latin form of each name (or name part); ``None`` where there is none."""
    idx = [i for i, v in enumerate(values) if not _blank(v)]
    out: list[str | None] = [None] * len(values)
    done = _batched("romanize_many", "romanize")([str(values[i]).strip() for i in idx])
    for i, r in zip(idx, done, strict=True):
        text = " ".join(str(r).lower().split()) if r else ""
        out[i] = text or None
    return out


def name_keys_many(values: Sequence[object]) -> list[list[str]]:
    """Blocking keys of each name (or name part); an empty list where there are none."""
    idx = [i for i, v in enumerate(values) if not _blank(v)]
    out: list[list[str]] = [[] for _ in values]
    done = _batched("name_keys_many", "name_keys")([str(values[i]).strip() for i in idx])
    for i, keys in zip(idx, done, strict=True):
        out[i] = [str(k) for k in (keys or []) if k]
    return out


def cross_script_keys(keys: Sequence[Sequence[str]]) -> list[list[str]]:
    """The ``credible.names.cross_script_key`` of every key of each name part."""
    one = _names.cross_script_key
    return [sorted({c for c in (one(k) for k in ks) if c}) for ks in keys]


def split_many(values: Sequence[object]) -> list[list[str]]:
    """Parts of each full name, in written order, via ``credible.names.split_name``."""
    split = getattr(_names, "split_name", None)
    out: list[list[str]] = []
    for v in values:
        if _blank(v):
            out.append([])
            continue
        parts = split(str(v)) if split is not None else str(v).split()
        out.append([_part_text(p) for p in parts if _part_text(p)])
    return out


def _part_text(part: object) -> str:
    # split_name may return plain strings or small objects describing each part.
    for attr in ("text", "value", "part"):
        if hasattr(part, attr):
            return str(getattr(part, attr)).strip()
    return str(part).strip()


def similarity_many(left: Sequence[str], right: Sequence[str]) -> list[float]:
    """``credible.names.name_similarity`` of each pair, in [0, 1]."""
    many = getattr(_names, "name_similarity_many", None)
    if many is not None:
        return [float(v) for v in many(list(left), list(right))]
    one = _names.name_similarity
    return [float(one(a, b)) for a, b in zip(left, right, strict=True)]
