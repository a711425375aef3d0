"""Sources: grade, what they derive from, imports, evidence files with custody."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from credible.catalog._rows import plain
from credible.errors import NotFoundError
from credible.store import Store, check_chain, custody_chain, schema, signing_keys

S = schema.sources


def confidential_sources(store: Store) -> set[str]:
    with store.read() as conn:
        return {
            r[0]
            for r in conn.execute(select(S.c.name).where(S.c.confidentiality == "confidential"))
        }


def sources(store: Store) -> list[dict[str, Any]]:
    pr = schema.person_records
    n = select(pr.c.source_id, func.count().label("records")).group_by(pr.c.source_id).subquery()
    parent = S.alias("parent")
    stmt = (
        select(
            S.c.id,
            S.c.name,
            S.c.kind,
            S.c.reliability,
            S.c.confidentiality,
            S.c.description,
            parent.c.name.label("derived_from"),
            func.coalesce(n.c.records, 0).label("records"),
        )
        .outerjoin(parent, parent.c.id == S.c.derived_from_id)
        .outerjoin(n, n.c.source_id == S.c.id)
        .order_by(S.c.name)
    )
    with store.read() as conn:
        return [
            {**plain(r), "confidential": r.confidentiality == "confidential"}
            for r in conn.execute(stmt)
        ]


def source(store: Store, source_id: int) -> dict[str, Any]:
    found = [s for s in sources(store) if s["id"] == source_id]
    if not found:
        raise NotFoundError(f"no source with id {source_id}")
    out = found[0]
    imp, ev, gr = schema.imports, schema.evidence, schema.source_grades
    with store.read() as conn:
        out["imports"] = [
            plain(r)
            for r in conn.execute(
                select(
                    imp.c.id,
                    imp.c.kind,
                    imp.c.rows,
                    imp.c.at,
                    imp.c.actor,
                    ev.c.original_name,
                    ev.c.sha256,
                )
                .join(ev, ev.c.id == imp.c.evidence_id)
                .where(imp.c.source_id == source_id)
                .order_by(imp.c.id)
            )
        ]
        evidence = [
            plain(r)
            for r in conn.execute(
                select(
                    ev.c.id,
                    ev.c.sha256,
                    ev.c.size,
                    ev.c.media_type,
                    ev.c.original_name,
                    ev.c.acquired_at,
                    ev.c.acquired_by,
                )
                .where(ev.c.source_id == source_id)
                .order_by(ev.c.id)
            )
        ]
        keys = signing_keys(conn) if evidence else {}
        for e in evidence:
            # Each signature checked as the page is read, as `credible evidence custody`
            # does: a chain edited in the database shows here, not only on the terminal.
            sha, events = custody_chain(conn, e["id"])
            e["custody"] = [
                {"at": c.at, "actor": c.actor, "action": c.action, "reason": c.reason}
                for c in events
            ]
            problems = check_chain(sha, events, keys)
            e["custody_intact"] = not problems
            e["custody_problems"] = [str(p) for p in problems]
        out["evidence"] = evidence
        out["grades"] = [
            plain(r)
            for r in conn.execute(
                select(gr.c.reliability, gr.c.rationale, gr.c.actor, gr.c.at)
                .where(gr.c.source_id == source_id)
                .order_by(gr.c.id)
            )
        ]
    return out


def counts(store: Store) -> dict[str, int]:
    tables = ("sources", "person_records", "persons", "facilities", "acts", "runs")
    return {name: store.count(store.table(name)) for name in tables}
