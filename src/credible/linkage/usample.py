"""u probabilities from random pairs of records, computed on every core.

Splink forms the cartesian product of a record sample in SQL: a million pairs are every
pair of 1,414 records. Those pairs are not independent (each record is in 1,413 of
them), so a level that a few records reach — a one-part name, a rare spelling — is
counted or missed in bulk: on FEBRL 3 the count of "one part given, and it agrees" in
three such samples of a million pairs was 159, 134 and 349. Here pairs are drawn
independently from every record, so each level's count is binomial and a sample of
``pairs_per_record`` pairs per record (at most ``max_pairs``) gives each level as
many pairs at any size: a level that a record shares with a few others (a namesake, a
duplicate) is reached by about one random pair in ``records``, so its expected count
is about ``pairs_per_record`` times those few. A list with fewer pairs than that is
taken whole.

The pairs are numbered in numpy, in tables of up to ``CHUNK_PAIRS`` rows that the
database splits across its threads, and every comparison is computed in one pass over
each. The sample is drawn from the seed in numpy, so every backend sees the same pairs
and learns the same u.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from credible.linkage import splink_adapter as splink

#: Pairs numbered and scored at a time: 80 MB of indices, whatever ``max_pairs`` is
#: (Splink suggests up to 1e9 for the most precise u).
CHUNK_PAIRS = 5_000_000


def sample_pairs(records: int, max_pairs: float, pairs_per_record: float | None = None) -> int:
    """Random pairs to draw from ``records``: ``pairs_per_record`` per record (None: no
    such bound), at most ``max_pairs``; 0 when that covers every pair (take them all)."""
    wanted = max_pairs if pairs_per_record is None else min(max_pairs, pairs_per_record * records)
    wanted = max(1, math.ceil(wanted))
    return 0 if wanted >= records * (records - 1) // 2 else wanted


def estimate_u(
    linker: Any,
    records: pd.DataFrame,
    max_pairs: float,
    seed: int,
    pairs_per_record: float | None = None,
) -> dict:
    """Set each comparison's u in ``linker`` from random pairs of ``records`` (the frame
    the linker was built on), as Splink's ``estimate_u_using_random_sampling`` would
    but with independent pairs (module docstring); returns what was sampled and how
    many sampled pairs (both values known) fell in each level."""
    db_api = splink.db_api_of(linker)
    n = len(records)
    wanted = sample_pairs(n, max_pairs, pairs_per_record)
    if wanted:
        rng = np.random.default_rng(seed)
        first = rng.integers(0, n, size=wanted)
        other = rng.integers(0, n - 1, size=wanted)
        other += other >= first  # any record but the first: uniform over ordered pairs
        # In record order: the database then reads one side of the pairs in sequence
        # (FEBRL 4, 500,000 pairs: a tenth less CPU); the counts do not depend on it.
        order = np.lexsort((other, first))
        first, other = first[order], other[order]
        rows, inverse = np.unique(np.concatenate([first, other]), return_inverse=True)
        chunks: Iterator[tuple[np.ndarray, np.ndarray]] = _slices(
            inverse[:wanted], inverse[wanted:], CHUNK_PAIRS
        )
        pairs_total = wanted
    else:
        rows = np.arange(n)
        chunks = pair_chunks(n, CHUNK_PAIRS)
        pairs_total = n * (n - 1) // 2
    statements = splink.case_statements(linker)
    columns = splink.compared_columns(linker)
    sample = records.iloc[rows][columns].reset_index(drop=True)
    sample.insert(0, "_i", np.arange(len(rows), dtype=np.int64))
    tag = uuid.uuid4().hex[:8]
    sample_table = db_api.register(sample, dataset_display_name=f"credible_u_sample_{tag}")
    counts: dict[str, pd.Series] = {}
    try:
        for k, (left, right) in enumerate(chunks):
            pairs = db_api.register(
                pd.DataFrame({"il": left, "ir": right}),
                dataset_display_name=f"credible_u_pairs_{tag}_{k}",
            )
            try:
                chunk = _level_counts(linker, statements, columns, sample_table, pairs)
            finally:
                splink.drop_table(pairs)
            for gamma, c in chunk.items():
                counts[gamma] = c if gamma not in counts else counts[gamma].add(c, fill_value=0)
    finally:
        splink.drop_table(sample_table)
    by_level: dict[str, dict[str, int]] = {}
    new_u: dict[str, list[float | None]] = {}
    for comparison in splink.parameters(linker):
        gamma = counts[comparison.gamma_column]
        observed = {int(k): int(v) for k, v in gamma.items() if int(k) != -1}
        total = sum(observed.values())
        levels = by_level[comparison.name] = {}
        for label, value in zip(comparison.labels, comparison.gammas, strict=True):
            levels[label] = observed.get(value, 0)
        # A level no sampled pair reached keeps the u it had, as in Splink.
        new_u[comparison.name] = [
            levels[label] / total if levels[label] > 0 else None for label in comparison.labels
        ]
    splink.set_u(linker, new_u)
    return {
        "records": len(rows),
        "pairs": pairs_total,
        "seed": seed,
        "pairs_by_level": by_level,
    }


def _slices(
    left: np.ndarray, right: np.ndarray, chunk_pairs: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, len(left), chunk_pairs):
        yield left[start : start + chunk_pairs], right[start : start + chunk_pairs]


def pair_chunks(size: int, chunk_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every pair (i, j), i < j < ``size``, in order, in chunks of whole rows i of at
    most ``chunk_pairs`` pairs (a row longer than that is a chunk of its own)."""
    per_row = np.arange(size - 1, 0, -1, dtype=np.int64)  # row i pairs with size - 1 - i
    ends = np.cumsum(per_row)
    first = 0
    while first < size - 1:
        done = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, done + chunk_pairs, side="right")))
        counts = per_row[first:last]
        left = np.repeat(np.arange(first, last, dtype=np.int64), counts)
        place_in_row = np.arange(len(left)) - np.repeat(np.cumsum(counts) - counts, counts)
        yield left, left + 1 + place_in_row
        first = last


def _level_counts(
    linker: Any,
    statements: list[splink.CaseStatement],
    columns: list[str],
    sample: Any,
    pairs: Any,
) -> dict[str, pd.Series]:
    """Pairs at each combination of levels, marginalised per comparison."""
    both_sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns)
    cases = ", ".join(c.sql for c in statements)
    gammas = [c.gamma_column for c in statements]
    sql = (
        f"SELECT {', '.join(gammas)}, count(*) AS n FROM ("
        f"SELECT {cases} FROM ("
        f"SELECT {both_sides} FROM {pairs.physical_name} p "
        f"JOIN {sample.physical_name} l ON l._i = p.il "
        f"JOIN {sample.physical_name} r ON r._i = p.ir)) "
        f"GROUP BY {', '.join(gammas)}"
    )
    joint = linker.misc.query_sql(sql, output_type="pandas")
    return {g: joint.groupby(g)["n"].sum() for g in gammas}
