"""Capture histories: which lists each observed person appears on, in aggregate form.

The aggregate form (one row per pattern of appearance, with a count) is how MSE data
are published and what every estimator here reads. Patterns are stored as a 0/1
matrix over the lists; the all-zero pattern (the people nobody listed) never appears.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from credible.errors import CredibleError, InputError, Problem

COUNT = "count"


@dataclass(frozen=True, eq=False)
class CaptureHistories:
    """Counts of observed people by pattern of appearance on ``lists``.

    ``patterns`` is an (m, J) 0/1 array of distinct, non-zero patterns; ``counts`` the
    number of people with each. Zero counts are dropped: they carry no information for
    any estimator here and would only make the fingerprint depend on how a file was
    written.
    """

    lists: tuple[str, ...]
    patterns: np.ndarray
    counts: np.ndarray
    label: str | None = field(default=None)

    def __post_init__(self) -> None:
        pats = np.asarray(self.patterns, dtype=np.int8).reshape(-1, len(self.lists))
        cnts = np.asarray(self.counts, dtype=np.int64).reshape(-1)
        if pats.shape[0] != cnts.shape[0]:
            raise CredibleError("capture histories: patterns and counts differ in length")
        keep = (cnts > 0) & (pats.sum(axis=1) > 0)
        pats, cnts = pats[keep], cnts[keep]
        # Merge duplicate patterns and sort so that equal data compare and hash equal.
        codes = pats.astype(np.int64) @ (1 << np.arange(len(self.lists), dtype=np.int64))
        uniq, inv = np.unique(codes, return_inverse=True)
        merged = np.bincount(inv, weights=cnts, minlength=len(uniq)).astype(np.int64)
        bits = ((uniq[:, None] >> np.arange(len(self.lists))) & 1).astype(np.int8)
        object.__setattr__(self, "patterns", bits)
        object.__setattr__(self, "counts", merged)
        object.__setattr__(self, "lists", tuple(self.lists))

    # --- basic facts ------------------------------------------------------------------
    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        return int(self.counts.sum())

    def list_sizes(self) -> dict[str, int]:
        sizes = (self.patterns.astype(np.int64) * self.counts[:, None]).sum(axis=0)
        return {name: int(s) for name, s in zip(self.lists, sizes, strict=True)}

    def codes(self) -> np.ndarray:
        """Pattern codes: bit j set when the person is on list j (list 0 = lowest bit)."""
        return self.patterns.astype(np.int64) @ (1 << np.arange(self.n_lists, dtype=np.int64))

    def full_table(self) -> np.ndarray:
        """Counts for every code 0 .. 2^J - 1 (code 0, the unobserved cell, is 0)."""
        table = np.zeros(1 << self.n_lists, dtype=np.int64)
        table[self.codes()] = self.counts
        return table

    def to_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.patterns.astype(int), columns=list(self.lists))
        df[COUNT] = self.counts
        return df

    def fingerprint(self) -> str:
        """sha256 of the canonical table: list names, then sorted patterns with counts."""
        canon = {
            "lists": list(self.lists),
            "rows": [
                ["".join(str(int(v)) for v in p), int(c)]
                for p, c in zip(self.patterns, self.counts, strict=True)
            ],
        }
        payload = json.dumps(canon, separators=(",", ":"), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()

    def select(self, lists: Iterable[str]) -> CaptureHistories:
        """The same people seen through a subset of the lists (people on none drop out)."""
        names = list(lists)
        idx = [self.lists.index(n) for n in names]
        return CaptureHistories(tuple(names), self.patterns[:, idx], self.counts, self.label)

    # --- constructors -----------------------------------------------------------------
    @classmethod
    def from_matrix(
        cls, matrix: np.ndarray, lists: Iterable[str] | None = None, label: str | None = None
    ) -> CaptureHistories:
        """From a people x lists 0/1 matrix (rows of zeros, the unlisted, are dropped)."""
        mat = np.asarray(matrix)
        names = tuple(lists) if lists is not None else _default_names(mat.shape[1])
        return cls(names, mat.astype(np.int8), np.ones(mat.shape[0], dtype=np.int64), label)

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, source: str = "<table>", label: str | None = None
    ) -> CaptureHistories:
        """From a table with one 0/1 column per list and a ``count`` column."""
        problems: list[Problem] = []
        if COUNT not in df.columns:
            raise InputError([Problem(source, None, COUNT, "a 'count' column")])
        lists = [c for c in df.columns if c != COUNT]
        if len(lists) < 2:
            problems.append(Problem(source, None, None, "at least two list columns"))
        for col in [*lists, COUNT]:
            values = pd.to_numeric(df[col], errors="coerce")
            for row in np.flatnonzero(values.isna().to_numpy()):
                problems.append(
                    Problem(source, int(row) + 1, str(col), "a number", df[col].iloc[row])
                )
            ok = values.notna().to_numpy()
            vals = values.to_numpy()
            if col == COUNT:
                bad = ok & ((vals < 0) | (vals != np.floor(vals)))
                expected = "a whole number >= 0"
            else:
                bad = ok & ~np.isin(vals, [0, 1])
                expected = "0 or 1"
            for row in np.flatnonzero(bad):
                problems.append(
                    Problem(source, int(row) + 1, str(col), expected, df[col].iloc[row])
                )
        if problems:
            raise InputError(problems, f"{source}: not a table of capture histories")
        pats = df[lists].to_numpy(dtype=np.int8)
        counts = df[COUNT].to_numpy(dtype=np.int64)
        return cls(tuple(str(c) for c in lists), pats, counts, label)


def _default_names(j: int) -> tuple[str, ...]:
    return tuple(f"list{i + 1}" for i in range(j))


@dataclass(frozen=True)
class HistorySet:
    """The histories overall and, when stratified, one set per stratum (same lists)."""

    overall: CaptureHistories
    strata: Mapping[str, CaptureHistories] = field(default_factory=dict)
    by: str | None = None


def read_histories(path: str | Path, by: str | None = None) -> HistorySet:
    """Read a histories CSV (0/1 column per list + ``count``; optional stratum column ``by``)."""
    p = Path(path)
    if not p.exists():
        raise InputError([Problem(str(p), None, None, "an existing CSV file")])
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem(str(p), None, None, f"a readable CSV ({exc})")]) from exc
    df.columns = [c.strip() for c in df.columns]
    if by is None:
        return HistorySet(CaptureHistories.from_frame(df, str(p)))
    if by not in df.columns:
        raise InputError([Problem(str(p), None, by, f"a stratum column named {by!r}")])
    strata_col = df.pop(by)
    overall = CaptureHistories.from_frame(df, str(p))
    strata = {}
    for value in sorted(strata_col.unique(), key=str):
        part = df[strata_col == value].reset_index(drop=True)
        strata[str(value)] = CaptureHistories.from_frame(part, str(p), label=str(value))
    return HistorySet(overall, strata, by)


def histories_from_records(records: pd.DataFrame, by: str | None = None) -> HistorySet:
    """Capture histories from a per-record table: ``person_id``, ``source`` (+ stratum columns).

    Each row says that ``source`` lists ``person_id`` (several rows for the same pair
    count once). The lists are the distinct sources. When ``by`` is given, a person's
    stratum is their most frequent non-empty value of that column across their records
    (ties broken by sort order), or ``"unknown"`` when none is given.
    """
    missing = [c for c in ("person_id", "source", *([by] if by else [])) if c not in records]
    if missing:
        raise InputError(
            [Problem("<records>", None, c, "a column of the records table") for c in missing]
        )
    df = records.dropna(subset=["person_id", "source"])
    if df.empty:
        raise CredibleError("no records to build capture histories from")
    sources = df["source"].astype(str)
    lists = tuple(sorted(sources.unique()))
    n_lists = len(lists)
    # integer codes throughout: sorting a million string ids is what makes this slow
    pid_code, _ = pd.factorize(df["person_id"].astype(str), sort=False)
    src_code = pd.Categorical(sources, categories=list(lists)).codes.astype(np.int64)
    pairs = np.unique(pid_code.astype(np.int64) * n_lists + src_code)
    n_people = int(pid_code.max()) + 1
    # a person's pattern code is the OR of their sources' bits (the sum, once deduplicated)
    code = np.bincount(
        pairs // n_lists, weights=np.left_shift(1, pairs % n_lists), minlength=n_people
    )
    code = code.astype(np.int64)
    overall = _from_codes(lists, code)
    if by is None:
        return HistorySet(overall)
    stratum = _person_stratum(pid_code, df[by], n_people)
    strata: dict[str, CaptureHistories] = {}
    for value in sorted(set(stratum.tolist())):
        strata[value] = _from_codes(lists, code[stratum == value], label=value)
    return HistorySet(overall, strata, by)


def _from_codes(
    lists: tuple[str, ...], codes: np.ndarray, label: str | None = None
) -> CaptureHistories:
    uniq, counts = np.unique(codes, return_counts=True)
    bits = ((uniq[:, None] >> np.arange(len(lists))) & 1).astype(np.int8)
    return CaptureHistories(lists, bits, counts.astype(np.int64), label)


def _person_stratum(pid_code: np.ndarray, values: pd.Series, n_people: int) -> np.ndarray:
    """Each person's most frequent non-empty value (ties: first in sort order), else 'unknown'."""
    out = np.full(n_people, "unknown", dtype=object)
    text = values.astype(str)
    ok = values.notna().to_numpy() & (text.str.strip() != "").to_numpy()
    if not ok.any():
        return out
    val = text.to_numpy()[ok]
    categories = np.array(sorted(set(val)), dtype=object)
    val_code = np.searchsorted(categories, val)
    n_cat = len(categories)
    key = pid_code[ok].astype(np.int64) * n_cat + val_code
    uniq, counts = np.unique(key, return_counts=True)
    upid, uval = uniq // n_cat, uniq % n_cat
    order = np.lexsort((uval, -counts, upid))  # by person, most frequent, then name
    first = order[np.r_[True, upid[order][1:] != upid[order][:-1]]]
    out[upid[first]] = categories[uval[first]]
    return out
