"""Capped blocking keys: equal keys mean equal rule values; caps and budgets hold."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.linkage.blocking import capped_blocks


def _pairs_of(column: pd.Series, is_array: bool) -> set[tuple[int, int]]:
    values = column.explode() if is_array else column
    values = values.dropna()
    pairs: set[tuple[int, int]] = set()
    for _, members in values.groupby(values).groups.items():
        pairs.update(itertools.combinations(sorted(set(members)), 2))
    return pairs


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = np.array(["MAMAT", "TURSUN", "ABLA", None], dtype=object)
    return pd.DataFrame(
        {
            "k1": rng.choice(names, n, p=[0.5, 0.3, 0.15, 0.05]),
            "keys": [list(rng.choice(names[:3], rng.integers(0, 3))) or None for _ in range(n)],
            "sex": rng.choice(np.array(["m", "f", None], dtype=object), n),
            "birth_year": pd.array(rng.choice([1970, 1980, 1990, None], n), dtype="Int64"),
            "residence_county": rng.choice(np.array(["a", "b", "c"], dtype=object), n),
            "facility_key": rng.choice(np.array(["x", "y", None], dtype=object), n),
        }
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(0, 10_000), st.integers(2, 30))
def test_keys_only_join_records_that_agree_and_blocks_fit_the_cap(n, seed, cap):
    frame = _frame(n, seed)
    keys, rules = capped_blocks(frame, [["k1"], ["keys[]", "sex"]], cap)
    (plain, plain_array), (exploded, exploded_array) = rules
    assert not plain_array and exploded_array
    for a, b in _pairs_of(keys[plain], False):
        assert frame.at[a, "k1"] == frame.at[b, "k1"]
    for a, b in _pairs_of(keys[exploded], True):
        assert set(frame.at[a, "keys"]) & set(frame.at[b, "keys"])
        assert frame.at[a, "sex"] == frame.at[b, "sex"]
    for column, is_array in ((plain, False), (exploded, True)):
        values = keys[column].explode() if is_array else keys[column]
        counts = values.dropna().value_counts()
        assert counts.empty or counts.max() <= cap


def test_small_blocks_are_untouched():
    frame = _frame(50, 1)
    capped, _ = capped_blocks(frame, [["k1"]], 10_000)
    uncapped, _ = capped_blocks(frame, [["k1"]], None)
    assert _pairs_of(capped["_block0"], False) == _pairs_of(uncapped["_block0"], False)
    expected = {
        (a, b)
        for a, b in itertools.combinations(range(50), 2)
        if frame.at[a, "k1"] is not None and frame.at[a, "k1"] == frame.at[b, "k1"]
    }
    assert _pairs_of(capped["_block0"], False) == expected


def test_an_oversized_block_is_split_by_the_next_field_not_dropped():
    frame = pd.DataFrame({"k1": ["MAMAT"] * 6, "sex": ["m", "m", "m", "f", "f", "f"]}, dtype=object)
    keys, _ = capped_blocks(frame, [["k1"]], 3)
    assert _pairs_of(keys["_block0"], False) == {(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)}


def test_the_pair_budget_lowers_the_cap():
    frame = _frame(400, 7)
    keys, _ = capped_blocks(frame, [["k1"]], 1_000, max_pairs=2_000)
    assert len(_pairs_of(keys["_block0"], False)) <= 2_000
    loose, _ = capped_blocks(frame, [["k1"]], 1_000)
    assert len(_pairs_of(loose["_block0"], False)) > 2_000


def test_sql_rules_pass_through():
    keys, rules = capped_blocks(_frame(5, 2), ["l.k1 = r.k1"], 10)
    assert rules == ["l.k1 = r.k1"] and keys.empty
