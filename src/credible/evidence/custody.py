"""Custody as investigators use it: the chain of one file shown and checked, transfers,
and every read of a sealed file or its sealed text recorded as an event.

The events are written and signed by ``credible.store.record_custody`` (the one place
that signs); this module decides when an act is a custody event and checks chains.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from credible.errors import ConfigError, NotFoundError
from credible.evidence.bundle import copy_out
from credible.evidence.timestamps import StoredToken, TokenCheck, recheck, stored_tokens
from credible.store import (
    ChainProblem,
    CustodyEvent,
    Store,
    check_chain,
    custody_chain,
    record_custody,
    schema,
    signing_keys,
)


@dataclass(frozen=True)
class CustodyReport:
    evidence_id: int
    sha256: str
    original_name: str | None
    events: list[CustodyEvent]
    problems: list[ChainProblem]
    tokens: list[tuple[StoredToken, TokenCheck]]
    key_fingerprint: str  # the store's key now

    def problems_of(self, seq: int) -> list[ChainProblem]:
        return [p for p in self.problems if p.seq == seq]

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for t, c in self.tokens if t.state == "granted")


def custody_report(store: Store, evidence_id: int) -> CustodyReport:
    """The file's chain with every signature checked, and its timestamp tokens checked."""
    with store.read() as conn:
        sha, events = custody_chain(conn, evidence_id)
        keys = signing_keys(conn)
        name = conn.execute(
            select(schema.evidence.c.original_name).where(schema.evidence.c.id == evidence_id)
        ).scalar()
    problems = check_chain(sha, events, keys)
    tokens = [(t, recheck(t, sha)) for t in stored_tokens(store, evidence_id)]
    return CustodyReport(evidence_id, sha, name, events, problems, tokens, store.keys.fingerprint)


def _check_ids(store: Store, ids: list[int]) -> None:
    e = schema.evidence
    with store.read() as conn:
        found = set(conn.execute(select(e.c.id).where(e.c.id.in_(ids))).scalars())
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"no evidence with id {', '.join(missing)}")


def transfer(
    store: Store, evidence_ids: Iterable[int], to: str, reason: str, actor: str
) -> list[int]:
    """Record that files passed into the hands of ``to`` (a person or an organisation)."""
    ids = list(dict.fromkeys(evidence_ids))
    if not to.strip():
        raise ConfigError("--to is empty: say to whom the evidence was handed")
    if not reason.strip():
        raise ConfigError("--reason is empty: say why the evidence was handed over")
    _check_ids(store, ids)
    with store.write(actor) as uow:
        for i in ids:
            record_custody(uow, i, "transferred", reason=reason, details={"to": to})
    return ids


def record_access(
    store: Store,
    evidence_ids: Iterable[int] | None,
    actor: str,
    *,
    reason: str,
    details: dict[str, object],
) -> int:
    """A read of sealed evidence content (its text revealed by an export or a search) as
    an ``accessed`` event of each file concerned; ``None``: every file. Returns how many."""
    e = schema.evidence
    with store.write(actor) as uow:
        stmt = select(e.c.id).order_by(e.c.id)
        if evidence_ids is not None:
            stmt = stmt.where(e.c.id.in_(list(evidence_ids)))
        ids = list(uow.conn.execute(stmt).scalars())
        for i in ids:
            record_custody(uow, i, "accessed", reason=reason, details=details)
    return len(ids)


def export_file(
    store: Store, evidence_id: int, out: Path, *, reason: str | None, actor: str
) -> tuple[str, int]:
    """The original file out of the vault into ``out`` (a new file), recorded as an
    ``exported`` custody event in the same transaction. Returns (sha256, size)."""
    out = Path(out)
    if out.exists():
        raise ConfigError(f"--out {out} exists; it is never overwritten")
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: the folder {out.parent} does not exist")
    e = schema.evidence
    tmp = out.with_name(f".{out.name}.part-{uuid.uuid4().hex[:8]}")
    try:
        with store.write(actor) as uow:
            row = uow.conn.execute(
                select(e.c.sha256, e.c.size).where(e.c.id == evidence_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no evidence with id {evidence_id}")
            record_custody(uow, evidence_id, "exported", reason=reason, details={"file": out.name})
            copy_out(store, row.sha256, tmp)
        tmp.rename(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return row.sha256, int(row.size)
