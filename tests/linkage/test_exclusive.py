"""The list-aware model: a pair weighed against the other candidates in the same lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.linkage import exclusive
from credible.linkage.exclusive import Comparison, PairVectors

ONE = Comparison("name", ("same", "different"), u=np.array([0.01, 0.99]), m=np.array([0.9, 0.1]))


def _vectors(pairs, source, levels):
    left, right = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    return PairVectors(
        left=left,
        right=right,
        levels={"name": np.array(levels, dtype=np.int8)},
        tf_bayes_factor=np.ones(len(pairs)),
        source=np.array(source, dtype=np.int64),
        n_sources=int(max(source)) + 1,
    )


def _p(vectors, odds):
    m = {"name": ONE.m}
    return exclusive.probabilities(vectors, [ONE], m, np.full((2, 2), odds))[0]


def test_rivals_in_the_same_list_share_the_match():
    w = 1e-3 * 90  # odds times the Bayes factor of "same"
    alone = _p(_vectors([(0, 1)], [0, 1], [0]), 1e-3)
    assert alone[0] == pytest.approx(w / (1 + w), rel=1e-5)
    # record 0 of list 0 resembles three records of list 1 equally: at most one is it
    three = _p(_vectors([(0, 1), (0, 2), (0, 3)], [0, 1, 1, 1], [0, 0, 0]), 1e-3)
    assert three == pytest.approx(np.full(3, w / (1 + 3 * w)), rel=1e-5)
    assert three.sum() < 1


def test_duplicates_of_one_person_are_not_rivals():
    # 1 and 2 are one person twice in list 1 (a strong within-list pair): record 0
    # resembling both is not torn between them as it is between strangers.
    odds = 1e-3
    strangers = _p(_vectors([(0, 1), (0, 2)], [0, 1, 1], [0, 0]), odds)
    vectors = PairVectors(
        left=np.array([0, 0, 1]),
        right=np.array([1, 2, 2]),
        levels={"name": np.array([0, 0, 0], dtype=np.int8)},
        tf_bayes_factor=np.array([1.0, 1.0, 1e6]),  # 1 and 2 agree on everything
        source=np.array([0, 1, 1]),
        n_sources=2,
    )
    p = _p(vectors, odds)
    assert p[2] > 0.99
    single = 0.09 / 1.09
    assert p[0] > strangers[0] and p[0] == pytest.approx(single, rel=0.05)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(8, 15), st.integers(0, 1)),
        min_size=1,
        max_size=30,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.floats(1e-4, 0.5),
)
def test_a_record_never_has_more_than_one_match_in_another_list(pairs, odds):
    # records 0-7 are list 0, 8-15 list 1; no within-list pairs, so no duplicates
    vectors = _vectors([(a, b) for a, b, _ in pairs], [0] * 8 + [1] * 8, [g for *_, g in pairs])
    p = _p(vectors, odds)
    assert ((p >= 0) & (p <= 1)).all()
    for side in (vectors.left, vectors.right):
        assert (np.bincount(side, weights=p, minlength=16) < 1).all()


def test_em_recovers_m_and_the_prior_of_the_lists():
    """Two lists drawn from the model itself, every pair compared: 120 people in both,
    180 in one only, five comparisons (with three, 120 matches among 90,000 pairs leave
    the mixture so weakly identified that EM drifts from the truth along a ridge)."""
    rng = np.random.default_rng(5)
    m_true = {
        "x": [0.7, 0.2, 0.1],
        "y": [0.8, 0.2],
        "z": [0.6, 0.3, 0.1],
        "a": [0.9, 0.1],
        "b": [0.5, 0.4, 0.1],
    }
    u = {
        "x": [0.01, 0.09, 0.9],
        "y": [0.1, 0.9],
        "z": [0.05, 0.15, 0.8],
        "a": [0.3, 0.7],
        "b": [0.02, 0.18, 0.8],
    }
    both, only = 120, 180
    n = both + only
    left, right = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    match = (left == right) & (left < both)
    levels = {}
    for name in m_true:
        draw_m = rng.choice(len(m_true[name]), size=len(left), p=m_true[name])
        draw_u = rng.choice(len(u[name]), size=len(left), p=u[name])
        levels[name] = np.where(match, draw_m, draw_u).astype(np.int8)
    vectors = PairVectors(
        left=left,
        right=right + n,
        levels=levels,
        tf_bayes_factor=np.ones(len(left)),
        source=np.array([0] * n + [1] * n),
        n_sources=2,
    )
    # "matches mostly agree", as credible starts EM
    start = [
        Comparison(k, tuple(map(str, range(len(v)))), u=np.array(u[k]), m=np.array(v))
        for k, v in ((k, [0.5] + [0.5 / (len(t) - 1)] * (len(t) - 1)) for k, t in m_true.items())
    ]
    fit = exclusive.fit(
        vectors,
        start,
        np.full((2, 2), 1e-3),
        m_floor=1e-3,
        m_disagree_max=0.5,
        max_iterations=300,
        tolerance=1e-6,
    )
    assert fit.converged
    for name, truth in m_true.items():
        assert fit.m[name] == pytest.approx(truth, abs=0.08), name
    # 120 matches among 300 x 300 pairs: odds 120 / sqrt(300^2 * 180^2)
    assert fit.odds[0, 1] == pytest.approx(120 / 180**2, rel=0.2)
    assert fit.probability[match].mean() > 0.7
    assert fit.probability[~match].mean() < 1e-3
    # calibrated: the expected number of matches is about the number there are
    assert fit.probability.sum() == pytest.approx(match.sum(), rel=0.15)
