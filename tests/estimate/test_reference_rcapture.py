"""Rcapture's closedp.t models reproduced on every published dataset.

Reference values are read from reference.json, produced by
    closedp.t(X, dfreq = TRUE)        # R 4.2.2, Rcapture 1.4-4
Tolerance: abundance and standard error within 1e-6 (relative), AIC and deviance
within 1e-6 (absolute); the fits match R to about 1e-10. Rcapture's fit-problem flag,
column infoFit of $results, exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tests.estimate.conftest import MSE_DIR, dataset_names

from credible.estimate import fit_rcapture, read_histories
from credible.estimate.glm import fit_poisson
from credible.estimate.rcapture import design, fit_info, observed_table

R_NAMES = {
    "Mt": "Mt",
    "Mth-Chao": "Mth Chao (LB)",
    "Mth-Darroch": "Mth Darroch",
    "Mth-Poisson2": "Mth Poisson2",
}


@pytest.mark.parametrize("dataset", dataset_names())
@pytest.mark.parametrize("model", list(R_NAMES))
def test_rcapture_model_matches_r(reference: dict, dataset: str, model: str) -> None:
    entry = reference["datasets"][dataset]["rcapture"]
    # R call: closedp.t(X, dfreq = TRUE); row R_NAMES[model] of $results
    assert entry["call"] == "closedp.t(X, dfreq = TRUE)"
    ref = entry["requested"][R_NAMES[model]]
    h = read_histories(MSE_DIR / f"{dataset}.csv").overall
    est = fit_rcapture(h, model, interval=False)
    assert est.estimate == pytest.approx(ref["abundance"], rel=1e-6)
    assert est.diagnostics["AIC"] == pytest.approx(ref["AIC"], abs=1e-6)
    assert est.diagnostics["df"] == ref["df"]
    assert est.diagnostics["deviance"] == pytest.approx(ref["deviance"], abs=1e-6)
    # The covariance is R's (weights of the last IRLS step), which the flag's bias uses.
    assert est.diagnostics["stderr"] == pytest.approx(ref["stderr"], rel=1e-6)


@pytest.mark.parametrize("dataset", dataset_names())
@pytest.mark.parametrize("model", list(R_NAMES))
def test_rcapture_fit_problem_flag_matches_r(reference: dict, dataset: str, model: str) -> None:
    # R call: closedp.t(X, dfreq = TRUE)$results[R_NAMES[model], "infoFit"]
    # (0 = no warning; 1 = did not converge or asymptotic bias above 10% of N; on these
    # ten tables R gives only 0 and 1, the 1s all from the bias)
    ref = reference["datasets"][dataset]["rcapture"]["requested"][R_NAMES[model]]
    h = read_histories(MSE_DIR / f"{dataset}.csv").overall
    est = fit_rcapture(h, model, interval=False)
    assert est.diagnostics["info_fit"] == ref["infoFit"]
    flagged = [w for w in est.warnings if "Rcapture infoFit" in w]
    assert len(flagged) == (ref["infoFit"] != 0)


def test_fit_problem_codes_combine_as_rcapture_does() -> None:
    """The codes the datasets do not reach: 2 (rank), 3 (a rate numerically 0), -1, 13."""
    h = read_histories(MSE_DIR / "kosovo_1999.csv").overall
    pats, y = observed_table(h)
    X = design("Mt", pats)
    good = fit_poisson(y, X)
    assert fit_info([good], 0.0, 1000.0) == (0, [])
    assert fit_info([good], 101.0, 1000.0)[0] == 1  # bias above 10% of N
    assert fit_info([good], -101.0, 1000.0)[0] == 1
    assert fit_info([good], 99.0, 1000.0)[0] == 0
    assert fit_info([good], float("nan"), 1000.0)[0] == 0  # R: no bias, no warning
    stopped = fit_poisson(y, X, maxit=2)
    assert not stopped.converged
    assert fit_info([stopped], 0.0, 1000.0)[0] == 1
    aliased = fit_poisson(y, np.column_stack([X, X[:, 1]]))
    assert fit_info([aliased], float("nan"), 1000.0)[0] == 2
    zero = dataclasses.replace(good, fitted_zero=True)
    assert fit_info([zero], 0.0, 1000.0)[0] == 3
    assert fit_info([zero], 500.0, 1000.0)[0] == 13
    # Chao's lower bound: a warning from a fit before an eta was dropped still counts.
    assert fit_info([stopped, good], 0.0, 1000.0)[0] == 1
    assert fit_info([good, dataclasses.replace(good, failed=True)], 0.0, 1000.0)[0] == -1


@pytest.mark.parametrize("dataset", ["kosovo_1999", "rome_hiv", "us_western_site_sex_trafficking"])
def test_profile_interval_contains_estimate(dataset: str) -> None:
    h = read_histories(MSE_DIR / f"{dataset}.csv").overall
    for model in R_NAMES:
        est = fit_rcapture(h, model)
        assert h.n_observed <= est.lower < est.estimate < est.upper
