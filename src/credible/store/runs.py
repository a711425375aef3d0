"""Runs of later stages (linkage, estimation, assessment), stored so that every figure
can be traced to the parameters, seed, software version and input that produced it."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select

from credible import __version__
from credible.store.audit import canonical_json, now
from credible.store.schema import judgements, runs, split_audit_answers
from credible.store.store import UnitOfWork


def fingerprint(rows: Iterable[Sequence[Any]]) -> str:
    """SHA-256 over rows in a fixed order: the same input gives the same fingerprint."""
    h = hashlib.sha256()
    for row in rows:
        h.update(canonical_json(list(row)).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def start_run(
    uow: UnitOfWork,
    stage: str,
    method: str,
    parameters: dict[str, Any],
    seed: int | None = None,
    input_fingerprint: str | None = None,
) -> int:
    return uow.insert(
        runs,
        stage=stage,
        method=method,
        started_at=now(),
        status="running",
        parameters=canonical_json(parameters),
        software_version=__version__,
        input_fingerprint=input_fingerprint,
        seed=seed,
        actor=uow.actor,
    )


def finish_run(uow: UnitOfWork, run_id: int, results: dict[str, Any], status: str = "done") -> None:
    uow.update(runs, run_id, finished_at=now(), status=status, results=canonical_json(results))


@dataclass(frozen=True)
class RunInfo:
    id: int
    stage: str
    method: str | None
    started_at: str
    status: str
    parameters: dict[str, Any]
    results: dict[str, Any] | None
    seed: int | None
    input_fingerprint: str | None
    software_version: str


#: Finished runs already read, by store and run: a link run's parameters (its model and
#: term frequencies) are close to a megabyte of JSON, which the review queue and the
#: record pages would otherwise read and parse on every request. A run is final once it
#: is done; its id with its start and finish times (to the microsecond) tell it apart
#: from any other run of any store this process opens.
_FINISHED: OrderedDict[tuple[str, int, str, str | None, str], RunInfo] = OrderedDict()
_FINISHED_MAX = 16
_FINISHED_LOCK = threading.Lock()


def latest_run(conn: Connection, stage: str, status: str = "done") -> RunInfo | None:
    head = conn.execute(
        select(runs.c.id, runs.c.started_at, runs.c.finished_at)
        .where(runs.c.stage == stage, runs.c.status == status)
        .order_by(runs.c.id.desc())
        .limit(1)
    ).first()
    if head is None:
        return None
    key = (str(conn.engine.url), int(head.id), str(head.started_at), head.finished_at, status)
    with _FINISHED_LOCK:
        info = _FINISHED.get(key)
        if info is not None:
            _FINISHED.move_to_end(key)
            return info
    row = conn.execute(select(runs).where(runs.c.id == head.id)).first()
    if row is None:  # deleted since: read again
        return latest_run(conn, stage, status)
    info = RunInfo(
        id=row.id,
        stage=row.stage,
        method=row.method,
        started_at=row.started_at,
        status=row.status,
        parameters=json.loads(row.parameters or "{}"),
        results=json.loads(row.results) if row.results else None,
        seed=row.seed,
        input_fingerprint=row.input_fingerprint,
        software_version=row.software_version,
    )
    unchanged = (row.started_at, row.finished_at) == (head.started_at, head.finished_at)
    if status == "done" and unchanged:
        with _FINISHED_LOCK:
            _FINISHED[key] = info
            while len(_FINISHED) > _FINISHED_MAX:
                _FINISHED.popitem(last=False)
    return info


DECISIONS = ("positive", "negative", "unsure")


@dataclass(frozen=True)
class Judgement:
    id: int
    record_l: int
    record_r: int
    decision: str
    actor: str
    at: str
    note: str | None


def add_judgement(uow: UnitOfWork, a: int, b: int, decision: str, note: str | None = None) -> int:
    """Append a reviewer's decision on a pair. The pair is stored in (low, high) order."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    lo, hi = sorted((a, b))
    return uow.insert(
        judgements,
        record_l=lo,
        record_r=hi,
        decision=decision,
        note=note,
        actor=uow.actor,
        at=now(),
    )


def retract_judgement(uow: UnitOfWork, judgement_id: int, note: str | None = None) -> int:
    """Mark a judgement withdrawn by appending a retraction; nothing is edited or deleted."""
    row = uow.conn.execute(select(judgements).where(judgements.c.id == judgement_id)).first()
    if row is None:
        from credible.errors import NotFoundError

        raise NotFoundError(f"no judgement {judgement_id}")
    return uow.insert(
        judgements,
        record_l=row.record_l,
        record_r=row.record_r,
        decision="retracted",
        note=note,
        actor=uow.actor,
        at=now(),
        retracts=judgement_id,
    )


def live_decisions(conn: Connection, table: Table, left: str, right: str) -> list[Any]:
    """Of an append-only table of decisions on pairs (with a ``retracts`` column), the
    latest row per pair that neither retracts another nor was retracted."""
    rows = conn.execute(select(table).order_by(table.c.id)).all()
    retracted = {r.retracts for r in rows if r.retracts is not None}
    latest: dict[tuple[int, int], Any] = {}
    for r in rows:
        if r.retracts is None and r.id not in retracted:
            latest[(getattr(r, left), getattr(r, right))] = r
    return list(latest.values())


def live_judgements(conn: Connection) -> list[Judgement]:
    """The latest non-retracted decision per pair of records."""
    return [
        Judgement(r.id, r.record_l, r.record_r, r.decision, r.actor, r.at, r.note)
        for r in live_decisions(conn, judgements, "record_l", "record_r")
    ]


def add_audit_answer(
    uow: UnitOfWork,
    audit_run: int,
    record_id: int,
    found_record: int | None,
    note: str | None = None,
) -> int:
    """Append a reviewer's answer on one record of a split audit's sample: the record
    the same person was found under, or None (searched, no one found)."""
    return uow.insert(
        split_audit_answers,
        audit_run=audit_run,
        record_id=record_id,
        answer="not found" if found_record is None else "found",
        found_record=found_record,
        note=note,
        actor=uow.actor,
        at=now(),
    )


def live_audit_answers(conn: Connection, audit_run: int) -> dict[int, int | None]:
    """Of a split audit, the latest non-retracted answer per sampled record."""
    rows = live_decisions(conn, split_audit_answers, "audit_run", "record_id")
    return {
        int(r.record_id): (int(r.found_record) if r.found_record is not None else None)
        for r in rows
        if r.audit_run == audit_run and r.answer in ("found", "not found")
    }
