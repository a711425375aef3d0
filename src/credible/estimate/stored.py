"""Estimation against the store: capture histories from the latest linkage run, and
every run recorded (methods, strata, seed, input fingerprint, results) so that a
published figure can be traced back to it.

Estimating from a link run carries its uncertainty by default: ``DEFAULT_DRAWS``
linkages are drawn from its stored match probabilities (reviewers' decisions fixed),
and the run stores the fixed-linkage figures beside the combined ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select

from credible.errors import CredibleError, NotFoundError
from credible.estimate.histories import read_histories
from credible.estimate.linkdraws import ScoredLinkage, decisions_from
from credible.estimate.propagate import estimate_with_draws
from credible.estimate.result import EstimationRun
from credible.estimate.run import run_estimation
from credible.estimate.splitaudit import DEFAULT_SIZE, SplitAudit, draw_sample, one_list_persons
from credible.store import (
    Store,
    add_audit_answer,
    finish_run,
    latest_run,
    linked_records,
    live_audit_answers,
    live_judgements,
    schema,
    start_run,
)

#: The run stage of a split audit's sample.
AUDIT_STAGE = "split-audit"

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
        audit = stored_split_audit(store)
        run = estimate_with_draws(scored, draws, methods, by, seed, audit=audit)
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


def stored_split_audit(store: Store) -> SplitAudit | None:
    """The store's latest split audit with its live answers, or None."""
    with store.read() as conn:
        run = latest_run(conn, AUDIT_STAGE)
        if run is None:
            return None
        answers = live_audit_answers(conn, run.id)
    params, results = run.parameters or {}, run.results or {}
    return SplitAudit(
        sample=tuple(int(r) for r in results.get("sample", [])),
        answers=answers,
        link_run=params.get("link_run"),
        audit_run=run.id,
        frame=params.get("one_list_persons"),
    )


def draw_split_audit(
    store: Store, actor: str, size: int = DEFAULT_SIZE, seed: int = 0, new: bool = False
) -> tuple[int, SplitAudit]:
    """Draw a split audit's sample from the latest link run's one-list Persons and store
    it as a run. A sample is drawn once: with one already stored this refuses unless
    ``new`` (the earlier audit and its answers stay in the store, and the run says
    which one it replaces)."""
    earlier = stored_split_audit(store)
    if earlier is not None and not new:
        raise CredibleError(
            f"a split audit is already drawn (run {earlier.audit_run}, "
            f"{earlier.answered()} of {len(earlier.sample)} answered): answer it, or pass "
            "--new to draw another (the first stays on record)"
        )
    records = linked_records(store)
    link_run = int(records.attrs["run_id"])
    sample = draw_sample(records, size, np.random.default_rng([seed, 0xA0D1]))
    params: dict[str, Any] = {
        "link_run": link_run,
        "size": size,
        "one_list_persons": len(one_list_persons(records)),
        "design": "uniform without replacement among Persons seen on exactly one list",
        "replaces": earlier.audit_run if earlier is not None else None,
    }
    with store.write(actor) as uow:
        run_id = start_run(uow, AUDIT_STAGE, "split audit", params, seed=seed)
        finish_run(uow, run_id, {"sample": sample})
    return run_id, SplitAudit(tuple(sample), {}, link_run, run_id, params["one_list_persons"])


def answer_split_audit(
    store: Store, actor: str, record: int, found: int | None, note: str | None = None
) -> int:
    """Record a reviewer's answer on a sampled record: the record the same person was
    found under on another list, or None when searched and not found."""
    audit = stored_split_audit(store)
    if audit is None:
        raise NotFoundError("no split audit drawn yet: run `credible split-audit draw` first")
    if record not in audit.sample:
        raise CredibleError(
            f"record {record} is not in split audit {audit.audit_run}'s sample "
            "(`credible split-audit show` lists it)"
        )
    if found is not None:
        if found == record:
            raise CredibleError(f"record {record} cannot be found as itself")
        with store.read() as conn:
            exists = conn.execute(
                select(schema.person_records.c.id).where(schema.person_records.c.id == found)
            ).first()
        if exists is None:
            raise NotFoundError(f"no person record {found} in the store")
    assert audit.audit_run is not None
    with store.write(actor) as uow:
        return add_audit_answer(uow, audit.audit_run, record, found, note)
