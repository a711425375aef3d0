"""Profile-likelihood intervals against Rcapture's printed example output.

Golden numbers from Rcapture's own example run shipped with the package
(cran/Rcapture tests/Examples/Rcapture-Ex.Rout.save; R 2.15.0, Rcapture 1.3),
as printed there (1 decimal). Tolerance: 0.1 in absolute terms, i.e. the printed
rounding.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.estimate.conftest import MSE_DIR

from credible.estimate import CaptureHistories, fit_rcapture, read_histories
from credible.estimate.loglinear import fit_loglinear_model


def test_hiv_mt_with_interaction_1_2() -> None:
    h = read_histories(MSE_DIR / "rome_hiv.csv").overall
    # closedpCI.t(HIV, dfreq=TRUE, mX= ~ . + c1:c2, mname="Mt interaction 1,2")
    #   Poisson estimation: abundance 12318.5, AIC 86.65
    #   95% profile likelihood interval: InfCL 10266, SupCL 14992.3
    est, lo, hi, aic = fit_loglinear_model(h, ((0, 1),))
    assert est == pytest.approx(12318.5, abs=0.1)
    assert aic == pytest.approx(86.65, abs=0.01)
    assert lo == pytest.approx(10266, abs=0.5)
    assert hi == pytest.approx(14992.3, abs=0.1)


def test_hiv_all_two_way_interactions() -> None:
    h = read_histories(MSE_DIR / "rome_hiv.csv").overall
    # closedpCI.t(HIV, dfreq=TRUE, mX= ~ (c1+c2+c3+c4)^2, mname="Mt double interaction")
    #   Poisson estimation: abundance 23443.5, AIC 92.073
    #   95% profile likelihood interval: InfCL 10027.6, SupCL 50046.3
    terms = tuple(itertools.combinations(range(4), 2))
    est, lo, hi, aic = fit_loglinear_model(h, terms)
    assert est == pytest.approx(23443.5, abs=0.1)
    assert aic == pytest.approx(92.073, abs=0.001)
    assert lo == pytest.approx(10027.6, abs=0.1)
    assert hi == pytest.approx(50046.3, abs=0.1)


def test_seber_two_occasions_mt() -> None:
    # Seber (1982) p.107: X <- matrix(c(1,1,167,1,0,781,0,1,254),byrow=TRUE,ncol=3)
    # closedp.t(X, dfreq=TRUE): Mt abundance 2389.9, stderr 130.4, AIC 28.831
    h = CaptureHistories(("a", "b"), np.array([[1, 1], [1, 0], [0, 1]]), np.array([167, 781, 254]))
    est = fit_rcapture(h, "Mt", interval=False)
    assert est.estimate == pytest.approx(2389.9, abs=0.05)
    assert est.diagnostics["stderr"] == pytest.approx(130.4, abs=0.05)
    assert est.diagnostics["AIC"] == pytest.approx(28.831, abs=0.001)
