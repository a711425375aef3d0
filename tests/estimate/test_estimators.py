"""Properties of the estimators that do not depend on reference data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.estimate.conftest import MSE_DIR

from credible.estimate import CaptureHistories, fit_chapman, fit_loglinear, read_histories
from credible.estimate.diagnostics import ess, split_rhat
from credible.estimate.loglinear import _fit, n_is_bounded
from credible.estimate.rcapture import all_patterns
from credible.estimate.twolist import chapman_values, lincoln_petersen


def _independent(n: int, probs: list[float], seed: int) -> CaptureHistories:
    rng = np.random.default_rng(seed)
    mat = (rng.random((n, len(probs))) < np.array(probs)).astype(int)
    return CaptureHistories.from_matrix(mat)


def test_chapman_textbook_values() -> None:
    # n1 = 100, n2 = 80, m = 20: Chapman = 101 * 81 / 21 - 1, Lincoln-Petersen = 400
    est, lo, hi = chapman_values(100, 80, 20)
    assert est == pytest.approx(101 * 81 / 21 - 1)
    assert lo < est < hi
    assert lincoln_petersen(100, 80, 20) == 400
    assert math.isinf(lincoln_petersen(10, 10, 0))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.integers(0, 300))
def test_chapman_at_least_observed(n1: int, n2: int, m: int) -> None:
    m = min(m, n1, n2)
    est, lo, hi = chapman_values(n1, n2, m)
    assert est >= n1 + n2 - m - 1e-9
    assert lo <= est <= hi


def _expected_table(n: int, probs: list[float]) -> CaptureHistories:
    """Counts equal to their expectation under independence (no sampling noise)."""
    pats = all_patterns(len(probs))
    p = np.array(probs)
    cell = np.prod(np.where(pats == 1, p, 1 - p), axis=1)
    return CaptureHistories(tuple(f"l{i}" for i in range(len(probs))), pats, np.round(n * cell))


def test_estimators_recover_independent_population() -> None:
    h = _expected_table(100_000, [0.3, 0.4, 0.35, 0.25])
    for est in (fit_chapman(h), fit_loglinear(h)):
        assert est.estimate == pytest.approx(100_000, rel=0.01), est.method
        assert est.lower <= 100_000 <= est.upper


def test_loglinear_detects_nonexistent_mle() -> None:
    # Chan, Silverman & Vincent (2019) Table 2: AB in the model -> no MLE; AC, BC fine.
    h = read_histories(MSE_DIR / "artificial_3_nonexistent_mle.csv").overall
    pats = all_patterns(3)
    y = h.full_table()[1:].astype(float)
    ab, ac, bc = (0, 1), (0, 2), (1, 2)
    assert _fit(pats, y, h.n_observed, ()).reason is None
    assert _fit(pats, y, h.n_observed, (ac,)).reason is None
    assert _fit(pats, y, h.n_observed, (bc,)).reason is None
    assert _fit(pats, y, h.n_observed, (ac, bc)).reason is None
    assert _fit(pats, y, h.n_observed, (ab,)).reason is not None
    assert _fit(pats, y, h.n_observed, (ab, ac)).reason is not None
    assert _fit(pats, y, h.n_observed, (ab, ac, bc)).reason is not None
    best = fit_loglinear(h)
    assert "a:b" not in best.model
    assert best.diagnostics["models_set_aside"] >= 1


def test_n_is_bounded_on_full_data() -> None:
    X = np.column_stack([np.ones(7), all_patterns(3)])
    assert n_is_bounded(X, np.array([5.0, 4, 3, 2, 2, 1, 1]))


def test_rhat_and_ess_behave() -> None:
    rng = np.random.default_rng(0)
    good = rng.standard_normal((4, 2000))
    assert split_rhat(good) < 1.01
    assert ess(good) > 4000
    stuck = good + np.arange(4)[:, None] * 3.0
    assert split_rhat(stuck) > 1.5
    walk = np.cumsum(rng.standard_normal((4, 2000)), axis=1)
    assert ess(walk) < 200


@settings(max_examples=10, deadline=None)
@given(st.permutations([0, 1, 2, 3]))
def test_estimates_do_not_depend_on_list_order(perm: list[int]) -> None:
    from credible.estimate import fit_dga, fit_rcapture

    h = read_histories(MSE_DIR / "rome_hiv.csv").overall
    hp = h.select([h.lists[i] for i in perm])
    assert fit_dga(hp).estimate == fit_dga(h).estimate
    for model in ("Mt", "Mth-Chao", "Mth-Darroch"):
        a = fit_rcapture(h, model, interval=False).estimate
        b = fit_rcapture(hp, model, interval=False).estimate
        assert a == pytest.approx(b, rel=1e-8)
    assert fit_loglinear(hp).estimate == pytest.approx(fit_loglinear(h).estimate, rel=1e-6)
