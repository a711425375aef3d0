"""Count: multiple systems estimation of how many people were affected.

Public API: capture histories (read, build from linked records), the estimators, a
run over several methods and strata, and its JSON/HTML outputs.
"""

from credible.estimate.dga import fit_dga
from credible.estimate.histories import (
    CaptureHistories,
    HistorySet,
    histories_from_records,
    read_histories,
)
from credible.estimate.lcmcr import fit_lcmcr
from credible.estimate.loglinear import fit_loglinear
from credible.estimate.rcapture import fit_rcapture
from credible.estimate.report import render_html, write_outputs
from credible.estimate.result import METHODS, TOTAL_OF_STRATA, Estimate, EstimationRun
from credible.estimate.run import estimate_from_records, estimate_one, run_estimation
from credible.estimate.stored import estimate_in_store, record_run
from credible.estimate.twolist import fit_chapman, lincoln_petersen

__all__ = [
    "METHODS",
    "TOTAL_OF_STRATA",
    "CaptureHistories",
    "Estimate",
    "EstimationRun",
    "HistorySet",
    "estimate_from_records",
    "estimate_in_store",
    "estimate_one",
    "fit_chapman",
    "fit_dga",
    "fit_lcmcr",
    "fit_loglinear",
    "fit_rcapture",
    "histories_from_records",
    "lincoln_petersen",
    "read_histories",
    "record_run",
    "render_html",
    "run_estimation",
    "write_outputs",
]
