"""Estimation against the store: capture histories from the latest linkage run, and
every run recorded (methods, strata, seed, input fingerprint, results) so that a
published figure can be traced back to it.

Estimating from a link run carries its uncertainty by default: ``DEFAULT_DRAWS``
linkages are drawn from its stored match probabilities (reviewers' decisions fixed),
and the run stores the fixed-linkage figures beside the combined ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from credible.errors import CredibleError, NotFoundError
from credible.estimate.histories import read_histories
from credible.estimate.linkdraws import ScoredLinkage, decisions_from
from credible.estimate.propagate import estimate_with_draws
from credible.estimate.result import EstimationRun
from credible.estimate.run import run_estimation
from credible.store import (
    Store,
    finish_run,
    latest_run,
    linked_records,
    live_judgements,
    start_run,
)

#: Linkages drawn when estimating from a link run and no number is given.
DEFAULT_DRAWS = 20


def scored_linkage(store: Store) -> ScoredLinkage:
    """The store's latest link run as linkage draws need it: records and their Persons,
    the scored pairs, the reviewers' live decisions and the run's threshold."""
    from credible.linkage import stored_scores

    records = linked_records(store)
    run_id = int(records.attrs["run_id"])
    with store.read() as conn:
        run = latest_run(conn, "link")
        if run is None:  # linked_records found one; a concurrent delete is not possible
            raise NotFoundError("no linkage run in the store yet: run `credible link` first")
        pairs = stored_scores(conn, run_id)
        decisions = decisions_from(
            (j.record_l, j.record_r, j.decision) for j in live_judgements(conn)
        )
    settings = (run.parameters or {}).get("settings", {})
    threshold = float(settings.get("match_threshold", 0.5))
    return ScoredLinkage(records, pairs, threshold, decisions, link_run=run_id)


def estimate_in_store(
    store: Store,
    actor: str,
    methods: Sequence[str] | None = None,
    by: str | None = None,
    seed: int = 0,
    histories: str | None = None,
    linkage_draws: int | None = None,
) -> tuple[EstimationRun, int]:
    """Estimate from ``histories`` (a CSV path) or the store's latest link run; store the run.

    From a link run, ``linkage_draws`` linkages (default ``DEFAULT_DRAWS``; 0 holds the
    linkage fixed) are drawn and combined. A histories file has no linkage to draw.
    """
    link_run: int | None = None
    if linkage_draws is not None and linkage_draws < 0:
        raise CredibleError(f"--linkage-draws must be 0 or more, not {linkage_draws}")
    if histories is None:
        scored = scored_linkage(store)
        link_run = scored.link_run
        draws = DEFAULT_DRAWS if linkage_draws is None else linkage_draws
        run = estimate_with_draws(scored, draws, methods, by, seed)
    else:
        if linkage_draws:
            raise CredibleError(
                "--linkage-draws needs a link run: a histories file has no linkage to draw"
            )
        run = run_estimation(read_histories(histories, by), methods, seed)
    return run, record_run(store, actor, run, link_run=link_run, histories=histories)


def record_run(
    store: Store,
    actor: str,
    run: EstimationRun,
    *,
    link_run: int | None = None,
    histories: str | None = None,
) -> int:
    parameters = {
        "methods": sorted({e.method for e in run.estimates}),
        "by": run.by,
        "settings": run.to_dict()["settings"],
        "link_run": link_run,
        "histories": histories,
        "linkage_draws": int(run.settings.get("linkage_draws", 0)),
    }
    with store.write(actor) as uow:
        run_id = start_run(
            uow, "estimate", "mse", parameters, seed=run.seed, input_fingerprint=run.fingerprint
        )
        finish_run(uow, run_id, run.to_dict())
    return run_id
