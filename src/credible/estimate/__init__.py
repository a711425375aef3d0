"""Count: multiple systems estimation of how many people were affected.

Public API: capture histories (read, build from linked records), the estimators, a
run over several methods and strata, and its JSON/HTML outputs; linkage draws from a
link run's match probabilities and the combination of their estimates (pooled
posterior draws, Rubin's rules), review priorities, a two-list bias correction, and
the correction a split audit supports.
"""

from credible.estimate.dga import fit_dga
from credible.estimate.histories import (
    CaptureHistories,
    HistorySet,
    histories_from_records,
    read_histories,
)
from credible.estimate.lcmcr import fit_lcmcr
from credible.estimate.linkdraws import Decision, ScoredLinkage, draw_linkages
from credible.estimate.loglinear import fit_loglinear
from credible.estimate.pooling import pooled_posterior, rubin
from credible.estimate.propagate import estimate_with_draws, review_priorities, two_list_correction
from credible.estimate.rcapture import fit_rcapture
from credible.estimate.report import render_html, write_outputs
from credible.estimate.result import METHODS, TOTAL_OF_STRATA, Estimate, EstimationRun
from credible.estimate.run import estimate_from_records, estimate_one, run_estimation
from credible.estimate.splitaudit import SplitAudit, correct_draw, split_rate
from credible.estimate.stored import (
    DEFAULT_DRAWS,
    answer_split_audit,
    draw_split_audit,
    estimate_in_store,
    record_run,
    scored_linkage,
    stored_split_audit,
)
from credible.estimate.twolist import fit_chapman, lincoln_petersen

__all__ = [
    "DEFAULT_DRAWS",
    "METHODS",
    "TOTAL_OF_STRATA",
    "CaptureHistories",
    "Decision",
    "Estimate",
    "EstimationRun",
    "HistorySet",
    "ScoredLinkage",
    "SplitAudit",
    "answer_split_audit",
    "correct_draw",
    "draw_linkages",
    "draw_split_audit",
    "estimate_from_records",
    "estimate_in_store",
    "estimate_one",
    "estimate_with_draws",
    "fit_chapman",
    "fit_dga",
    "fit_lcmcr",
    "fit_loglinear",
    "fit_rcapture",
    "histories_from_records",
    "lincoln_petersen",
    "pooled_posterior",
    "read_histories",
    "record_run",
    "render_html",
    "review_priorities",
    "rubin",
    "run_estimation",
    "scored_linkage",
    "split_rate",
    "stored_split_audit",
    "two_list_correction",
    "write_outputs",
]
