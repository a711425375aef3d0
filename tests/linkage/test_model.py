"""The model's comparisons, checked as data: what Splink is handed."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credible.linkage import LinkSettings
from credible.linkage.model import comparisons, county_size_factor, leave_one_out_tf
from credible.linkage.splink_adapter import comparison_dict


def rendered(settings: LinkSettings, dialect: str) -> list[dict]:
    """The comparisons as Splink renders them for ``dialect``."""
    return [comparison_dict(c, dialect) for c in comparisons(settings)]


#: The one adjustment not on exact agreement: both name parts alike in order (the same
#: name in two scripts or spellings) adjusted by the frequency of the name's keys.
NAME_KEY_LEVEL = ("name", "similar parts, same order", "name_key")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_term_frequency_adjusts_only_agreement_on_its_own_column(dialect):
    # Splink divides a level's u by the frequency of the value both records share. On a
    # level where the records do not agree on that value, the division multiplies the
    # evidence of pairs that disagree (it once sat on "nothing in common").
    adjusted = [
        (comparison["output_column_name"], level)
        for comparison in rendered(LinkSettings(term_frequency=True), dialect)
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    ]
    assert {name for name, _ in adjusted} >= {"name", "detained"}
    for name, level in adjusted:
        key = (name, level["label_for_charts"], level["tf_adjustment_column"])
        if key == NAME_KEY_LEVEL:
            continue
        column = re.escape(level["tf_adjustment_column"])
        assert re.fullmatch(rf"\(?{column}_l = {column}_r\)?", level["sql_condition"]), (
            name,
            level["label_for_charts"],
            level["sql_condition"],
        )


def test_no_term_frequency_when_switched_off():
    for comparison in rendered(LinkSettings(term_frequency=False), "duckdb"):
        assert not any(lv.get("tf_adjustment_column") for lv in comparison["comparison_levels"])


@given(st.lists(st.sampled_from(["Memet", "Tursun", "Aygul", "Ablet", ""]), min_size=2))
def test_leave_one_out_tf_is_the_share_of_the_other_records(names):
    values = pd.Series([*names, None])
    table = leave_one_out_tf(values, "name")
    given_names = [v for v in names if v]
    assert set(table["name"]) == set(given_names)
    for name, tf in zip(table["name"], table["tf_name"], strict=True):
        held = given_names.count(name)
        others = max(len(given_names) - 1, 1)
        # another record than the one that has it: (k - 1) of the other n - 1
        assert tf == pytest.approx(max(held - 1, 1) / others)


@given(
    st.lists(st.sampled_from(["Qaghiliq", "Guma", "Lop", "Chira", None]), min_size=4, max_size=40)
)
def test_county_size_factor_keeps_the_average_evidence_of_a_shared_county(counties: list) -> None:
    """FICTIONAL home counties. Over every pair that shares a county the factor averages
    the share of the records (with a county) whose county another record holds: 1 when
    no county is held once. It moves evidence from large counties to small ones."""
    county = pd.Series(counties, dtype=object)
    codes = county.to_numpy()
    left, right = np.triu_indices(len(counties), k=1)
    shared = np.array(
        [codes[a] is not None and codes[a] == codes[b] for a, b in zip(left, right, strict=True)]
    )
    factor = county_size_factor(county, left, right, np.ones(len(left), dtype=bool))
    assert np.all(factor[~shared] == 1.0)
    if shared.any() and county.nunique() >= 2:
        held = county.dropna().value_counts()
        expected = held[held >= 2].sum() / held.sum()
        assert factor[shared].mean() == pytest.approx(expected)


def test_county_size_factor_weighs_a_small_county_above_a_large_one() -> None:
    """FICTIONAL: two records of a county of 2 against two of a county of 8."""
    county = pd.Series(["Lop"] * 2 + ["Guma"] * 8 + [None], dtype=object)
    left, right = np.array([0, 2, 10, 0]), np.array([1, 3, 10, 2])
    same_home = np.array([True, True, True, True])
    small, large, missing, other = county_size_factor(county, left, right, same_home)
    assert small > 1 > large
    assert missing == other == 1.0
    not_same_home = county_size_factor(county, left, right, ~same_home)
    assert np.all(not_same_home == 1.0)
