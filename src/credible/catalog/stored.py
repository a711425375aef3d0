"""Runs and the stored assessment: what the stages recorded, as they recorded it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from credible.catalog._rows import plain
from credible.store import Store, latest_run, schema

R = schema.runs


def runs(store: Store, stage: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = (
        select(
            R.c.id,
            R.c.stage,
            R.c.method,
            R.c.started_at,
            R.c.finished_at,
            R.c.status,
            R.c.actor,
            R.c.seed,
            R.c.results,
        )
        .order_by(R.c.id.desc())
        .limit(limit)
    )
    if stage:
        stmt = stmt.where(R.c.stage == stage)
    with store.read() as conn:
        out = []
        for r in conn.execute(stmt):
            row = plain(r)
            results = json.loads(row.pop("results") or "null")
            row["headline"] = _headline(row["stage"], results)
            out.append(row)
        return out


def _headline(stage: str, results: Any) -> dict[str, Any]:
    """The few figures a list of runs shows; the full results stay in the run."""
    if not isinstance(results, dict):
        return {}
    keep = {
        "link": ("records", "persons", "review_queue"),
        "estimate": ("n_observed", "estimate", "lower", "upper", "method"),
        "assess": ("standard", "acts"),
    }.get(stage, ())
    return {k: results[k] for k in keep if k in results and not isinstance(results[k], dict | list)}


def assessment(store: Store) -> dict[str, Any] | None:
    """The latest assessment run's findings, elements and conclusion, and the
    analysts' element judgements in force."""
    ej = schema.element_judgements
    with store.read() as conn:
        info = latest_run(conn, "assess")
        judgements = [
            plain(r)
            for r in conn.execute(
                select(
                    ej.c.id,
                    ej.c.element,
                    ej.c.met,
                    ej.c.standard,
                    ej.c.rationale,
                    ej.c.actor,
                    ej.c.at,
                    ej.c.run_id,
                )
                .order_by(ej.c.id.desc())
                .limit(200)
            )
        ]
    if info is None:
        return None
    results = info.results or {}
    return {
        "run_id": info.id,
        "started_at": info.started_at,
        "standard": results.get("standard"),
        "findings": results.get("findings", []),
        "elements": results.get("elements", []),
        "conclusion": results.get("conclusion", {}),
        "acts_by_standard": results.get("acts_by_standard", {}),
        "warnings": results.get("warnings", []),
        "judgements": judgements,
    }
