"""Rcapture's closedp.t models reproduced on every published dataset.

Reference values are read from reference.json, produced by
    closedp.t(X, dfreq = TRUE)        # R 4.2.2, Rcapture 1.4-4
Tolerance: abundance within 0.5% (relative), AIC within 0.01 (absolute).
"""

from __future__ import annotations

import pytest
from tests.estimate.conftest import MSE_DIR, dataset_names

from credible.estimate import fit_rcapture, read_histories

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
    assert est.estimate == pytest.approx(ref["abundance"], rel=0.005)
    assert est.diagnostics["AIC"] == pytest.approx(ref["AIC"], abs=0.01)
    assert est.diagnostics["df"] == ref["df"]
    assert est.diagnostics["deviance"] == pytest.approx(ref["deviance"], rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("dataset", ["kosovo_1999", "rome_hiv", "us_western_site_sex_trafficking"])
def test_profile_interval_contains_estimate(dataset: str) -> None:
    h = read_histories(MSE_DIR / f"{dataset}.csv").overall
    for model in R_NAMES:
        est = fit_rcapture(h, model)
        assert h.n_observed <= est.lower < est.estimate < est.upper
