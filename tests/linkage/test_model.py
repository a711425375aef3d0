"""The model's comparisons, checked as data: what Splink is handed."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credible.linkage import LinkSettings
from credible.linkage.model import comparisons, leave_one_out_tf
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
