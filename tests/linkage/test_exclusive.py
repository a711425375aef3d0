"""The list-aware model: a pair weighed against the other candidates in the same lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
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


def _drawn(m_true, u, left, right, match, source, rng, agree):
    """Pairs whose comparison levels are drawn from m (matches) or u (the rest), and the
    comparisons EM starts from: "matches mostly agree" (``agree`` on the first level),
    as credible starts it."""
    levels = {}
    for name in m_true:
        draw_m = rng.choice(len(m_true[name]), size=len(left), p=m_true[name])
        draw_u = rng.choice(len(u[name]), size=len(left), p=u[name])
        levels[name] = np.where(match, draw_m, draw_u).astype(np.int8)
    vectors = PairVectors(
        left=np.asarray(left, dtype=np.int64),
        right=np.asarray(right, dtype=np.int64),
        levels=levels,
        tf_bayes_factor=np.ones(len(left)),
        source=source,
        n_sources=int(source.max()) + 1,
    )
    start = [
        Comparison(k, tuple(map(str, range(len(t)))), u=np.array(u[k]), m=np.array(v))
        for k, t in m_true.items()
        for v in [[agree] + [(1 - agree) / (len(t) - 1)] * (len(t) - 1)]
    ]
    return vectors, start


def _fit(vectors, start, **limits):
    """EM from prior odds of 1e-3 between every two lists, with a loose cap on outright
    disagreement (these comparisons have no "disagree" levels)."""
    k = vectors.n_sources
    return exclusive.fit(
        vectors, start, np.full((k, k), 1e-3), m_floor=1e-3, m_disagree_max=0.5, **limits
    )


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
    source = np.array([0] * n + [1] * n)
    vectors, start = _drawn(m_true, u, left, right + n, match, source, rng, agree=0.5)
    fit = _fit(vectors, start, max_iterations=300, tolerance=1e-6)
    assert fit.converged
    for name, truth in m_true.items():
        assert fit.m[name] == pytest.approx(truth, abs=0.08), name
    # 120 matches among 300 x 300 pairs: odds 120 / sqrt(300^2 * 180^2)
    assert fit.odds[0, 1] == pytest.approx(120 / 180**2, rel=0.2)
    assert fit.probability[match].mean() > 0.7
    assert fit.probability[~match].mean() < 1e-3
    # calibrated: the expected number of matches is about the number there are
    assert fit.probability.sum() == pytest.approx(match.sum(), rel=0.15)


def _subsets_message(rivals: list[float], beta: float) -> float:
    """The factor's message by brute force: every subset T of the other pairs, a record
    with d duplicates weighted beta^(d - 1) for d >= 1 (0^0 = 1)."""
    from itertools import combinations

    def phi(d: int) -> float:
        return 1.0 if d <= 1 else beta ** (d - 1)

    held, free = 0.0, 0.0
    for size in range(len(rivals) + 1):
        for subset in combinations(rivals, size):
            weight = float(np.prod(subset)) if subset else 1.0
            held += phi(size + 1) * weight  # the pair itself holds, and these
            free += phi(size) * weight  # it does not
    return held / free


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 50), max_size=5), st.floats(0, 1))
@example([2.0, 50.0], 5e-324)  # a subnormal beta once underflowed to a message of 1
def test_the_message_of_a_list_that_repeats_people_sums_every_subset(rivals, beta):
    r = np.array(rivals)
    others = np.array([r.sum() if beta <= exclusive.BETA_FLOOR else np.log1p(beta * r).sum()])
    got = exclusive._message(others, np.array([beta]))[0]
    assert got == pytest.approx(_subsets_message(rivals, beta), rel=1e-9, abs=1e-12)


def _one_list(group_sizes, seed):
    """One list drawn from the model: each person has as many records as group_sizes
    says; every pair within a block of about 60 records compared, three comparisons."""
    rng = np.random.default_rng(seed)
    m_true = {"x": [0.85, 0.1, 0.05], "y": [0.9, 0.1], "z": [0.8, 0.15, 0.05]}
    u = {"x": [0.002, 0.05, 0.948], "y": [0.05, 0.95], "z": [0.01, 0.1, 0.89]}
    person = np.repeat(np.arange(len(group_sizes)), group_sizes)
    block = rng.permutation(len(group_sizes))[person] % max(1, len(group_sizes) // 40)
    left, right = np.triu_indices(len(person), 1)
    left, right = left[block[left] == block[right]], right[block[left] == block[right]]
    match = person[left] == person[right]
    source = np.zeros(len(person), dtype=np.int64)
    vectors, start = _drawn(m_true, u, left, right, match, source, rng, agree=0.6)
    sizes = np.asarray(group_sizes)
    truth = (sizes[sizes >= 3].sum() / sizes[sizes >= 2].sum()) if (sizes >= 2).any() else 0.0
    return vectors, start, match, person, truth


@pytest.mark.parametrize(
    "group_sizes",
    [
        [1] * 300 + [2, 3, 4, 5, 6] * 30,  # most once, some up to six times
        [1] * 60 + [2, 3, 4, 5, 6] * 60,  # most people several times (FEBRL 3)
        [1] * 300 + [2] * 150,  # at most twice
    ],
    ids=["mixed", "mostly-repeated", "at-most-twice"],
)
def test_a_person_listed_many_times_is_not_their_own_rival(group_sizes):
    vectors, start, match, person, truth = _one_list(group_sizes, seed=8)
    fit = _fit(vectors, start, max_iterations=200, tolerance=1e-5)
    assert fit.converged
    # The list's continuation probability (of the records with a duplicate, the share
    # with two or more) is estimated from the data: near the truth, 0 for a list that
    # names each person at most twice.
    assert fit.repeat[0] == pytest.approx(truth, abs=0.1), (fit.repeat, truth)
    p, settled = exclusive.probabilities(vectors, start, fit.m, fit.odds, repeat=fit.repeat)
    assert settled
    size = np.bincount(person)[person[vectors.left]]
    means = {int(k): p[match & (size == k)].mean() for k in np.unique(size[match])}
    # The true pairs of a person listed six times are about as likely as those of a
    # person listed twice (a group of 2 has few pairs here: its mean is noisy). Under
    # "at most one duplicate" (repeat 0) they fell to 0.2 here, and to 0.3 in FEBRL 3.
    assert min(means.values()) >= 0.75, means
    assert means[max(means)] >= means[2] - 0.15, means
    found, wrong = (p[match] >= 0.5).sum(), (p[~match] >= 0.5).sum()
    assert 2 * found / (match.sum() + found + wrong) >= 0.9
