"""Vectorised ``name_similarity`` for millions of pairs.

Names are parsed once each (cached), their parts interned to integers, the similarity
of each distinct pair of parts computed once (rapidfuzz ``cpdist`` in C, over both
cores), and the best one-to-one matching of parts found with numpy over all
permutations of up to ``K`` parts. Pairs outside that shape (a one-part name against a
longer one, more than ``K`` parts, several readings of a Chinese name) go through the
scalar function, which defines the result.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from credible.errors import InputError, Problem
from credible.names.similarity import EXTRA_PART_WEIGHT, Part, compiled, name_similarity

K = 4
_PERMS = np.array(list(itertools.permutations(range(K))), dtype=np.intp)

_part_id: dict[Part, int] = {}
_parts: list[Part] = []
_pair_cache: dict[int, float] = {}
_MAX_CACHE = 1 << 22


def _intern(part: Part) -> int:
    pid = _part_id.get(part)
    if pid is None:
        pid = len(_parts)
        _part_id[part] = pid
        _parts.append(part)
    return pid


def _encode(names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Part ids (-1 padded) and part counts per name; ``simple``: one reading, 1..K parts."""
    ids = np.full((len(names), K), -1, dtype=np.int64)
    counts = np.zeros(len(names), dtype=np.int64)
    simple = np.zeros(len(names), dtype=bool)
    for i, name in enumerate(names):
        readings = compiled(name)
        first = readings[0]
        counts[i] = len(first)
        if len(readings) == 1 and 1 <= len(first) <= K:
            simple[i] = True
            ids[i, : len(first)] = [_intern(p) for p in first]
    return ids, counts, simple


def _pair_similarities(codes: np.ndarray) -> np.ndarray:
    """Similarity of each distinct part pair, ``code = id_a * 2**32 + id_b``."""
    out = np.empty(len(codes), dtype=np.float64)
    todo = []
    for i, code in enumerate(codes.tolist()):
        val = _pair_cache.get(code)
        if val is None:
            todo.append(i)
        else:
            out[i] = val
    if not todo:
        return out
    todo_arr = np.array(todo, dtype=np.intp)
    pa = (codes[todo_arr] >> 32).tolist()
    pb = (codes[todo_arr] & 0xFFFFFFFF).tolist()
    single = [len(_parts[a]) == 1 and len(_parts[b]) == 1 for a, b in zip(pa, pb, strict=True)]
    s_idx = [i for i, s in enumerate(single) if s]
    if s_idx:
        ka = [_parts[pa[i]][0][0] for i in s_idx]
        kb = [_parts[pb[i]][0][0] for i in s_idx]
        vals = process.cpdist(
            ka, kb, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
        )
        pen = np.array([_parts[pa[i]][0][1] + _parts[pb[i]][0][1] for i in s_idx])
        out[todo_arr[s_idx]] = np.maximum(vals - pen, 0.0)
    for i, s in enumerate(single):
        if not s:
            out[todo_arr[i]] = _scalar_part(_parts[pa[i]], _parts[pb[i]])
    if len(_pair_cache) < _MAX_CACHE:
        _pair_cache.update(zip(codes[todo_arr].tolist(), out[todo_arr].tolist(), strict=True))
    return out


def _scalar_part(pa: Part, pb: Part) -> float:
    from credible.names.similarity import part_similarity

    return part_similarity(pa, pb)


def similarity_many(a_names: Sequence[str], b_names: Sequence[str]) -> np.ndarray:
    if len(a_names) != len(b_names):
        raise InputError(
            [
                Problem(
                    "b_names", None, None, f"{len(a_names)} names, as many as a_names", len(b_names)
                )
            ]
        )
    n = len(a_names)
    index: dict[str, int] = {}
    ia = np.fromiter((index.setdefault(x, len(index)) for x in a_names), np.int64, n)
    ib = np.fromiter((index.setdefault(x, len(index)) for x in b_names), np.int64, n)
    uniq = list(index)
    ids, counts, simple = _encode(uniq)
    ca, cb = counts[ia], counts[ib]
    fast = simple[ia] & simple[ib] & ((ca == 1) == (cb == 1))
    out = np.zeros(n, dtype=np.float64)
    slow = np.flatnonzero(~fast)
    for i in slow.tolist():
        out[i] = name_similarity(a_names[i], b_names[i])
    f = np.flatnonzero(fast)
    if len(f) == 0:
        return out
    A, B = ids[ia[f]], ids[ib[f]]
    valid = (A[:, :, None] >= 0) & (B[:, None, :] >= 0)
    codes = (A[:, :, None] << 32) | np.where(B[:, None, :] >= 0, B[:, None, :], 0)
    uc, inv = np.unique(codes[valid], return_inverse=True)
    sims = np.zeros((len(f), K, K), dtype=np.float64)
    sims[valid] = _pair_similarities(uc)[inv]
    rows = np.arange(K)
    best = np.zeros(len(f), dtype=np.float64)
    for perm in _PERMS:
        np.maximum(best, sims[:, rows, perm].sum(axis=1), out=best)
    lo = np.minimum(ca[f], cb[f])
    hi = np.maximum(ca[f], cb[f])
    out[f] = np.clip(best / (lo + EXTRA_PART_WEIGHT * (hi - lo)), 0.0, 1.0)
    return out
