"""The capture model: shape, reproducibility, heterogeneity and dependence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.errors import ConfigError
from credible.simulate import simulate_captures
from credible.simulate.captures import LIST_FORMS

FORMS = [f.key for f in LIST_FORMS]


@settings(max_examples=25, deadline=None)
@given(people=st.integers(0, 400), lists=st.integers(2, 10), seed=st.integers(0, 2**32 - 1))
def test_matrix_is_people_by_lists_of_zero_one(people: int, lists: int, seed: int) -> None:
    m = simulate_captures(people, lists, np.random.default_rng(seed))
    assert m.shape == (people, lists)
    assert set(np.unique(m)) <= {0, 1}
    again = simulate_captures(people, lists, np.random.default_rng(seed))
    assert np.array_equal(m, again)


def test_uncaptured_people_are_included() -> None:
    m = simulate_captures(20_000, 5, np.random.default_rng(1))
    unseen = (m.sum(axis=1) == 0).mean()
    assert 0.05 < unseen < 0.95


def test_lists_out_of_range_are_refused() -> None:
    for k in (1, 11):
        with pytest.raises(ConfigError):
            simulate_captures(10, k, np.random.default_rng(0))
    with pytest.raises(ConfigError):
        simulate_captures(10, 5, np.random.default_rng(0), no_such_option=1)


def _phi(m: np.ndarray, a: int, b: int) -> float:
    return float(np.corrcoef(m[:, a].astype(float), m[:, b].astype(float))[0, 1])


def test_testimony_and_diaspora_share_informants() -> None:
    rng = np.random.default_rng(5)
    m = simulate_captures(60_000, 5, rng)
    t, d, p = FORMS.index("testimony"), FORMS.index("diaspora"), FORMS.index("police")
    # Positive dependence between the two lists fed by the same informants, stronger
    # than between either of them and the police leak.
    assert _phi(m, t, d) > 0.1
    assert _phi(m, t, d) > 2 * abs(_phi(m, t, p))
    flat = simulate_captures(60_000, 5, np.random.default_rng(5), dependence=0, heterogeneity=0)
    assert abs(_phi(flat, t, d)) < 0.02


def test_heterogeneity_overdisperses_capture_counts() -> None:
    """With heterogeneous capture, people caught by many lists are more frequent than a
    homogeneous model with the same per-list rates would give."""
    m = simulate_captures(60_000, 5, np.random.default_rng(9))
    rates = m.mean(axis=0)
    counts = m.sum(axis=1)
    rng = np.random.default_rng(10)
    independent = (rng.random(m.shape) < rates).sum(axis=1)
    assert counts.var() > 1.2 * independent.var()
    assert (counts >= 3).mean() > 1.4 * (independent >= 3).mean()
    assert (counts == 0).mean() > (independent == 0).mean() + 0.02


def test_no_heterogeneity_no_dependence_gives_independent_lists() -> None:
    m = simulate_captures(
        80_000,
        6,
        np.random.default_rng(2),
        heterogeneity=0,
        dependence=0,
        coverage=0,
        ethnic_effect=0,
        rates=[0.3, 0.2, 0.25, 0.1, 0.15, 0.2],
    )
    assert np.allclose(m.mean(axis=0), [0.3, 0.2, 0.25, 0.1, 0.15, 0.2], atol=0.01)
    corr = np.corrcoef(m.T.astype(float))
    assert np.abs(corr[np.triu_indices(6, 1)]).max() < 0.02


def test_kazakh_list_documents_mostly_kazakhs() -> None:
    """The Kazakhstan-based list loads on ethnicity; turning that off lowers its size."""
    k = FORMS.index("kazakh")
    with_tie = simulate_captures(40_000, 5, np.random.default_rng(3))
    without = simulate_captures(40_000, 5, np.random.default_rng(3), ethnic_effect=0)
    assert with_tie[:, k].mean() > 1.5 * without[:, k].mean()
