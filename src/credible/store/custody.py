"""The chain of custody of each evidence file: signed events, each bound to the one before.

An event's signed bytes are ``CUSTODY_CONTEXT`` followed by one line of canonical JSON:
the file's SHA-256 (so that an event means something outside this store), its position
``seq`` in the file's chain, when, who, what, why, the details, when it was signed and
``prev`` (the SHA-256 of the previous event's signed bytes; zeros for the first). The
event's ``hash`` is the SHA-256 of those bytes and its signature is Ed25519 over them,
with the organisation's key. Removing, reordering or editing an event therefore breaks
``prev`` or a signature — which anyone holding the public key can check, with OpenSSL
alone (docs/evidence.md).

``record_custody`` is the only way an event is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from credible.errors import NotFoundError
from credible.store.audit import GENESIS, now
from credible.store.keys import CUSTODY_CONTEXT, public_key_fingerprint, verify_signature
from credible.store.schema import audit, custody_events, evidence, store_meta
from credible.store.store import Store, UnitOfWork

#: What can happen to a file in custody. ``acquired_again``: the same bytes came in anew.
ACTIONS = ("acquired", "acquired_again", "imported", "accessed", "exported", "transferred")


@dataclass(frozen=True)
class CustodyEvent:
    """One event as stored (or as a bundle carries it)."""

    seq: int
    at: str
    actor: str
    action: str
    reason: str | None
    details: str | None  # JSON text, as written
    signed_at: str
    prev_hash: str
    hash: str
    signature: str  # hex
    key_fingerprint: str

    def message(self, evidence_sha256: str) -> bytes:
        return custody_message(
            evidence_sha256,
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.reason,
            self.details,
            self.signed_at,
            self.prev_hash,
        )

    @property
    def signed_late(self) -> bool:
        """Signed at an upgrade, after the event: an older credible did not sign."""
        return self.signed_at != self.at

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "reason": self.reason,
            "details": self.details,
            "signed_at": self.signed_at,
            "prev": self.prev_hash,
            "hash": self.hash,
            "signature": self.signature,
            "key_fingerprint": self.key_fingerprint,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CustodyEvent:
        """From ``as_dict``'s form; KeyError or TypeError when a field is missing or wrong."""
        values = {
            "seq": d["seq"],
            "at": d["at"],
            "actor": d["actor"],
            "action": d["action"],
            "reason": d["reason"],
            "details": d["details"],
            "signed_at": d["signed_at"],
            "prev_hash": d["prev"],
            "hash": d["hash"],
            "signature": d["signature"],
            "key_fingerprint": d["key_fingerprint"],
        }
        if not isinstance(values["seq"], int):
            raise TypeError("seq is not a whole number")
        for name, value in values.items():
            if name != "seq" and not isinstance(value, str | None):
                raise TypeError(f"{name} is not text")
        return cls(**values)


def custody_message(
    evidence_sha256: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    reason: str | None,
    details: str | None,
    signed_at: str,
    prev_hash: str,
) -> bytes:
    body = {
        "evidence_sha256": evidence_sha256,
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "reason": reason,
        "details": details,
        "signed_at": signed_at,
        "prev": prev_hash,
    }
    line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return CUSTODY_CONTEXT + line.encode("utf-8") + b"\n"


def _chain_end(conn: Connection, evidence_id: int) -> tuple[int, str]:
    c = custody_events
    row = conn.execute(
        select(c.c.seq, c.c.hash)
        .where(c.c.evidence_id == evidence_id, c.c.seq.is_not(None))
        .order_by(c.c.seq.desc())
        .limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


def _sha256_of(conn: Connection, evidence_id: int) -> str:
    sha = conn.execute(select(evidence.c.sha256).where(evidence.c.id == evidence_id)).scalar()
    if sha is None:
        raise NotFoundError(f"no evidence with id {evidence_id}")
    return str(sha)


def _signed(uow: UnitOfWork, evidence_id: int, content: dict[str, Any]) -> dict[str, Any]:
    """The chain columns of the next event of ``evidence_id``, signed. ``content``: the
    event's at, actor, action, reason, details and signed_at."""
    seq, prev = _chain_end(uow.conn, evidence_id)
    sha = _sha256_of(uow.conn, evidence_id)
    message = custody_message(sha, seq + 1, prev_hash=prev, **content)
    keys = uow.store.keys
    return {
        "seq": seq + 1,
        "prev_hash": prev,
        "hash": hashlib.sha256(message).hexdigest(),
        "signature": keys.sign(message).hex(),
        "key_fingerprint": keys.fingerprint,
        "signed_at": content["signed_at"],
    }


def record_custody(
    uow: UnitOfWork,
    evidence_id: int,
    action: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append a signed event to the custody chain of ``evidence_id``; returns its row id.
    ``reason`` says why (a person's words); ``details`` what else to keep (JSON-able)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    at = now()
    body = json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None
    content = {"at": at, "actor": uow.actor, "action": action, "reason": reason, "details": body}
    chain = _signed(uow, evidence_id, {**content, "signed_at": at})
    return uow.insert(custody_events, evidence_id=evidence_id, **content, **chain)


def sign_unsigned_custody(store: Store, actor: str) -> int:
    """Sign, in the order they were written, the events an older credible left unsigned
    (``credible init`` after the upgrade to 0009). Each keeps its own time; its
    ``signed_at`` is now, so that the chain says it was signed late. Returns how many."""
    c = custody_events
    with store.read() as conn:
        todo = conn.execute(
            select(c.c.id, c.c.evidence_id, c.c.at, c.c.actor, c.c.action, c.c.details)
            .where(c.c.signature.is_(None))
            .order_by(c.c.evidence_id, c.c.id)
        ).all()
    if not todo:
        return 0
    with store.write(actor) as uow:
        signed_at = now()
        for row in todo:
            content = {"at": row.at, "actor": row.actor, "action": row.action}
            chain = _signed(
                uow,
                row.evidence_id,
                {**content, "reason": None, "details": row.details, "signed_at": signed_at},
            )
            uow.update(custody_events, row.id, **chain)
    return len(todo)


def custody_chain(conn: Connection, evidence_id: int) -> tuple[str, list[CustodyEvent]]:
    """The file's SHA-256 and its events in chain order (unsigned ones, if any, last)."""
    sha = _sha256_of(conn, evidence_id)
    c = custody_events
    rows = conn.execute(
        select(c).where(c.c.evidence_id == evidence_id).order_by(c.c.seq, c.c.id)
    ).all()
    events = [
        CustodyEvent(
            seq=r.seq or 0,
            at=r.at,
            actor=r.actor,
            action=r.action,
            reason=r.reason,
            details=r.details,
            signed_at=r.signed_at or "",
            prev_hash=r.prev_hash or "",
            hash=r.hash or "",
            signature=r.signature or "",
            key_fingerprint=r.key_fingerprint or "",
        )
        for r in rows
    ]
    return sha, events


def signing_keys(conn: Connection) -> dict[str, bytes]:
    """Every public key the store has signed with, by fingerprint: the current one and
    those recorded in the audit chain when the key was set or rotated."""
    keys: dict[str, bytes] = {}
    entries = select(audit.c.detail).where(audit.c.action.in_(("key", "key_rotated")))
    for (detail,) in conn.execute(entries.order_by(audit.c.id)):
        raw = json.loads(detail).get("public_key")
        if raw:
            keys[public_key_fingerprint(bytes.fromhex(raw))] = bytes.fromhex(raw)
    current = conn.execute(
        select(store_meta.c.value).where(store_meta.c.name == "public_key")
    ).scalar()
    if current:
        keys[public_key_fingerprint(bytes.fromhex(current))] = bytes.fromhex(current)
    return keys


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None  # the event concerned (None: the chain as a whole)
    kind: str  # edited, removed, reordered, signature, unsigned, key, truncated
    message: str

    def __str__(self) -> str:
        return self.message


def check_chain(
    evidence_sha256: str,
    events: list[CustodyEvent],
    keys: dict[str, bytes],
    *,
    expect_count: int | None = None,
    expect_head: str | None = None,
) -> list[ChainProblem]:
    """Everything wrong with a custody chain, each problem named for the event it concerns:
    an event whose content no longer gives its hash (edited), a ``prev`` that names no
    earlier event (removed) or a later one (reordered), a signature that does not hold
    with the key it names, and, when the expected length and last hash are known (a
    bundle's manifest), events cut from the end."""
    problems: list[ChainProblem] = []
    position = {e.hash: i for i, e in enumerate(events)}
    prev, prev_seq = GENESIS, 0
    for i, e in enumerate(events):
        if not e.signature:
            problems.append(
                ChainProblem(e.seq or None, "unsigned", f"event {i + 1} ({e.action}) is unsigned")
            )
            continue
        message = e.message(evidence_sha256)
        actual = hashlib.sha256(message).hexdigest()
        key = keys.get(e.key_fingerprint)
        if actual != e.hash:
            # The signature was made over the content as it was: it fails too, and says
            # nothing more.
            problems.append(
                ChainProblem(
                    e.seq,
                    "edited",
                    f"event {e.seq} ({e.action} by {e.actor}) was edited after it was signed: "
                    "its content no longer gives its recorded hash",
                )
            )
        elif key is None:
            problems.append(
                ChainProblem(
                    e.seq,
                    "key",
                    f"event {e.seq} names a key ({e.key_fingerprint[:16]}...) that is not given",
                )
            )
        elif not _signature_holds(key, message, e.signature):
            problems.append(
                ChainProblem(
                    e.seq,
                    "signature",
                    f"the signature of event {e.seq} ({e.action}) does not hold: the event or "
                    "its signature was changed",
                )
            )
        if e.prev_hash != prev:
            problems.append(_link_problem(e, i, events, position, prev))
        elif e.seq != prev_seq + 1:
            problems.append(
                ChainProblem(
                    e.seq,
                    "edited",
                    f"the event after event {prev_seq} says it is event {e.seq}: its number "
                    "was changed",
                )
            )
        prev, prev_seq = e.hash, e.seq
    linked = not any(p.kind in ("removed", "reordered") for p in problems)
    if expect_count is not None and len(events) != expect_count and linked:
        fewer = len(events) < expect_count
        problems.append(
            ChainProblem(
                None,
                "removed" if fewer else "edited",
                f"the chain has {len(events)} event(s) where the manifest lists "
                f"{expect_count}: "
                + (
                    f"its last {expect_count - len(events)} event(s) were removed"
                    if fewer
                    else "events were added"
                ),
            )
        )
    elif expect_head is not None and events and events[-1].hash != expect_head and linked:
        problems.append(
            ChainProblem(
                None,
                "removed",
                "the chain does not end in the event the manifest names as its last",
            )
        )
    return problems


def _signature_holds(key: bytes, message: bytes, signature: str) -> bool:
    try:
        raw = bytes.fromhex(signature)
    except ValueError:
        return False
    return verify_signature(key, message, raw)


def _link_problem(
    e: CustodyEvent,
    i: int,
    events: list[CustodyEvent],
    position: dict[str, int],
    prev: str,
) -> ChainProblem:
    at = position.get(e.prev_hash)
    if at is not None and at > i:
        return ChainProblem(
            e.seq,
            "reordered",
            f"events are out of order: event {e.seq} stands before event {events[at].seq}, "
            "which it follows",
        )
    if at is not None or e.prev_hash == GENESIS:
        follows = "the start of the chain" if at is None else f"event {events[at].seq}"
        return ChainProblem(
            e.seq,
            "reordered",
            f"events are out of order: event {e.seq} follows {follows}, but stands at "
            f"position {i + 1}",
        )
    before = "the start of the chain" if prev == GENESIS else f"event {events[i - 1].seq}"
    return ChainProblem(
        e.seq,
        "removed",
        f"an event is missing before event {e.seq}: it does not follow {before} "
        "(an event was removed)",
    )
