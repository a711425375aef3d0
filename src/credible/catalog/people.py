"""Person records and Persons (the latest linkage run's clusters)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from credible.catalog._rows import plain
from credible.errors import NotFoundError
from credible.names import detect_script, romanize
from credible.store import Store, latest_run, schema

PR, S = schema.person_records, schema.sources
P, PM = schema.persons, schema.person_members

_COLUMNS = (
    PR.c.id, S.c.name.label("source"), S.c.confidentiality, PR.c.source_row, PR.c.external_id,
    PR.c.name, PR.c.name_script, PR.c.given_name, PR.c.father_name, PR.c.family_name,
    PR.c.sex, PR.c.birth_date, PR.c.birthplace, PR.c.residence, PR.c.ethnicity, PR.c.role,
    PR.c.facility, PR.c.detained, PR.c.notes, PR.c.contact,
)  # fmt: skip


def _link_run(conn: Connection) -> int | None:
    info = latest_run(conn, "link")
    return None if info is None else info.id


def _written(r: dict[str, Any]) -> str:
    return r.get("name") or " ".join(
        str(r[k]) for k in ("given_name", "father_name", "family_name") if r.get(k)
    )


def _record(store: Store, row: Any, person_of: dict[int, int]) -> dict[str, Any]:
    r = plain(row)
    written = _written(r)
    r["written"] = written
    r["romanised"] = romanize(written) if written else ""
    r["script"] = r.get("name_script") or (detect_script(written) if written else None)
    r["confidential"] = r.pop("confidentiality") == "confidential"
    r["contact"] = store.cipher.decrypt(row.contact) if row.contact is not None else None
    r["person_id"] = person_of.get(r["id"])
    return r


def _persons_of(conn: Connection, run_id: int | None, ids: list[int]) -> dict[int, int]:
    if run_id is None or not ids:
        return {}
    stmt = (
        select(PM.c.record_id, PM.c.person_id)
        .join(P, P.c.id == PM.c.person_id)
        .where(P.c.run_id == run_id, PM.c.record_id.in_(ids))
    )
    return {int(a): int(b) for a, b in conn.execute(stmt)}


def records(
    store: Store,
    ids: list[int] | None = None,
    limit: int = 100,
    offset: int = 0,
    *,
    exclude_confidential: bool = False,
) -> list[dict[str, Any]]:
    """Person records by id, or a page of them. A page for a role that may not see
    confidential sources leaves them out in SQL, so that the page is full and offsets
    count what that role sees (dropping them afterwards would leave short or empty pages)."""
    stmt = select(*_COLUMNS).join(S, S.c.id == PR.c.source_id).order_by(PR.c.id)
    if exclude_confidential:
        stmt = stmt.where(S.c.confidentiality != "confidential")
    stmt = stmt.where(PR.c.id.in_(ids)) if ids is not None else stmt.limit(limit).offset(offset)
    with store.read() as conn:
        rows = conn.execute(stmt).all()
        person_of = _persons_of(conn, _link_run(conn), [int(r.id) for r in rows])
    return [_record(store, r, person_of) for r in rows]


def record(store: Store, record_id: int) -> dict[str, Any]:
    found = records(store, [record_id])
    if not found:
        raise NotFoundError(f"no person record with id {record_id}")
    return found[0]


def persons(store: Store, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """The latest linkage run's Persons, largest first."""
    with store.read() as conn:
        run_id = _link_run(conn)
        if run_id is None:
            return []
        stmt = (
            select(P.c.id, P.c.label, P.c.size)
            .where(P.c.run_id == run_id)
            .order_by(P.c.size.desc(), P.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [{**plain(r), "run_id": run_id} for r in conn.execute(stmt)]


def person(store: Store, person_id: int) -> dict[str, Any]:
    """A Person: its records side by side, and the scored pairs between them."""
    with store.read() as conn:
        row = conn.execute(
            select(P.c.id, P.c.label, P.c.size, P.c.run_id).where(P.c.id == person_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no person with id {person_id}")
        members = conn.execute(
            select(PM.c.record_id, PM.c.match_probability, PM.c.decided_by)
            .where(PM.c.person_id == person_id)
            .order_by(PM.c.record_id)
        ).all()
        ids = [int(m.record_id) for m in members]
        ms = schema.match_scores
        pairs = conn.execute(
            select(ms.c.record_l, ms.c.record_r, ms.c.match_probability, ms.c.match_weight)
            .where(ms.c.run_id == row.run_id, ms.c.record_l.in_(ids), ms.c.record_r.in_(ids))
            .order_by(ms.c.match_probability.desc())
            .limit(50)
        ).all()
        n = conn.execute(
            select(func.count()).select_from(PM).where(PM.c.person_id == person_id)
        ).scalar_one()
    recs = records(store, ids)
    how = {int(m.record_id): (m.match_probability, m.decided_by) for m in members}
    for r in recs:
        r["match_probability"], r["decided_by"] = how.get(r["id"], (None, None))
    return {
        "id": int(row.id),
        "label": row.label,
        "size": int(n),
        "run_id": row.run_id,
        "records": recs,
        "pairs": [plain(p) for p in pairs],
    }
