"""Blocking keys that stay affordable at a million records.

A blocking rule scores every pair of records that agree on its columns. With names as
concentrated as Uyghur names are (most people in a list of 100,000 share their full
name with someone), a rule on name keys alone scores ~N²/#names pairs: 7.5 million at
100,000 records, 750 million at a million. So each rule's blocks are capped: a block
larger than ``max_block`` records is split by one more field at a time (county, sex,
birth year, facility) until every part fits, and a part that still does not fit
after every field is left to the other rules. Small blocks — nearly all of them below
100,000 records — are untouched, so the cap changes nothing where it is not needed.

A column written ``county?`` treats an empty value as a value of its own. A term
written ``either_null(n2_rom)`` admits only pairs of which at least one record lacks
that column: a rule on one name part alone is affordable between a record that gives
only one part and the rest, not between every two records whose given names share a
key (seed 5, 10,000 records: 36,000 pairs instead of 236,000 for 167 of the 190 true
pairs). Each rule becomes one key column ``_block<i>`` (an array of keys for rules on
array columns, exploded by Splink), and the Splink rule is equality on it (and the
condition).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

#: Fields that split an oversized block, in order. A record without the field is split
#: off from those that have it, so the first are those that lists nearly always give
#: and give alike for one person: the home county (99 % of simulated true pairs agree
#: on it), then sex, then birth year and facility, which many lists leave out. With sex
#: and birth year first, a million records kept a quarter of their true pairs.
REFINEMENTS = ("residence_county", "sex", "birth_year", "facility_key")


#: A rule term that admits only pairs of which at least one record lacks the column.
EITHER_NULL = re.compile(r"^either_null\((\w+)\)$")


class BlockSpec(NamedTuple):
    """A column rule as Splink runs it: its key column, whether that is an array, and
    the column of which at least one record of an admitted pair lacks a value."""

    column: str
    is_array: bool
    either_null: str | None = None


def block_column(index: int) -> str:
    return f"_block{index}"


def parse_rule(spec: Sequence[str]) -> tuple[list[str], list[str], list[str], str | None]:
    """Columns that must be equal, those of them that are arrays, those in which an
    empty value is a value of its own, and the ``either_null`` column (or None)."""
    conditions = [m.group(1) for c in spec if (m := EITHER_NULL.match(c))]
    if len(conditions) > 1:
        raise ValueError(f"blocking rule {list(spec)}: at most one either_null term")
    terms = [c for c in spec if not EITHER_NULL.match(c)]
    if not terms:
        raise ValueError(f"blocking rule {list(spec)}: no column to be equal")
    arrays = [c[:-2] for c in terms if c.endswith("[]")]
    blank_ok = [c[:-1] for c in terms if c.endswith("?")]
    plain = [c[:-2] if c.endswith("[]") else c.rstrip("?") for c in terms]
    return plain, arrays, blank_ok, conditions[0] if conditions else None


def capped_blocks(
    prepared: pd.DataFrame,
    rules: Sequence[list[str] | str],
    max_block: int | None,
    max_pairs: float | None = None,
) -> tuple[pd.DataFrame, list[BlockSpec | str]]:
    """The key column of each column rule, with oversized blocks split.

    Blocks of more than ``max_block`` records are split; with ``max_pairs``, the cap is
    lowered further (one cap for every rule) until the column rules together score no
    more than ``max_pairs`` pairs, counting a pair once per rule that admits it.

    Returns the key columns (one per column rule, indexed like ``prepared``; keys are
    integers, equal exactly when the rule's values are) and, per rule, either a
    ``BlockSpec`` or the rule's own SQL string (passed through).
    """
    frame = prepared.reset_index(drop=True)
    codes = {f: _codes(frame[f]) for f in REFINEMENTS if f in frame.columns}
    ladders: dict[int, _Ladder] = {}
    for i, spec in enumerate(rules):
        if isinstance(spec, str):
            continue
        plain, arrays, blank_ok, either = parse_rule(spec)
        rows, keys = _rule_keys(frame, plain, arrays, blank_ok)
        flag = None if either is None else frame[either].isna().to_numpy()[rows]
        ladders[i] = _Ladder(rows, keys, codes, plain, bool(arrays), flag)
    cap = _choose_cap(list(ladders.values()), max_block, max_pairs)
    columns: dict[str, Any] = {}
    out: list[BlockSpec | str] = []
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
        out.append(BlockSpec(name, ladder.is_array, parse_rule(spec)[3]))
    return pd.DataFrame(columns, index=prepared.index), out


class _Ladder:
    """A rule's blocks at each level of refinement: the base key, then that key plus
    sex, plus birth year, ... Each level's blocks split the previous level's, so for
    any cap a record takes the first level whose block fits, and the records of one
    block all take the same level.

    With ``flag`` (the records of which at least one must be in a pair), a block's size
    is the size of a block with as many pairs: f flagged and u other records make
    f u + f (f - 1) / 2 pairs."""

    def __init__(
        self,
        rows: np.ndarray,
        keys: np.ndarray,
        codes: dict[str, np.ndarray],
        used: list[str],
        is_array: bool,
        flag: np.ndarray | None = None,
    ) -> None:
        self.rows = rows
        self.is_array = is_array
        self.flag = flag
        self.levels = [keys]
        for field in (f for f in REFINEMENTS if f not in used and f in codes):
            extra = codes[field][rows]
            # An empty field is a value of its own here ("no birth year"), so that
            # records without it still meet each other, in smaller blocks.
            self.levels.append(_combine(self.levels[-1], np.where(extra >= 0, extra, -2) + 2))
        self.sizes = [_sizes(level, flag) for level in self.levels]
        # Each record's share of its block's pairs: a block of size s (of n records)
        # makes s (s - 1) / 2 pairs, n - 1 pair-ends per record without a flag.
        self.shares = [
            size * (size - 1) / 2 / _sizes(level) if len(level) else size.astype(np.float64)
            for level, size in zip(self.levels, self.sizes, strict=True)
        ]

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
        total = 0.0
        for j in range(len(self.sizes)):
            at = chosen == j
            if at.any():
                total += float(self.shares[j][at].sum())
        return round(total)

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


def _sizes(keys: np.ndarray, flag: np.ndarray | None = None) -> np.ndarray:
    """The size of each row's block; keys are dense codes (0..m-1). With ``flag``, the
    size of a block with as many pairs as those of the block with a flagged record."""
    if not len(keys):
        return keys
    n = np.bincount(keys)
    if flag is None:
        return n[keys]
    f = np.bincount(keys, weights=flag.astype(np.float64))
    pairs = f * (n - f) + f * (f - 1) / 2
    # The n with n (n - 1) / 2 = pairs, rounded up.
    size = np.ceil((1 + np.sqrt(1 + 8 * pairs)) / 2).astype(np.int64)
    return np.minimum(size, n)[keys]
