"""Who is who across sources: Splink (Fellegi–Sunter) on cross-script name features,
clustering into Persons with reviewers' judgements, explanation and evaluation.

The public API (other stages and the front ends use only these names):

Against the store (``credible link``, ``credible review``, the demo):

- ``make_settings(**options)`` -> ``LinkSettings``; ``run_link(store, settings, actor)``
  -> ``LinkRunSummary``: link every person record and store the run;
  ``recluster(store, actor)``: a new run from the stored scores and the judgements;
  ``stored_scores(conn, run_id)``: a run's scored pairs (for estimation's linkage draws).
- ``next_pair(store, reviewer)`` -> ``ReviewPair`` (leased to one reviewer at a time),
  ``decide_leased(store, reviewer, pair_id, decision, note)``;
  ``review_items(store)`` -> ``ReviewItem``s; ``decide(store, actor, a, b, decision)``;
  ``describe(record)``; ``explain(store, a, b)`` -> ``Waterfall``.
- ``evaluate_latest(store, truth_dir)`` -> (run id, ``Metrics``);
  ``export_links(store, fmt, out)``.

On frames of person records (record ids are whole numbers):

- ``LinkSettings``: thresholds, blocking, seed, backend.
- ``prepare_records(df)``: person records -> linkage features (via ``credible.names``).
- ``train_and_predict(prepared, settings, judgements)`` -> ``LinkResult``;
  ``apply_model(model, prepared, ...)``: the same with a stored model, no training.
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
from credible.linkage.explain import Step, Waterfall, comparison_label, explain_pair
from credible.linkage.features import FEATURE_COLUMNS, INPUT_COLUMNS, prepare_records
from credible.linkage.leases import (
    ReviewPair,
    decide_leased,
    lease_next,
    lease_pair,
    next_pair,
    pair_id,
    parse_pair_id,
    release_lease,
    release_leases,
)
from credible.linkage.results import evaluate_latest, export_links
from credible.linkage.review import ReviewItem, decide, describe, explain, review_items
from credible.linkage.service import (
    LinkRunSummary,
    make_settings,
    recluster,
    run_link,
    stored_scores,
)
from credible.linkage.settings import LinkSettings
from credible.linkage.train import (
    LinkageError,
    LinkResult,
    apply_model,
    input_fingerprint,
    review_queue,
    train_and_predict,
)

__all__ = [
    "FEATURE_COLUMNS",
    "INPUT_COLUMNS",
    "ClusterChange",
    "Clustering",
    "Judgement",
    "LinkResult",
    "LinkRunSummary",
    "LinkSettings",
    "LinkageError",
    "Metrics",
    "ReviewItem",
    "ReviewPair",
    "Step",
    "Waterfall",
    "apply_model",
    "cluster_changes",
    "cluster_pairs",
    "comparison_label",
    "decide",
    "decide_leased",
    "describe",
    "evaluate",
    "evaluate_latest",
    "explain",
    "explain_pair",
    "export_links",
    "input_fingerprint",
    "lease_next",
    "lease_pair",
    "live_decisions",
    "load_truth",
    "make_settings",
    "next_pair",
    "pair_id",
    "parse_pair_id",
    "prepare_records",
    "recluster",
    "release_lease",
    "release_leases",
    "review_items",
    "review_queue",
    "run_link",
    "stored_scores",
    "train_and_predict",
]
