"""A queue of long runs in the store, so that any worker process may pick a job up and
every process can report its progress."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from credible.errors import CredibleError, InputError, NotFoundError, Problem
from credible.store import Store, schema

JOB_KINDS = ("link", "estimate", "assess")
_J = schema.web_jobs


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    progress: float
    stage: str | None
    parameters: dict[str, Any]
    message: str | None
    run_id: int | None
    actor: str
    created_at: str
    started_at: str | None
    finished_at: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _job(row: Any) -> Job:
    r = row._mapping
    return Job(
        id=r["id"],
        kind=r["kind"],
        status=r["status"],
        progress=float(r["progress"]),
        stage=r["stage"],
        parameters=json.loads(r["parameters"] or "{}"),
        message=r["message"],
        run_id=r["run_id"],
        actor=r["actor"],
        created_at=r["created_at"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
    )


_ALLOWED: dict[str, dict[str, type]] = {
    "link": {"threshold": float, "seed": int},
    "estimate": {"seed": int, "by": str},
    "assess": {"standard": str},
}


def submit_job(
    store: Store, actor: str, kind: str, parameters: dict[str, Any] | None = None
) -> int:
    if kind not in JOB_KINDS:
        raise InputError([Problem("job", None, "kind", "one of " + ", ".join(JOB_KINDS), kind)])
    params = dict(parameters or {})
    problems = [
        Problem("job", None, name, "one of " + (", ".join(_ALLOWED[kind]) or "none"), None)
        for name in params
        if name not in _ALLOWED[kind]
    ]
    for name, value in params.items():
        want = _ALLOWED[kind].get(name)
        if want is not None and value is not None and not isinstance(value, want | int):
            problems.append(Problem("job", None, name, f"a {want.__name__}", value))
    if problems:
        raise InputError(problems)
    with store.working() as conn:
        key = conn.execute(
            _J.insert().values(
                kind=kind,
                status="queued",
                progress=0.0,
                parameters=json.dumps(params, sort_keys=True),
                actor=actor,
                created_at=_now(),
            )
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def get_job(store: Store, job_id: int) -> Job:
    with store.read() as conn:
        row = conn.execute(select(_J).where(_J.c.id == job_id)).first()
    if row is None:
        raise NotFoundError(f"no job {job_id}")
    return _job(row)


def list_jobs(store: Store, limit: int = 50) -> list[Job]:
    with store.read() as conn:
        return [_job(r) for r in conn.execute(select(_J).order_by(_J.c.id.desc()).limit(limit))]


def _set(store: Store, job_id: int, **values: Any) -> None:
    with store.working() as conn:
        conn.execute(_J.update().where(_J.c.id == job_id).values(**values))


def _claim(store: Store) -> Job | None:
    with store.working() as conn:
        row = conn.execute(
            select(_J).where(_J.c.status == "queued").order_by(_J.c.id).limit(1)
        ).first()
        if row is None:
            return None
        # Another worker may have claimed it since the read: the status guard decides.
        won = conn.execute(
            _J.update()
            .where(_J.c.id == row.id, _J.c.status == "queued")
            .values(status="running", started_at=_now())
        ).rowcount
    return _job(row) if won == 1 else None


def _run(store: Store, job: Job) -> int | None:
    p = job.parameters
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        t = time.monotonic()
        if t - last[0] >= 0.5 or fraction >= 1:
            last[0] = t
            _set(store, job.id, stage=stage[:200], progress=max(0.0, min(1.0, fraction)))

    if job.kind == "link":
        from credible.linkage import make_settings, run_link

        settings = make_settings(match_threshold=p.get("threshold"), seed=p.get("seed"))
        return run_link(store, settings, job.actor, progress=progress).run_id
    if job.kind == "estimate":
        from credible.estimate import estimate_in_store

        progress("estimating", 0.1)
        _, run_id = estimate_in_store(store, job.actor, None, p.get("by"), int(p.get("seed", 0)))
        return int(run_id)
    from credible.assess import DEFAULT_STANDARD, assess

    progress("assessing", 0.1)
    return assess(store, job.actor, p.get("standard") or DEFAULT_STANDARD, None).run_id


def run_next_job(store: Store) -> Job | None:
    """Claim the oldest queued job and run it to the end; None when nothing is queued.
    A user's mistake (no linkage run yet) ends the job as failed with the message; any
    other error too, with its kind only, as nothing internal is shown to a client."""
    job = _claim(store)
    if job is None:
        return None
    try:
        run_id = _run(store, job)
    except CredibleError as exc:
        _set(store, job.id, status="failed", message=str(exc)[:2000], finished_at=_now())
    except Exception as exc:
        _set(
            store,
            job.id,
            status="failed",
            message=f"internal error ({type(exc).__name__}); see the server's log",
            finished_at=_now(),
        )
    else:
        _set(store, job.id, status="done", progress=1.0, run_id=run_id, finished_at=_now())
    return get_job(store, job.id)


class JobWorker(threading.Thread):
    """Polls the queue and runs jobs one at a time, until ``stop()``."""

    def __init__(self, store: Store, poll_seconds: float = 1.0) -> None:
        super().__init__(name="credible-jobs", daemon=True)
        self.store = store
        self.poll = poll_seconds
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                ran = run_next_job(self.store)
            except CredibleError:
                ran = None
            if ran is None:
                self._stop_event.wait(self.poll)
