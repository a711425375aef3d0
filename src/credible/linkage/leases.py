"""The review queue shared by a team: each pair handed to one reviewer at a time.

``next_pair`` leases the most uncertain pair that nobody holds; the lease is a row whose
pair is unique, so two reviewers asking at the same moment cannot both get it (the
database refuses the second insert). ``decide_leased`` records a decision only from the
reviewer holding the pair's lease, and releases it, so no pair is decided twice by two
people working the queue and no decision is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from credible.errors import ConflictError, InputError, Problem
from credible.linkage.review import _TO_STORE, _plain_record
from credible.linkage.service import (
    latest_link_run,
    load_records,
    run_settings,
    store_judgements,
    stored_scores,
)
from credible.linkage.train import review_queue
from credible.store import Store, add_judgement, schema

LEASE_MINUTES = 15


@dataclass(frozen=True)
class ReviewPair:
    pair_id: str  # "LOW-HIGH": the two record ids
    record_l: dict[str, Any]
    record_r: dict[str, Any]
    match_probability: float
    match_weight: float
    run_id: int
    lease_expires: str
    remaining: int  # pairs still in the queue, this one included


def pair_id(a: int, b: int) -> str:
    lo, hi = sorted((int(a), int(b)))
    return f"{lo}-{hi}"


def parse_pair_id(value: str) -> tuple[int, int]:
    try:
        a, b = (int(x) for x in value.split("-"))
    except ValueError:
        raise InputError(
            [Problem("pair_id", None, None, "two record ids joined by '-', e.g. 12-34", value)]
        ) from None
    if a == b or not (0 < a < 2**31 and 0 < b < 2**31):
        raise InputError([Problem("pair_id", None, None, "two different record ids", value)])
    lo, hi = sorted((a, b))
    return lo, hi


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def next_pair(store: Store, reviewer: str, minutes: int = LEASE_MINUTES) -> ReviewPair | None:
    """The pair this reviewer holds, else the most uncertain unleased pair, leased to
    them; None when the queue is empty (or every pair is held by someone else)."""
    run = latest_link_run(store)
    settings = run_settings(run)
    now = datetime.now(UTC)
    leases = schema.review_leases
    with store.read() as conn:
        queue = review_queue(stored_scores(conn, run.id), settings, store_judgements(conn))
    candidates: list[tuple[tuple[int, int], float, float]] = [
        ((min(int(a), int(b)), max(int(a), int(b))), float(p), float(w))
        for a, b, p, w in zip(
            queue["record_id_l"],
            queue["record_id_r"],
            queue["match_probability"],
            queue["match_weight"],
            strict=True,
        )
    ]
    chosen = None
    with store.working() as conn:
        conn.execute(delete(leases).where(leases.c.expires_at < _iso(now)))
        held = {
            (int(r.record_l), int(r.record_r)): r.reviewer
            for r in conn.execute(select(leases.c.record_l, leases.c.record_r, leases.c.reviewer))
        }
        mine = [c for c in candidates if held.get(c[0]) == reviewer]
        free = [c for c in candidates if c[0] not in held]
        for pair, p, w in mine[:1] or free:
            expires = _iso(now + timedelta(minutes=minutes))
            if held.get(pair) == reviewer:
                conn.execute(
                    leases.update()
                    .where(and_(leases.c.record_l == pair[0], leases.c.record_r == pair[1]))
                    .values(expires_at=expires)
                )
                chosen = (pair, p, w, expires)
                break
            try:
                with conn.begin_nested():
                    conn.execute(
                        leases.insert().values(
                            record_l=pair[0],
                            record_r=pair[1],
                            reviewer=reviewer,
                            expires_at=expires,
                        )
                    )
            except DBIntegrityError:
                continue  # another reviewer took it a moment ago
            chosen = (pair, p, w, expires)
            break
    if chosen is None:
        return None
    (lo, hi), p, w, expires = chosen
    recs = load_records(store, [lo, hi]).set_index("record_id", drop=False)
    return ReviewPair(
        pair_id=pair_id(lo, hi),
        record_l=_plain_record(recs.loc[lo]),
        record_r=_plain_record(recs.loc[hi]),
        match_probability=p,
        match_weight=w,
        run_id=run.id,
        lease_expires=expires,
        remaining=len(candidates),
    )


def decide_leased(store: Store, reviewer: str, pair: str, decision: str, note: str = "") -> int:
    """Record ``reviewer``'s decision on a pair they hold, and release it. A pair held by
    someone else, or by nobody (expired, or never handed out), is refused: ask
    ``next_pair`` again."""
    lo, hi = parse_pair_id(pair)
    if decision not in _TO_STORE:
        raise InputError(
            [Problem("review", None, "decision", "accept, reject or unsure", decision)]
        )
    leases = schema.review_leases
    mine = and_(
        leases.c.record_l == lo,
        leases.c.record_r == hi,
        leases.c.reviewer == reviewer,
        leases.c.expires_at >= _iso(datetime.now(UTC)),
    )
    with store.write(reviewer) as uow:
        # Releasing the lease and appending the judgement are one transaction: of two
        # requests deciding one pair, only the one that removes the lease writes.
        released = uow.conn.execute(delete(leases).where(mine)).rowcount
        if released != 1:
            raise ConflictError(
                f"pair {lo}-{hi} is not leased to {reviewer} (it expired, was decided, or "
                "is held by another reviewer): ask for the next pair"
            )
        return add_judgement(uow, lo, hi, _TO_STORE[decision], note or None)


def release_leases(store: Store, reviewer: str) -> None:
    leases = schema.review_leases
    with store.working() as conn:
        conn.execute(delete(leases).where(leases.c.reviewer == reviewer))
