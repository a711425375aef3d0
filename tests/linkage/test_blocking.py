"""Capped blocking keys: equal keys mean equal rule values; caps and budgets hold."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.linkage.blocking import BlockSpec, capped_blocks, parse_rule


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
    (plain, plain_array, _), (exploded, exploded_array, _) = rules
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


def _one_sided(keys: pd.Series, lacks: pd.Series) -> set[tuple[int, int]]:
    return {(a, b) for a, b in _pairs_of(keys, False) if lacks[a] or lacks[b]}


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 80), st.integers(0, 10_000), st.integers(2, 30))
def test_a_one_sided_rule_pairs_records_with_one_that_lacks_the_column(n, seed, cap):
    frame = _frame(n, seed)
    rule = ["k1", "either_null(facility_key)"]
    keys, (spec,) = capped_blocks(frame, [rule], cap)
    assert spec == BlockSpec("_block0", False, "facility_key")
    lacks = frame["facility_key"].isna()
    admitted = _one_sided(keys["_block0"], lacks)
    for a, b in admitted:
        assert frame.at[a, "k1"] == frame.at[b, "k1"]
    # Each block, at whatever level it was taken, admits no more pairs than a block of
    # ``cap`` records would.
    blocks = pd.DataFrame({"key": keys["_block0"], "lacks": lacks}).dropna()
    for _, block in blocks.groupby("key"):
        f = int(block["lacks"].sum())
        assert f * (len(block) - f) + f * (f - 1) // 2 <= cap * (cap - 1) // 2
    # Uncapped, exactly the pairs that agree and have a record without the column.
    whole, _ = capped_blocks(frame, [rule], None)
    expected = {
        (a, b)
        for a, b in itertools.combinations(range(n), 2)
        if frame.at[a, "k1"] is not None
        and frame.at[a, "k1"] == frame.at[b, "k1"]
        and (lacks[a] or lacks[b])
    }
    assert _one_sided(whole["_block0"], lacks) == expected


def test_the_budget_counts_only_the_one_sided_pairs():
    frame = pd.DataFrame({"k1": ["MAMAT"] * 40, "f": [None] * 2 + ["x"] * 38}, dtype=object)
    # 2 records without f: 2 * 38 + 1 = 77 pairs, under a budget of 100; all 40 records
    # would make 780.
    keys, _ = capped_blocks(frame, [["k1", "either_null(f)"]], None, max_pairs=100)
    assert keys["_block0"].nunique() == 1


def test_a_rule_takes_one_either_null_term_and_a_column():
    assert parse_rule(["k[]", "c?", "either_null(n2)"]) == (["k", "c"], ["k"], ["c"], "n2")
    for bad in (["either_null(a)"], ["k", "either_null(a)", "either_null(b)"]):
        try:
            parse_rule(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
