"""The hash-chained audit log, and the check that data rows still match it.

Every write leaves an entry whose hash covers the previous entry's hash, so an edited
or deleted entry breaks the chain. Entries also vouch for the rows they wrote:
- a single-row insert or update records the row's hash (``row_hash``);
- a delete records the hash the row had (``before_hash``);
- a bulk insert (an import) records the id range and a digest of the row hashes in id
  order, which keeps a million-row import to one entry.
Verification replays the entries to know what every row should hash to, then reads the
rows and names the first entry whose promise no longer holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, select

from credible.store.keys import verify_head
from credible.store.schema import AUDITED_TABLES, audit, audit_signatures

GENESIS = "0" * 64


def canonical_value(value: Any) -> Any:
    """A JSON-able form of a column value that SQLite and PostgreSQL both give back."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        # + 0.0 turns -0.0 into 0.0: SQLite stores negative zero as zero, so a hash
        # that kept the sign would call an untouched row altered.
        return repr(value + 0.0)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def canonical_text(value: Any) -> str:
    """One value framed as ``=<UTF-8 byte length>:<text>`` (null: empty).

    The length prefix makes the concatenation of a row's values unambiguous, so that
    no two different rows share a text — whatever characters the values contain.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(canonical_value(value))
    return f"={len(text.encode('utf-8'))}:{text}"


def row_digest(values: Sequence[Any]) -> bytes:
    return hashlib.sha256("".join(canonical_text(v) for v in values).encode("utf-8")).digest()


def row_hash(values: Sequence[Any]) -> str:
    """Hash of one row given its values in the table's column order."""
    return row_digest(values).hex()


def digest(hashes: Iterable[str | bytes]) -> str:
    """Digest of row hashes in id order: what a bulk entry promises."""
    h = hashlib.sha256()
    for item in hashes:
        h.update(item if isinstance(item, bytes) else bytes.fromhex(item))
    return h.hexdigest()


def entry_hash(
    prev_hash: str,
    at: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str,
) -> str:
    payload = json.dumps(
        [prev_hash, at, actor, action, entity, entity_id, detail], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def canonical_json(obj: Any) -> str:
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, default=canonical_value, separators=(",", ":")
    )


def head(conn: Connection) -> tuple[int, str]:
    """(id, hash) of the newest entry, or (0, GENESIS)."""
    row = conn.execute(
        select(audit.c.id, audit.c.hash).order_by(audit.c.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def signed_head(conn: Connection) -> dict[str, Any] | None:
    """The newest signed head: entry, hash, signature, public key, when."""
    from credible.store.schema import store_meta

    row = conn.execute(
        select(audit_signatures).order_by(audit_signatures.c.entry_id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    public_key = conn.execute(
        select(store_meta.c.value).where(store_meta.c.name == "public_key")
    ).scalar()
    return {
        "entry": row.entry_id,
        "hash": row.entry_hash,
        "signature": row.signature,
        "public_key": public_key,
        "key_fingerprint": row.key_fingerprint,
        "signed_at": row.at,
    }


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class Breach:
    """The first point where the data and the chain disagree."""

    entry_id: int | None
    table: str | None
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"audit entry {self.entry_id}" if self.entry_id is not None else "the audit log"
        row = f" ({self.table} row {self.row_id})" if self.table and self.row_id is not None else ""
        return f"{where}{row}: {self.reason}"


@dataclass
class VerifyReport:
    entries: int
    rows: int
    head_hash: str
    breaches: list[Breach] = field(default_factory=list)
    signed: bool = False  # every signed head checked against the organisation's key

    @property
    def ok(self) -> bool:
        return not self.breaches


@dataclass
class _Expectation:
    """What a row should hash to, and which entry said so."""

    hash: str | None  # None: known to exist but only through a bulk digest
    entry_id: int


def _iter_entries(conn: Connection) -> Iterator[Any]:
    yield from conn.execute(select(audit).order_by(audit.c.id)).yield_per(10_000)


def _rows_by_id(conn: Connection, table: Table) -> Iterator[tuple[int, str]]:
    stmt = select(table).order_by(table.c.id)
    for row in conn.execute(stmt).yield_per(20_000):
        yield row[0], row_hash(tuple(row))


@dataclass(frozen=True)
class PublishedHead:
    """A head of the chain recorded outside the store (``credible audit head``)."""

    entry_id: int
    hash: str


def verify(
    conn: Connection,
    expect_head: str | None = None,
    *,
    public_key: bytes | None = None,
    published: PublishedHead | None = None,
) -> VerifyReport:
    """Check the chain, its signed heads (with ``public_key``), a head published earlier,
    then every audited row against what the chain says it should be."""
    breaches: list[Breach] = []
    hashes: dict[int, str] = {}
    expected: dict[str, dict[int, _Expectation]] = {t.name: {} for t in AUDITED_TABLES}
    bulks: list[tuple[int, str, int, int, str]] = []  # entry, table, first, last, digest
    prev = GENESIS
    last_id = 0
    count = 0
    for e in _iter_entries(conn):
        count += 1
        if e.id != last_id + 1 and not breaches:
            breaches.append(
                Breach(
                    e.id,
                    None,
                    None,
                    f"entries {last_id + 1}..{e.id - 1} are missing from the chain",
                )
            )
        last_id = e.id
        recomputed = entry_hash(
            e.prev_hash, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail
        )
        if e.prev_hash != prev:
            breaches.append(Breach(e.id, None, None, "does not chain to the entry before it"))
        elif recomputed != e.hash:
            breaches.append(
                Breach(e.id, None, None, "its content was altered after it was written")
            )
        prev = e.hash
        if breaches:
            break
        hashes[e.id] = e.hash
        _replay(e, expected, bulks)
    report = VerifyReport(entries=count, rows=0, head_hash=prev, breaches=breaches)
    if breaches:
        return report
    if public_key is not None:
        report.breaches.extend(_check_signatures(conn, hashes, last_id, public_key))
        report.signed = not report.breaches
    if published is not None and hashes.get(published.entry_id) != published.hash:
        report.breaches.append(
            Breach(
                published.entry_id,
                None,
                None,
                f"the published head (entry {published.entry_id}, {published.hash[:16]}...) is "
                "not in the chain: entries were cut from its end, or the chain was rewritten",
            )
        )
    if report.breaches:
        return report
    if expect_head is not None and expect_head != prev:
        report.breaches.append(
            Breach(
                last_id,
                None,
                None,
                f"the chain ends in {prev}, not in the expected head {expect_head}"
                " (entries were removed from its end, or others added)",
            )
        )
        return report
    report.rows, row_breaches = _check_rows(conn, expected, bulks)
    report.breaches.extend(row_breaches)
    return report


def _check_signatures(
    conn: Connection, hashes: dict[int, str], last_id: int, public_key: bytes
) -> list[Breach]:
    """Every signed head must be in the chain as signed, with a valid signature, and the
    newest entry must be a signed head: a chain recomputed without the key, or entries
    added without it, fail here."""
    breaches = []
    last_signed = 0
    stmt = select(
        audit_signatures.c.entry_id, audit_signatures.c.entry_hash, audit_signatures.c.signature
    ).order_by(audit_signatures.c.entry_id)
    for entry_id, entry_hash, signature in conn.execute(stmt):
        if not verify_head(public_key, entry_id, entry_hash, signature):
            breaches.append(
                Breach(entry_id, None, None, "its signature is not valid for this store's key")
            )
        elif hashes.get(entry_id) != entry_hash:
            breaches.append(
                Breach(
                    entry_id,
                    None,
                    None,
                    "the chain no longer holds the head that was signed here: it was "
                    "rewritten (and its hashes recomputed) after it was signed",
                )
            )
        last_signed = max(last_signed, entry_id)
        if breaches:
            return breaches
    if last_id > last_signed:
        breaches.append(
            Breach(
                last_signed + 1,
                None,
                None,
                f"entries {last_signed + 1}..{last_id} are not signed with the organisation's "
                "key: they were written without it, or their signatures were removed",
            )
        )
    return breaches


def _replay(
    e: Any,
    expected: dict[str, dict[int, _Expectation]],
    bulks: list[tuple[int, str, int, int, str]],
) -> None:
    if e.entity not in expected:
        return
    detail = json.loads(e.detail)
    rows = expected[e.entity]
    if e.action == "bulk_insert":
        first, last = detail["first_id"], detail["last_id"]
        if detail["count"]:
            bulks.append((e.id, e.entity, first, last, detail["digest"]))
            for rid in range(first, last + 1):
                rows[rid] = _Expectation(None, e.id)
    elif e.action in ("insert", "update"):
        rows[e.entity_id] = _Expectation(detail["row_hash"], e.id)
    elif e.action == "delete":
        rows.pop(e.entity_id, None)


def _check_rows(
    conn: Connection,
    expected: dict[str, dict[int, _Expectation]],
    bulks: list[tuple[int, str, int, int, str]],
) -> tuple[int, list[Breach]]:
    """Compare the rows with the replayed expectations; bulk ranges via their digests.

    A row later updated or deleted through the store is judged by the later entry; its
    place in the bulk digest is filled with the ``before_hash`` the first such entry
    recorded, so the digest still proves what the import wrote.
    """
    breaches: list[Breach] = []
    n_rows = 0
    before = _before_hashes(conn)
    for table in AUDITED_TABLES:
        want = expected[table.name]
        actual: dict[int, str] = {}
        for rid, h in _rows_by_id(conn, table):
            n_rows += 1
            actual[rid] = h
            exp = want.get(rid)
            if exp is None:
                breaches.append(
                    Breach(
                        None,
                        table.name,
                        rid,
                        "this row has no audit entry: it was added behind the store's back",
                    )
                )
            elif exp.hash is not None and exp.hash != h:
                breaches.append(
                    Breach(
                        exp.entry_id, table.name, rid, "the row was altered behind the store's back"
                    )
                )
        for rid, exp in want.items():
            if rid not in actual:
                breaches.append(
                    Breach(
                        exp.entry_id, table.name, rid, "the row was deleted behind the store's back"
                    )
                )
        for entry_id, name, first, last, dg in bulks:
            if name != table.name:
                continue
            hashes = []
            for rid in range(first, last + 1):
                if (name, rid) in before:
                    hashes.append(before[(name, rid)])
                elif rid in actual:
                    hashes.append(actual[rid])
                else:
                    hashes = []
                    break
            if hashes and digest(hashes) != dg:
                breaches.append(
                    Breach(
                        entry_id,
                        name,
                        None,
                        f"rows {first}..{last} of this bulk write no longer match "
                        "its digest: altered behind the store's back",
                    )
                )
    breaches.sort(key=lambda b: (b.entry_id is None, b.entry_id or 0, b.row_id or 0))
    return n_rows, breaches


def _before_hashes(conn: Connection) -> dict[tuple[str, int], str]:
    """The first recorded before-image of each row later updated or deleted."""
    out: dict[tuple[str, int], str] = {}
    stmt = (
        select(audit.c.entity, audit.c.entity_id, audit.c.detail)
        .where(audit.c.action.in_(("update", "delete")))
        .order_by(audit.c.id)
    )
    for entity, entity_id, detail in conn.execute(stmt):
        key = (entity, entity_id)
        if key not in out:
            before = json.loads(detail).get("before_hash")
            if before:
                out[key] = before
    return out
