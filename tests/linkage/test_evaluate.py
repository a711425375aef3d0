"""Pairwise and B-cubed metrics, checked by hand and by brute force."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.errors import InputError
from credible.linkage import evaluate


def _frame(labels: list[int], col: str) -> pd.DataFrame:
    return pd.DataFrame({"source": "S", "source_row": range(1, len(labels) + 1), col: labels})


def test_hand_computed_example():
    # Truth: {1,2,3} {4,5}; predicted: {1,2} {3,4,5}.
    clusters = _frame([1, 1, 2, 2, 2], "cluster_id")
    truth = _frame([7, 7, 7, 8, 8], "person_id")
    m = evaluate(clusters, truth)
    assert (m.true_pairs, m.predicted_pairs, m.correct_pairs) == (4, 4, 2)
    assert m.pairwise_precision == pytest.approx(0.5)
    assert m.pairwise_recall == pytest.approx(0.5)
    # B-cubed precision: records 1,2 -> 1; 3 -> 1/3; 4,5 -> 2/3.
    assert m.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    # B-cubed recall: 1,2 -> 2/3; 3 -> 1/3; 4,5 -> 1.
    assert m.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)


def test_records_missing_from_one_side_are_an_error():
    with pytest.raises(InputError):
        evaluate(_frame([1, 1], "cluster_id"), _frame([1, 1, 2], "person_id"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30))
def test_pairwise_matches_brute_force(rows):
    predicted = [p for p, _ in rows]
    true = [t for _, t in rows]
    m = evaluate(_frame(predicted, "cluster_id"), _frame(true, "person_id"))
    pairs = list(itertools.combinations(range(len(rows)), 2))
    pp = {(i, j) for i, j in pairs if predicted[i] == predicted[j]}
    tp = {(i, j) for i, j in pairs if true[i] == true[j]}
    assert m.predicted_pairs == len(pp)
    assert m.true_pairs == len(tp)
    assert m.correct_pairs == len(pp & tp)
    assert 0 <= m.bcubed_precision <= 1 and 0 <= m.bcubed_recall <= 1
    if predicted == true:
        assert m.pairwise_f1 == 1 and m.bcubed_f1 == pytest.approx(1)


def test_load_truth_from_a_simulation_folder(tmp_path):
    from credible.linkage import load_truth

    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "records.csv").write_text("source,source_row,person_id\nS,1,7\n")
    assert load_truth(tmp_path).to_dict("records") == [
        {"source": "S", "source_row": 1, "person_id": "7"}
    ]
    with pytest.raises(InputError):
        load_truth(tmp_path / "nothing-here")
