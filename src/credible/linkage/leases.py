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

from sqlalchemy import Select, and_, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from credible.errors import ConflictError, InputError, Problem
from credible.linkage.review import _TO_STORE, _plain_record
from credible.linkage.service import MODEL_DECISION, latest_link_run, load_records, run_settings
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


@dataclass(frozen=True)
class Lease:
    lo: int
    hi: int
    match_probability: float
    match_weight: float
    run_id: int
    lease_expires: str
    remaining: int

    @property
    def pair_id(self) -> str:
        return f"{self.lo}-{self.hi}"


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


def _live(lo: Any, hi: Any) -> Any:
    """Whether a live (not retracted) reviewer's decision on the pair exists."""
    j = schema.judgements
    retraction = schema.judgements.alias("retraction")
    # The retracted ids as one set, not a look-up per judgement: ``retracts`` has no
    # index, and per judgement the database read every judgement again (the queue's
    # count took ~200 ms of PostgreSQL's CPU on each request for the next pair).
    retracted = select(retraction.c.retracts).where(retraction.c.retracts.is_not(None))
    return (
        select(j.c.id)
        .where(
            j.c.record_l == lo,
            j.c.record_r == hi,
            j.c.decision.in_(tuple(MODEL_DECISION)),
            j.c.id.not_in(retracted),
        )
        .exists()
    )


def _ends() -> tuple[Any, Any]:
    ms = schema.match_scores
    lo = case((ms.c.record_l < ms.c.record_r, ms.c.record_l), else_=ms.c.record_r)
    hi = case((ms.c.record_l < ms.c.record_r, ms.c.record_r), else_=ms.c.record_l)
    return lo, hi


def _band(run_id: int, lower: float, upper: float) -> Select[Any]:
    """The run's pairs in the review band, decided or not, most uncertain first."""
    ms = schema.match_scores
    lo, hi = _ends()
    return (
        select(lo.label("lo"), hi.label("hi"), ms.c.match_probability, ms.c.match_weight)
        .where(
            ms.c.run_id == run_id,
            ms.c.match_probability >= lower,
            ms.c.match_probability < upper,
        )
        .order_by(func.abs(ms.c.match_weight), ms.c.id)
    )


def _queue(run_id: int, lower: float, upper: float) -> Select[Any]:
    """The review queue in SQL (what ``review_queue`` computes in memory): the band's
    pairs that no live judgement has decided. Read a few rows at a time, it costs
    milliseconds on a large run."""
    return _band(run_id, lower, upper).where(~_live(*_ends()))


class _DecidedMeanwhile(Exception):
    """Rolls back a lease just taken on a pair decided since the queue was read."""


def lease_next(store: Store, reviewer: str, minutes: int = LEASE_MINUTES) -> Lease | None:
    """The pair this reviewer holds, else the most uncertain unleased pair, leased to
    them; None when the queue is empty (or every pair is held by someone else). Only
    the pair's ids and scores: the caller reads the records in the form it shows."""
    run = latest_link_run(store)
    settings = run_settings(run)
    now = datetime.now(UTC)
    leases = schema.review_leases
    queue = _queue(run.id, settings.review_lower, settings.review_upper)
    chosen = None
    with store.working() as conn:
        conn.execute(delete(leases).where(leases.c.expires_at < _iso(now)))
        held = {
            (int(r.record_l), int(r.record_r)): r.reviewer
            for r in conn.execute(select(leases.c.record_l, leases.c.record_r, leases.c.reviewer))
        }
        remaining = int(
            conn.execute(select(func.count()).select_from(queue.subquery())).scalar_one()
        )
        mine = [pair for pair, who in held.items() if who == reviewer]
        # Past the pairs others hold, the first free one: read in pages, not all.
        candidates: list[tuple[tuple[int, int], float, float]] = []
        if mine:
            q = queue.where(
                or_(
                    *(
                        and_(queue.selected_columns.lo == a, queue.selected_columns.hi == b)
                        for a, b in mine[:1]
                    )
                )
            )
            candidates = [
                ((int(r.lo), int(r.hi)), float(r.match_probability), float(r.match_weight))
                for r in conn.execute(q.limit(1))
            ]
        if not candidates:
            page = len(held) + 20
            candidates = [
                ((int(r.lo), int(r.hi)), float(r.match_probability), float(r.match_weight))
                for r in conn.execute(queue.limit(page))
                if (int(r.lo), int(r.hi)) not in held
            ]
        for pair, p, w in candidates:
            expires = _take_lease(conn, reviewer, pair, held.get(pair), now, minutes)
            if expires is not None:
                chosen = (pair, p, w, expires)
                break
    if chosen is None:
        return None
    (lo, hi), p, w, expires = chosen
    return Lease(lo, hi, p, w, run.id, expires, remaining)


def next_pair(store: Store, reviewer: str, minutes: int = LEASE_MINUTES) -> ReviewPair | None:
    """``lease_next`` with both records as the linkage model reads them (names
    romanised, places normalised): what the review page and the terminal compare."""
    lease = lease_next(store, reviewer, minutes)
    if lease is None:
        return None
    recs = load_records(store, [lease.lo, lease.hi]).set_index("record_id", drop=False)
    return ReviewPair(
        pair_id=lease.pair_id,
        record_l=_plain_record(recs.loc[lease.lo]),
        record_r=_plain_record(recs.loc[lease.hi]),
        match_probability=lease.match_probability,
        match_weight=lease.match_weight,
        run_id=lease.run_id,
        lease_expires=lease.lease_expires,
        remaining=lease.remaining,
    )


def _take_lease(
    conn: Any, reviewer: str, pair: tuple[int, int], holder: str | None, now: datetime,
    minutes: int,
) -> str | None:  # fmt: skip
    """Lease ``pair`` to ``reviewer`` (or renew their lease); the lease's expiry, or None
    when another reviewer holds the pair or it has been decided."""
    leases = schema.review_leases
    expires = _iso(now + timedelta(minutes=minutes))
    if holder == reviewer:
        conn.execute(
            leases.update()
            .where(and_(leases.c.record_l == pair[0], leases.c.record_r == pair[1]))
            .values(expires_at=expires)
        )
        return expires
    if holder is not None:
        return None
    try:
        with conn.begin_nested():
            conn.execute(
                leases.insert().values(
                    record_l=pair[0], record_r=pair[1], reviewer=reviewer, expires_at=expires
                )
            )
            # The queue was read before this lease: another reviewer may have leased and
            # decided the pair since. Their lease went with their decision, in one
            # transaction, so once this lease is in, that decision is visible: hand out
            # the next pair instead of one whose decision would be refused.
            if conn.execute(select(_live(*pair))).scalar():
                raise _DecidedMeanwhile
    except DBIntegrityError:
        return None  # another reviewer took it a moment ago
    except _DecidedMeanwhile:
        return None
    return expires


def lease_pair(
    store: Store, reviewer: str, record_a: int, record_b: int, minutes: int = LEASE_MINUTES
) -> bool:
    """Lease one given pair to ``reviewer`` (as ``next_pair`` does for the pair it picks),
    so that a reviewer walking the queue another way (the terminal's ``credible review``)
    never works on a pair someone else holds. False when it is held or already decided."""
    pair = (min(int(record_a), int(record_b)), max(int(record_a), int(record_b)))
    leases = schema.review_leases
    now = datetime.now(UTC)
    with store.working() as conn:
        conn.execute(delete(leases).where(leases.c.expires_at < _iso(now)))
        holder = conn.execute(
            select(leases.c.reviewer).where(
                leases.c.record_l == pair[0], leases.c.record_r == pair[1]
            )
        ).scalar()
        return _take_lease(conn, reviewer, pair, holder, now, minutes) is not None


def release_lease(store: Store, reviewer: str, record_a: int, record_b: int) -> None:
    """Give back one pair this reviewer holds without deciding it (skipped)."""
    lo, hi = sorted((int(record_a), int(record_b)))
    leases = schema.review_leases
    with store.working() as conn:
        conn.execute(
            delete(leases).where(
                leases.c.record_l == lo, leases.c.record_r == hi, leases.c.reviewer == reviewer
            )
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
        # A lease can be granted on a pair that another reviewer leased and decided
        # while ``next_pair`` was choosing it (a slow request reads the queue, the other
        # decides, then the lease is free to take): the decision made first stands.
        if uow.conn.execute(select(_live(lo, hi))).scalar():
            raise ConflictError(
                f"pair {lo}-{hi} was decided by another reviewer meanwhile: ask for the next pair"
            )
        return add_judgement(uow, lo, hi, _TO_STORE[decision], note or None)


def release_leases(store: Store, reviewer: str) -> None:
    leases = schema.review_leases
    with store.working() as conn:
        conn.execute(delete(leases).where(leases.c.reviewer == reviewer))
