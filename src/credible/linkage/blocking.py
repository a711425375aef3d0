"""Blocking keys that stay affordable at a million records.

A blocking rule scores every pair of records that agree on its columns. With names as
concentrated as Uyghur names are (most people in a list of 100,000 share their full
name with someone), a rule on name keys alone scores ~N²/#names pairs: 7.5 million at
100,000 records, 750 million at a million. So each rule's blocks are capped: a block
larger than ``max_block`` records is split by one more field at a time (county, sex,
birth year, facility) until every part fits, and a part that still does not fit
after every field is left to the other rules. Small blocks — nearly all of them below
100,000 records — are untouched, so the cap changes nothing where it is not needed.

A column written ``county?`` treats an empty value as a value of its own. Each rule
becomes one key column ``_block<i>`` (an array of keys for rules on array
columns, exploded by Splink), and the Splink rule is plain equality on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Fields that split an oversized block, in order. A record without the field is split
#: off from those that have it, so the first are those that lists nearly always give
#: and give alike for one person: the home county (99 % of simulated true pairs agree
#: on it), then sex, then birth year and facility, which many lists leave out. With sex
#: and birth year first, a million records kept a quarter of their true pairs.
REFINEMENTS = ("residence_county", "sex", "birth_year", "facility_key")


def block_column(index: int) -> str:
    return f"_block{index}"


def capped_blocks(
    prepared: pd.DataFrame,
    rules: Sequence[list[str] | str],
    max_block: int | None,
    max_pairs: float | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, bool] | str]]:
    """The key column of each column rule, with oversized blocks split.

    Blocks of more than ``max_block`` records are split; with ``max_pairs``, the cap is
    lowered further (one cap for every rule) until the column rules together score no
    more than ``max_pairs`` pairs, counting a pair once per rule that admits it.

    Returns the key columns (one per column rule, indexed like ``prepared``; keys are
    integers, equal exactly when the rule's values are) and, per rule, either
    ``(column, is_array)`` or the rule's own SQL string (passed through).
    """
    frame = prepared.reset_index(drop=True)
    codes = {f: _codes(frame[f]) for f in REFINEMENTS if f in frame.columns}
    ladders: dict[int, _Ladder] = {}
    for i, spec in enumerate(rules):
        if isinstance(spec, str):
            continue
        arrays = [c[:-2] for c in spec if c.endswith("[]")]
        blank_ok = [c[:-1] for c in spec if c.endswith("?")]
        plain = [c[:-2] if c.endswith("[]") else c.rstrip("?") for c in spec]
        rows, keys = _rule_keys(frame, plain, arrays, blank_ok)
        ladders[i] = _Ladder(rows, keys, codes, plain, bool(arrays))
    cap = _choose_cap(list(ladders.values()), max_block, max_pairs)
    columns: dict[str, Any] = {}
    out: list[tuple[str, bool] | str] = []
    for i, spec in enumerate(rules):
        if isinstance(spec, str):
            out.append(spec)
            continue
        name = block_column(i)
        ladder = ladders[i]
        rows, keys = ladder.keys(cap)
        if ladder.is_array:
            lists: list[list[int] | None] = [None] * len(frame)
            for row, key in zip(rows.tolist(), keys.tolist(), strict=True):
                held = lists[row]
                if held is None:
                    lists[row] = [key]
                else:
                    held.append(key)
            columns[name] = lists
        else:
            column = pd.array([None] * len(frame), dtype="Int64")
            column[rows] = keys
            columns[name] = column
        out.append((name, ladder.is_array))
    return pd.DataFrame(columns, index=prepared.index), out


class _Ladder:
    """A rule's blocks at each level of refinement: the base key, then that key plus
    sex, plus birth year, ... Each level's blocks split the previous level's, so for
    any cap a record takes the first level whose block fits, and the records of one
    block all take the same level."""

    def __init__(
        self,
        rows: np.ndarray,
        keys: np.ndarray,
        codes: dict[str, np.ndarray],
        used: list[str],
        is_array: bool,
    ) -> None:
        self.rows = rows
        self.is_array = is_array
        self.levels = [keys]
        for field in (f for f in REFINEMENTS if f not in used and f in codes):
            extra = codes[field][rows]
            # An empty field is a value of its own here ("no birth year"), so that
            # records without it still meet each other, in smaller blocks.
            self.levels.append(_combine(self.levels[-1], np.where(extra >= 0, extra, -2) + 2))
        self.sizes = [_sizes(level) for level in self.levels]

    def level_of(self, cap: int | None) -> np.ndarray:
        """The level each row's block is taken at; -1 where none fits."""
        chosen = np.full(len(self.rows), -1, dtype=np.int64)
        if cap is None:
            chosen[:] = 0
            return chosen
        for j in range(len(self.levels) - 1, -1, -1):
            chosen[self.sizes[j] <= cap] = j
        return chosen

    def pairs(self, cap: int | None) -> int:
        chosen = self.level_of(cap)
        total = 0
        for j, size in enumerate(self.sizes):
            at = chosen == j
            if at.any():
                # Each record of a block of n adds n - 1 pair-ends; halve for pairs.
                total += int((size[at] - 1).sum()) // 2
        return total

    def keys(self, cap: int | None) -> tuple[np.ndarray, np.ndarray]:
        chosen = self.level_of(cap)
        keys = np.full(len(self.rows), -1, dtype=np.int64)
        offset = 0
        for j, level in enumerate(self.levels):
            at = chosen == j
            keys[at] = level[at] + offset
            offset += int(level.max()) + 1 if len(level) else 0
        keep = keys >= 0
        return self.rows[keep], keys[keep]


def _choose_cap(
    ladders: list[_Ladder], max_block: int | None, max_pairs: float | None
) -> int | None:
    """The largest cap (at most ``max_block``) under which the rules fit ``max_pairs``."""
    if max_pairs is None or sum(lad.pairs(max_block) for lad in ladders) <= max_pairs:
        return max_block
    low, high = (
        2,
        max_block
        or max((int(s.max()) for lad in ladders for s in lad.sizes[:1] if len(s)), default=2),
    )
    while low < high:
        mid = (low + high + 1) // 2
        if sum(lad.pairs(mid) for lad in ladders) <= max_pairs:
            low = mid
        else:
            high = mid - 1
    return low


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column, -1 where it is empty."""
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64)


def _combine(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """One dense code per distinct (left, right) pair, -1 where either is -1."""
    both = (left >= 0) & (right >= 0)
    out = np.full(len(left), -1, dtype=np.int64)
    if both.any():
        joint = left[both] * (int(right[both].max()) + 1) + right[both]
        out[both] = pd.factorize(joint)[0]
    return out


def _rule_keys(
    frame: pd.DataFrame, cols: list[str], arrays: list[str], blank_ok: Sequence[str] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions and keys: one per record (or per distinct array element).

    Records missing any column of the rule get no key: they cannot agree on it; but in
    a column of ``blank_ok`` (written ``county?`` in a rule) an empty value is a value
    of its own, so that lists which never give it still block on the rest.
    """
    part = frame[cols]
    for col in arrays:
        part = part.explode(col)
    rows = part.index.to_numpy()

    def codes(col: str) -> np.ndarray:
        found = _codes(part[col])
        return (
            np.where(found < 0, int(found.max(initial=-1)) + 1, found) if col in blank_ok else found
        )

    key = codes(cols[0])
    for col in cols[1:]:
        key = _combine(key, codes(col))
    keep = key >= 0
    rows, key = rows[keep], key[keep]
    # A record can reach one key twice through an array; count it once.
    rows = rows.astype(np.int64)
    if not len(rows):
        return rows, key
    first = ~pd.Series(rows * (int(key.max()) + 1) + key).duplicated().to_numpy()
    rows, key = rows[first], key[first]
    return rows, pd.factorize(key)[0].astype(np.int64)


def _sizes(keys: np.ndarray) -> np.ndarray:
    """The size of each row's block; keys are dense codes (0..m-1)."""
    if not len(keys):
        return keys
    return np.bincount(keys)[keys]
