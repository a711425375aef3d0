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
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from credible.errors import InputError, Problem
from credible.names import parts as _p
from credible.names._tables import affixes
from credible.names.han import HAN_MARK
from credible.names.similarity import (
    EXTRA_PART_WEIGHT,
    MIN_SKELETON,
    Part,
    compiled,
    is_han,
    name_similarity,
    skeleton,
)

K = 4

_part_id: dict[Part, int] = {}
_parts: list[Part] = []
_pair_cache: dict[int, float] = {}
_MAX_CACHE = 1 << 22
_DENSE_MAX_PARTS = 3000
_DENSE_MIN_PAIRS = 20_000
_dense_matrix: np.ndarray | None = None


def _intern(part: Part) -> int:
    pid = _part_id.get(part)
    if pid is None:
        pid = len(_parts)
        _part_id[part] = pid
        _parts.append(part)
    return pid


@lru_cache(maxsize=1 << 18)
def _token_ids(token: str) -> tuple[int, ...] | None:
    """Interned comparable parts of one written part, or None when the whole name must be
    read together (several readings, a suffix written apart, a patronymic)."""
    options = _p.token_readings(token)
    if len(options) != 1:
        return None
    aff = affixes()
    out = []
    for part in options[0]:
        if part[0] in aff["suffixes"] or part[0].endswith(aff["patronymic_suffixes"]):
            return None
        comp = _p.comparable(part)
        if comp:
            out.append(_intern(comp))
    return tuple(out)


@lru_cache(maxsize=1 << 20)
def _name_ids(name: str) -> tuple[tuple[int, ...], bool]:
    ids: tuple[int, ...] = ()
    tokens = _p.split_name(name)
    if len(tokens) >= 2 and _p.surname_join(tokens[0], tokens[1]) is not None:
        readings = compiled(name)  # an extra whole-name reading: the scalar path decides
        return tuple(_intern(p) for p in readings[0]), False
    for token in tokens:
        tid = _token_ids(token)
        if tid is None:
            readings = compiled(name)
            first = tuple(_intern(p) for p in readings[0])
            return first, len(readings) == 1
        ids += tid
    return ids, True


def _encode(names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Part ids (-1 padded) and part counts per name; ``simple``: one reading, 1..K parts."""
    ids = np.full((len(names), K), -1, dtype=np.int64)
    counts = np.zeros(len(names), dtype=np.int64)
    simple = np.zeros(len(names), dtype=bool)
    for i, name in enumerate(names):
        first, single = _name_ids(name)
        n = len(first)
        counts[i] = n
        if single and 1 <= n <= K:
            simple[i] = True
            ids[i, :n] = first
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


def _dense() -> np.ndarray | None:
    """Similarity of every pair of known parts, when there are few enough of them.

    Real name lists reuse a few thousand name parts, so one matrix (built with
    rapidfuzz ``cdist`` over all alternatives, then reduced to the best alternative per
    part) answers every pair by indexing. Rebuilt when new parts have appeared.
    """
    global _dense_matrix
    n_parts = len(_parts)
    if n_parts > _DENSE_MAX_PARTS or n_parts == 0:
        return None
    if _dense_matrix is not None and _dense_matrix.shape[0] == n_parts:
        return _dense_matrix
    keys: list[str] = []
    pens: list[float] = []
    starts: list[int] = []
    han = np.zeros(n_parts, dtype=bool)
    for i, part in enumerate(_parts):
        starts.append(len(keys))
        han[i] = is_han(part)
        for key, pen in part:
            if key != HAN_MARK:
                keys.append(key)
                pens.append(pen)
    if len(keys) > _DENSE_MAX_PARTS:  # bounds memory: a few float64 matrices of this side
        return None
    m = process.cdist(
        keys, keys, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
    )
    owner = np.repeat(np.arange(n_parts), np.diff([*starts, len(keys)]))
    if han.any():
        skel = [skeleton(k) for k in keys]
        ms = process.cdist(
            skel, skel, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
        )
        has = np.array([len(s) >= MIN_SKELETON for s in skel])
        use = (han[owner][:, None] | han[owner][None, :]) & has[:, None] & has[None, :]
        m = np.where(use, np.maximum(m, ms), m)
    pen_arr = np.array(pens)
    m -= pen_arr[:, None]
    m -= pen_arr[None, :]
    idx = np.array(starts, dtype=np.intp)
    dense = np.maximum.reduceat(np.maximum.reduceat(m, idx, axis=0), idx, axis=1)
    np.maximum(dense, 0.0, out=dense)
    _dense_matrix = dense
    return dense


def _scalar_part(pa: Part, pb: Part) -> float:
    from credible.names.similarity import part_similarity

    return part_similarity(pa, pb)


def similarity_many(
    a_names: Sequence[str], b_names: Sequence[str], dense_min_pairs: int = _DENSE_MIN_PAIRS
) -> np.ndarray:
    if len(a_names) != len(b_names):
        raise InputError(
            [
                Problem(
                    "b_names", None, None, f"{len(a_names)} names, as many as a_names", len(b_names)
                )
            ]
        )
    n = len(a_names)
    codes_ab, uniq = pd.factorize(np.array([*a_names, *b_names], dtype=object))
    ia, ib = codes_ab[:n], codes_ab[n:]
    ids, counts, simple = _encode(list(uniq))
    ca, cb = counts[ia], counts[ib]
    fast = simple[ia] & simple[ib] & ((ca == 1) == (cb == 1))
    out = np.zeros(n, dtype=np.float64)
    slow = np.flatnonzero(~fast)
    for i in slow.tolist():
        out[i] = name_similarity(a_names[i], b_names[i])
    f = np.flatnonzero(fast)
    if len(f) == 0:
        return out
    # only as many columns as the longest name in this batch: fewer permutations
    k = int(max(counts[ia[f]].max(), counts[ib[f]].max()))
    A, B = ids[ia[f], :k], ids[ib[f], :k]
    valid = (A[:, :, None] >= 0) & (B[:, None, :] >= 0)
    dense = _dense() if len(f) >= dense_min_pairs else None
    if dense is not None:
        # padding (-1) indexes the last row/column; masked out below
        sims = np.where(valid, dense[A[:, :, None], B[:, None, :]], 0.0)
    else:
        codes = (A[:, :, None] << 32) | np.where(B[:, None, :] >= 0, B[:, None, :], 0)
        uc, inv = np.unique(codes[valid], return_inverse=True)
        sims = np.zeros((len(f), k, k), dtype=np.float64)
        sims[valid] = _pair_similarities(uc)[inv]
    rows = np.arange(k)
    best = np.zeros(len(f), dtype=np.float64)
    for perm in itertools.permutations(range(k)):
        np.maximum(best, sims[:, rows, list(perm)].sum(axis=1), out=best)
    lo = np.minimum(ca[f], cb[f])
    hi = np.maximum(ca[f], cb[f])
    out[f] = np.clip(best / (lo + EXTRA_PART_WEIGHT * (hi - lo)), 0.0, 1.0)
    return out
