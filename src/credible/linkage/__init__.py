"""Who is who across sources: Splink (Fellegi–Sunter) on cross-script name features,
clustering into Persons with reviewers' judgements, explanation and evaluation.

The public API (other stages use only these names):

- ``LinkSettings``: thresholds, blocking, seed, backend.
- ``prepare_records(df)``: person records -> linkage features (via ``credible.names``).
- ``train_and_predict(prepared, settings, judgements)`` -> ``LinkResult``.
- ``Judgement`` and ``cluster_pairs``: append-only review decisions, re-clustering;
  ``cluster_changes``: the merges and splits between two clusterings, for the audit.
- ``review_queue``: the pairs that need a human.
- ``explain_pair(model, record_a, record_b)`` -> ``Waterfall``.
- ``evaluate(clusters, truth)`` -> ``Metrics``.
"""

from credible.linkage.clustering import (
    ClusterChange,
    Clustering,
    Judgement,
    cluster_changes,
    cluster_pairs,
    live_decisions,
)
from credible.linkage.evaluate import Metrics, evaluate, load_truth
from credible.linkage.explain import Step, Waterfall, explain_pair
from credible.linkage.features import FEATURE_COLUMNS, INPUT_COLUMNS, prepare_records
from credible.linkage.settings import LinkSettings
from credible.linkage.train import LinkResult, input_fingerprint, review_queue, train_and_predict

__all__ = [
    "FEATURE_COLUMNS",
    "INPUT_COLUMNS",
    "ClusterChange",
    "Clustering",
    "Judgement",
    "LinkResult",
    "LinkSettings",
    "Metrics",
    "Step",
    "Waterfall",
    "cluster_changes",
    "cluster_pairs",
    "evaluate",
    "explain_pair",
    "input_fingerprint",
    "live_decisions",
    "load_truth",
    "prepare_records",
    "review_queue",
    "train_and_predict",
]
