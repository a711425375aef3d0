"""dga's bma.cr reproduced on every published dataset with 3 to 5 lists.

Reference values are read from reference.json, produced by
    bma.cr(Y, Nmissing = 0:(10*n), delta = 2^-p, graphs = graphs<p>)   # dga 2.0.2
with the default prior (proportional to 1/N) and uniform weights over graphs.
Tolerance: posterior median within 5%, interval overlapping (the computation is
exact, so in practice they agree to the unit).
"""

from __future__ import annotations

import pytest
from tests.estimate.conftest import MSE_DIR, dataset_names

from credible.estimate import fit_dga, read_histories
from credible.estimate.dga import graph_count


@pytest.mark.parametrize("dataset", dataset_names())
def test_dga_matches_r(reference: dict, dataset: str) -> None:
    ref = reference["datasets"][dataset]["dga"]
    h = read_histories(MSE_DIR / f"{dataset}.csv").overall
    if "skipped" in ref:
        with pytest.raises(Exception, match="3 to 5 lists"):
            fit_dga(h)
        return
    # R call: bma.cr(Y, Nmissing = 0:(10*n), delta = 2^-p, graphs = graphs<p>)
    assert ref["settings"]["delta"] == pytest.approx(2.0**-h.n_lists)
    est = fit_dga(h)
    # the posterior over N is computed exactly: its quantiles are R's, to the person
    assert (est.estimate, est.lower, est.upper) == (ref["median"], ref["q025"], ref["q975"])
    # the computation is exact: the posterior mean agrees to rounding error
    assert est.diagnostics["posterior_mean"] == pytest.approx(ref["mean"], rel=1e-9)
    top = est.diagnostics["top_models"][0]["posterior_prob"]
    assert top == pytest.approx(ref["top_models"][0]["posterior_prob"], abs=1e-9)


def test_decomposable_graph_counts() -> None:
    # Labelled chordal graphs on 3, 4, 5 vertices (OEIS A058862): what dga ships.
    assert [graph_count(p) for p in (3, 4, 5)] == [8, 61, 822]
