"""Estimation against the store: capture histories from the latest linkage run, and
every run recorded (methods, strata, seed, input fingerprint, results) so that a
published figure can be traced back to it."""

from __future__ import annotations

from collections.abc import Sequence

from credible.estimate.histories import read_histories
from credible.estimate.result import EstimationRun
from credible.estimate.run import estimate_from_records, run_estimation
from credible.store import Store, finish_run, linked_records, start_run


def estimate_in_store(
    store: Store,
    actor: str,
    methods: Sequence[str] | None = None,
    by: str | None = None,
    seed: int = 0,
    histories: str | None = None,
) -> tuple[EstimationRun, int]:
    """Estimate from ``histories`` (a CSV path) or the store's latest link run; store the run."""
    link_run: int | None = None
    if histories is None:
        records = linked_records(store)
        link_run = int(records.attrs["run_id"])
        run = estimate_from_records(records, methods, by, seed)
    else:
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
    }
    with store.write(actor) as uow:
        run_id = start_run(
            uow, "estimate", "mse", parameters, seed=run.seed, input_fingerprint=run.fingerprint
        )
        finish_run(uow, run_id, run.to_dict())
    return run_id
