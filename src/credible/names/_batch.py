"""Vectorised ``name_similarity`` for millions of pairs.

Names are parsed once each (cached), their parts interned to integers, the similarity
of each distinct pair of parts computed once (rapidfuzz ``cpdist`` in C, over both
cores for large batches), and the best one-to-one matching of parts found with numpy
over all permutations of up to ``K`` parts. Pairs outside that shape (a one-part name against a
longer one, more than ``K`` parts, several readings of a Chinese name) go through the
scalar function, which defines the result.
"""

from __future__ import annotations

import gc
import itertools
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from credible.errors import InputError, Problem
from credible.names import arabic
from credible.names import parts as _p
from credible.names._tables import affixes
from credible.names.han import HAN_MARK, is_pinyin_syllable
from credible.names.similarity import (
    EXTRA_PART_WEIGHT,
    HAN_MISMATCH_BELOW,
    HAN_MISMATCH_FROM,
    INITIAL_PENALTY,
    JOIN_BELOW,
    JOIN_FLOOR,
    JOIN_LENGTH,
    MIN_SKELETON,
    MISMATCH_BELOW,
    MISMATCH_FROM,
    MISMATCH_SLOPE,
    Part,
    _reading_similarity,
    compiled,
    han_forms,
    initial_class,
    is_han,
    joins_of,
    name_similarity,
    title_mask,
    voiceless_key,
    with_titles,
)

K = 4

_part_id: dict[Part, int] = {}
_parts: list[Part] = []
_pair_cache: dict[int, float] = {}
_MAX_CACHE = 1 << 22
_DENSE_MAX_PARTS = 3000
_DENSE_MIN_PAIRS = 20_000
# rapidfuzz starts a pool of threads on each call with workers=-1: about 100 µs of CPU
# (300 µs of wall clock) per call, where scoring a few dozen pairs takes 4 µs. The
# linkage SQL functions call in with a few pairs at a time, hundreds of times (FEBRL 4's
# u sample: 432 calls, 0.15 of 0.24 CPU s), so a small batch is scored on this thread.
_THREADED_FROM = 10_000


def _workers(pairs: int) -> int:
    return -1 if pairs >= _THREADED_FROM else 1


_dense_matrix: np.ndarray | None = None


_part_initial: list[int] = []
"""Per part id: the class of the first consonant of its first key (``initial_class``, as
a code point; 0 for a vowel), for the single-key parts compared in bulk."""


_part_len: list[int] = []
"""Per part id: the length of its first key (``similarity.join_fits``)."""


_part_voiceless: list[str] = []
"""Per part id: ``similarity.voiceless_key`` of its first key (letters_mismatch)."""


def _intern(part: Part) -> int:
    pid = _part_id.get(part)
    if pid is None:
        pid = len(_parts)
        _part_id[part] = pid
        _parts.append(part)
        first = initial_class(part[0][0]) if part else ""
        _part_initial.append(ord(first) if first else 0)
        _part_len.append(len(part[0][0]) if part else 0)
        _part_voiceless.append(voiceless_key(part[0][0]) if part else "")
    return pid


@lru_cache(maxsize=1 << 18)
def _token_ids(token: str) -> tuple[tuple[int, ...], int] | None:
    """Interned comparable parts of one written part and the bit mask of the titles in
    it, or None when the whole name must be read together (several readings, a suffix
    written apart, a patronymic)."""
    options = _p.token_readings(token)
    if len(options) != 1:
        return None
    aff = affixes()
    classes = aff["title_classes"]
    out = []
    mask = 0
    if arabic.needs_compounds([p[0] for p in options[0] if p]):
        return None  # Abd al-Rahman, ibn ...: the whole name is read together
    for part in options[0]:
        if part[0] in aff["suffixes"] or _p.is_patronymic(part[0]):
            return None
        comp = _p.comparable(part)
        if comp:
            out.append(_intern(comp))
        else:
            for cand in part:
                mask |= classes.get(cand, 0)
    return tuple(out), mask


_TokenInfo = tuple[bool, bool, bool]
_token_info: dict[str, _TokenInfo] = {}
_token_parts: dict[str, tuple[tuple[int, ...], int] | None] = {}
_MAX_TOKENS = 1 << 18


def _info(token: str) -> _TokenInfo:
    """What ``_name_ids`` asks of one written part, computed once per distinct part:
    whether it is a pinyin syllable of the table as written (``han.is_pinyin_syllable``),
    a single syllable with tone marks or number (``parts._syllable``), and a pinyin word
    (``parts._pinyin_word``)."""
    info = _token_info.get(token)
    if info is None:
        if len(_token_info) > _MAX_TOKENS:
            _token_info.clear()
        info = _token_info[token] = (
            is_pinyin_syllable(token),
            _p._syllable(token),
            _p._pinyin_word(token),
        )
    return info


def _parts_of(token: str) -> tuple[tuple[int, ...], int] | None:
    """``_token_ids`` through a plain dict (asked once per part of every new name)."""
    try:
        return _token_parts[token]
    except KeyError:
        if len(_token_parts) > _MAX_TOKENS:
            _token_parts.clear()
        tid = _token_parts[token] = _token_ids(token)
        return tid


def _whole_name(name: str, tokens: list[str], infos: list[_TokenInfo]) -> bool:
    """Whether ``name`` has an extra whole-name reading (a hyphenated part, a pinyin
    surname and given name, syllables written apart, an all-pinyin name), which the
    scalar path scores; ``parts.readings`` adds those readings on the same tests."""
    n = len(tokens)
    if "-" in name and len(compiled(name)) > 1:
        return True
    if n < 2:
        return False
    if infos[0][0] and _p.surname_join(tokens[0], tokens[1]) is not None:
        return True
    if _p.syllable_run_of(i[1] for i in infos):
        return True
    return _p.all_pinyin_of(n, (i[1] for i in infos), (i[2] for i in infos))


def _parse_name(name: str) -> tuple[tuple[int, ...], bool, int]:
    """Interned parts of ``name``, whether the vectorised path can score it, and the bit
    mask of its titles (``similarity.title_mask``). Not cached: the registry keeps it
    per name (``_name_ids`` is the cached form, for one name at a time)."""
    tokens = _p.split_name(name)
    if _whole_name(name, tokens, list(map(_info, tokens))):
        readings = compiled(name)  # an extra whole-name reading: the scalar path decides
        return tuple(_intern(p) for p in readings[0]), False, 0
    if _p.read_together(name):  # Arabic- or Kazakh-spelled: its words are read together
        readings = compiled(name)
        return tuple(_intern(p) for p in readings[0]), len(readings) == 1, title_mask(name)
    ids: tuple[int, ...] = ()
    mask = 0
    for token in tokens:
        tid = _parts_of(token)
        if tid is None:
            readings = compiled(name)
            first = tuple(_intern(p) for p in readings[0])
            return first, len(readings) == 1, title_mask(name)
        ids += tid[0]
        mask |= tid[1]
    return ids, True, mask


_name_ids = lru_cache(maxsize=1 << 16)(_parse_name)


class _Registry:
    """Every name seen so far -> a row of part ids, kept across calls.

    A batch maps its names to rows with C-level dict lookups (``np.fromiter`` over
    ``map``), so a name that was parsed once (in any earlier call) costs a lookup, not a
    parse; new names are parsed once and appended. Cleared when it grows past
    ``MAX_ROWS`` names, to bound memory on endless streams of new names.
    """

    MAX_ROWS = 1 << 23

    def __init__(self) -> None:
        # Held while rows are handed out and the arrays read: the web server calls from
        # several threads, and a row added by one must not be read by another before
        # its arrays have grown (nor after a clear).
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.row_of: dict[str, int] = {}
        self.ids = np.full((0, K), -1, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)
        self.simple = np.zeros(0, dtype=bool)
        self.titles = np.zeros(0, dtype=np.int64)
        # _parse_name of the names whose row cannot hold it (several readings, more than
        # K parts), by row; the others' is their row of ids, count and titles
        self.unfit: dict[int, tuple[tuple[int, ...], bool, int]] = {}

    def rows(self, *batches: Sequence[str]) -> list[np.ndarray]:
        """Row of each name of each batch, parsing and adding the names not seen before.

        The registry is cleared (at the start of a call, so that no row handed out in
        this call goes stale) once it holds more than ``MAX_ROWS`` names.
        """
        if len(self.row_of) > self.MAX_ROWS:
            self.clear()
        got = self.row_of.__getitem__
        out = []
        for b in batches:
            try:  # every name seen before: one C-level lookup per name
                out.append(np.array(list(map(got, b)), dtype=np.int64))
            except KeyError:
                out.append(self._rows_adding(b))
        return out

    def _rows_adding(self, names: Sequence[str]) -> np.ndarray:
        # Parsing allocates millions of small tuples, which triggers full garbage
        # collections that walk every live object (these caches included) again and
        # again; none of these objects form cycles, so collection waits until the end.
        was_enabled = gc.isenabled()
        gc.disable()
        start = len(self.row_of)
        try:
            return self._rows_adding_nogc(names)
        except BaseException:  # a name that cannot be read: no row without its arrays
            for name in list(self.row_of)[start:]:  # in order of insertion
                del self.row_of[name]
            for row in [r for r in self.unfit if r >= start]:
                del self.unfit[row]
            raise
        finally:
            if was_enabled:
                gc.enable()

    def _rows_adding_nogc(self, names: Sequence[str]) -> np.ndarray:
        pad = (-1,) * K
        ids: list[tuple[int, ...]] = []
        counts: list[int] = []
        simple: list[bool] = []
        titles: list[int] = []
        row_of = self.row_of
        get = row_of.get
        out: list[int] = []
        for name in names:
            r = get(name)
            if r is None:
                parsed = _parse_name(name)
                first, single, mask = parsed
                n = len(first)
                ok = single and 1 <= n <= K
                if not ok:
                    self.unfit[len(row_of)] = parsed
                ids.append(first + pad[n:] if ok else pad)
                counts.append(n)
                simple.append(ok)
                titles.append(mask if ok else 0)  # the scalar path has its own
                r = row_of[name] = len(row_of)
            out.append(r)
        if ids:
            self.ids = np.concatenate([self.ids, np.array(ids, dtype=np.int64)])
            self.counts = np.concatenate([self.counts, np.array(counts, dtype=np.int64)])
            self.simple = np.concatenate([self.simple, np.array(simple, dtype=bool)])
            self.titles = np.concatenate([self.titles, np.array(titles, dtype=np.int64)])
        return np.array(out, dtype=np.int64)


_registry = _Registry()


def parsed_many(names: Sequence[str]) -> list[tuple[tuple[int, ...], bool, int]]:
    """``_name_ids`` of each name, through the registry: a name keyed for blocking is
    then parsed already when its pairs are scored."""
    with _registry.lock:
        rows = _registry.rows(names)[0]
        reg = _registry
        ids, counts = reg.ids[rows].tolist(), reg.counts[rows].tolist()
        simple, titles = reg.simple[rows].tolist(), reg.titles[rows].tolist()
        unfit = reg.unfit
    return [
        (tuple(i[:c]), True, t) if s else unfit[r]
        for r, i, c, s, t in zip(rows.tolist(), ids, counts, simple, titles, strict=True)
    ]


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
            ka,
            kb,
            scorer=Levenshtein.normalized_similarity,
            workers=_workers(len(ka)),
            dtype=np.float64,
        )
        pen = np.array([_parts[pa[i]][0][1] + _parts[pb[i]][0][1] for i in s_idx])
        # only the pairs' own parts: converting the whole list (one entry per part known,
        # tens of thousands) cost more than scoring the few pairs of a small batch
        ia = np.array([_part_initial[pa[i]] for i in s_idx])
        ib = np.array([_part_initial[pb[i]] for i in s_idx])
        pen += np.where((ia != ib) & (ia > 0) & (ib > 0), INITIAL_PENALTY, 0.0)
        res = np.maximum(vals - pen, 0.0)
        low = np.flatnonzero((res >= MISMATCH_FROM) & (res < MISMATCH_BELOW))
        if len(low):  # two letter-read parts far apart (similarity.letters_mismatch)
            pv = _part_voiceless
            va = [pv[pa[s_idx[i]]] for i in low.tolist()]
            vb = [pv[pb[s_idx[i]]] for i in low.tolist()]
            v = process.cpdist(
                va,
                vb,
                scorer=Levenshtein.normalized_similarity,
                workers=_workers(len(va)),
                dtype=np.float64,
            )
            res[low] = np.maximum(res[low] - MISMATCH_SLOPE * np.maximum(MISMATCH_BELOW - v, 0), 0)
        out[todo_arr[s_idx]] = res
    for i, s in enumerate(single):
        if not s:
            out[todo_arr[i]] = _scalar_part(_parts[pa[i]], _parts[pb[i]])
    if len(_pair_cache) < _MAX_CACHE:
        _pair_cache.update(zip(codes[todo_arr].tolist(), out[todo_arr].tolist(), strict=True))
    return out


def _dense() -> np.ndarray | None:
    """Similarity of every pair of known parts, when there are few enough of them (with
    a last row and column of zeros, for padding).

    Real name lists reuse a few thousand name parts, so one matrix (built with
    rapidfuzz ``cdist`` over all alternatives, then reduced to the best alternative per
    part) answers every pair by indexing. Rebuilt when new parts have appeared.
    """
    global _dense_matrix
    n_parts = len(_parts)
    if n_parts > _DENSE_MAX_PARTS or n_parts == 0:
        return None
    if _dense_matrix is not None and _dense_matrix.shape[0] == n_parts + 1:
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
    if han.any():  # as similarity.part_similarity: folded keys and their skeletons
        forms = [han_forms(k) for k in keys]
        folded = [f for f, _ in forms]
        skel = [s for _, s in forms]
        mf = process.cdist(
            folded, folded, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
        )
        ms = process.cdist(
            skel, skel, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
        )
        has = np.array([len(s) >= MIN_SKELETON for s in skel])
        pair = han[owner][:, None] | han[owner][None, :]
        use = pair & has[:, None] & has[None, :]
        m = np.where(pair, np.where(use, np.maximum(mf, ms), mf), m)
    # first consonants of different classes (see INITIAL_PENALTY)
    pair_han = han[owner][:, None] | han[owner][None, :]
    differ = np.zeros(m.shape, dtype=bool)
    for is_h in (False, True):
        c = np.array([ord(x) if x else 0 for x in (initial_class(k, is_h) for k in keys)])
        d = (c[:, None] != c[None, :]) & (c > 0)[:, None] & (c > 0)[None, :]
        differ |= d & (pair_han == is_h)
    m = np.where(differ, m - INITIAL_PENALTY, m)
    pen_arr = np.array(pens)
    m -= pen_arr[:, None]
    m -= pen_arr[None, :]
    idx = np.array(starts, dtype=np.intp)
    # one row and column of zeros more: the padding id -1 of a shorter name indexes them
    dense = np.zeros((n_parts + 1, n_parts + 1), dtype=np.float64)
    dense[:n_parts, :n_parts] = np.maximum.reduceat(
        np.maximum.reduceat(m, idx, axis=0), idx, axis=1
    )
    np.maximum(dense, 0.0, out=dense)
    # two letter-read parts far apart (similarity.letters_mismatch)
    voiceless = [voiceless_key(k) for k in keys]
    mv = process.cdist(
        voiceless, voiceless, scorer=Levenshtein.normalized_similarity, workers=-1, dtype=np.float64
    )
    vdense = np.maximum.reduceat(np.maximum.reduceat(mv, idx, axis=0), idx, axis=1)
    letters = ~(han[:, None] | han[None, :])
    block = dense[:n_parts, :n_parts]
    low = letters & (block >= MISMATCH_FROM) & (block < MISMATCH_BELOW)
    block[low] = np.maximum(
        block[low] - MISMATCH_SLOPE * np.maximum(MISMATCH_BELOW - vdense[low], 0.0), 0.0
    )
    low = ~letters & (block >= HAN_MISMATCH_FROM) & (block < HAN_MISMATCH_BELOW)
    block[low] = np.maximum(block[low] - MISMATCH_SLOPE * (HAN_MISMATCH_BELOW - block[low]), 0.0)
    _dense_matrix = dense
    return dense


def _scalar_part(pa: Part, pb: Part) -> float:
    from credible.names.similarity import part_similarity

    return part_similarity(pa, pb)


def _best_assignment(sims: np.ndarray) -> np.ndarray:
    """Largest sum of a one-to-one matching of rows to columns of each (k, k) matrix,
    over all k! permutations, with strided views (no copies of ``sims``)."""
    k = sims.shape[1]
    best: np.ndarray | None = None
    for perm in itertools.permutations(range(k)):
        total = sims[:, 0, perm[0]].copy()
        for i in range(1, k):
            total += sims[:, i, perm[i]]
        best = total if best is None else np.maximum(best, total, out=best)
    assert best is not None
    return best


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
    with _registry.lock:
        ia, ib = _registry.rows(a_names, b_names)
        ids, counts, simple = _registry.ids, _registry.counts, _registry.simple
        titles = _registry.titles
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
    dense = _dense() if len(f) >= dense_min_pairs else None
    if dense is not None:
        sims = dense[A[:, :, None], B[:, None, :]]  # padding (-1) hits the zero row/column
    else:
        valid = (A[:, :, None] >= 0) & (B[:, None, :] >= 0)
        codes = (A[:, :, None] << 32) | np.where(B[:, None, :] >= 0, B[:, None, :], 0)
        uc, inv = np.unique(codes[valid], return_inverse=True)
        sims = np.zeros((len(f), k, k), dtype=np.float64)
        sims[valid] = _pair_similarities(uc)[inv]
    best = _best_assignment(sims)
    lo = np.minimum(ca[f], cb[f])
    hi = np.maximum(ca[f], cb[f])
    out[f] = np.clip(best / (lo + EXTRA_PART_WEIGHT * (hi - lo)), 0.0, 1.0)
    both = titles[ia[f]] & titles[ib[f]]
    for i in np.flatnonzero(both).tolist():  # a title in both names: rare
        j = f[i]
        out[j] = with_titles(out[j], int(ca[j]), int(cb[j]), int(both[i]).bit_count())
    # near pairs of different part counts: the scalar function tries joined parts
    fa, fb = ca[f], cb[f]
    near = (
        (fa != fb)
        & (np.minimum(fa, fb) >= 2)
        & (np.maximum(fa, fb) >= 3)
        & (out[f] >= JOIN_FLOOR)
        & (out[f] < JOIN_BELOW)
    )
    if near.any():
        fits = _join_fits(A[near], B[near], fa[near] > fb[near])
        was_enabled = gc.isenabled()
        gc.disable()  # as when parsing: no collections walking the caches for these
        try:
            for j in f[near][fits].tolist():
                out[j] = _with_joins(
                    (a_names[j], b_names[j]), (ia[j], ib[j]), (ids, counts, titles), float(out[j])
                )
        finally:
            if was_enabled:
                gc.enable()
    return out


def _with_joins(
    names: tuple[str, str],
    rows: tuple[int, int],
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
    score: float,
) -> float:
    """``score`` raised by the joins ``similarity.name_similarity`` tries (both names are
    simple: one reading each, the concatenation of their tokens' readings). ``arrays``:
    the registry's ids, counts and titles as read under its lock."""
    ids, counts, titles = arrays
    (a, _), (ra, rb) = names, rows
    if counts[ra] < counts[rb]:
        a, ra, rb = names[1], rb, ra
    short = tuple(_parts[i] for i in ids[rb, : counts[rb]].tolist())
    shared = int(titles[ra] & titles[rb]).bit_count()
    tokens = _p.split_name(a)
    if _p.read_together(a) or any(_token_ids(t) is None for t in tokens):
        words = _p.readings(a)[0].parts  # read as a whole (cached by the parse)
    else:  # read token by token: the same parts, from the tokens' caches
        words = tuple(p for t in tokens for p in _p.token_readings(t)[0])
    for variant in joins_of(words):
        s = _reading_similarity(variant, short)
        if shared:
            s = with_titles(s, len(variant), len(short), shared)
        score = max(score, s)
    return min(1.0, max(0.0, score))


def _join_fits(A: np.ndarray, B: np.ndarray, a_longer: np.ndarray) -> np.ndarray:
    """``similarity.join_fits`` of each pair of id rows (the shorter name's parts against
    the longer's), in bulk."""
    lengths = np.array([*_part_len, 0])  # the padding id -1 indexes the 0 at the end
    la, lb = lengths[A], lengths[B]
    short = np.where(a_longer[:, None], lb, la)
    long_ = np.where(a_longer[:, None], la, lb)
    valid = np.where(a_longer[:, None], A, B) >= 0
    adj = long_[:, :-1] + long_[:, 1:]
    adj = np.where(valid[:, :-1] & valid[:, 1:], adj, np.iinfo(np.int64).max // 2)
    return short.max(axis=1) >= JOIN_LENGTH * adj.min(axis=1)
