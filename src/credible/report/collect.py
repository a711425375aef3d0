"""Read what the report shows out of the store: stored runs and the rows they name.

Nothing here estimates, links or assesses: every figure is a stored run's value or a
count over stored rows, registered with its run and query (``figures.QUERIES``). The
result is a ``ReportData`` that redaction may rewrite before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from credible.model import vocabulary
from credible.report.collect_assess import acts_and_victims, assessment_data
from credible.report.collect_runs import estimation_data, linkage_data
from credible.report.figures import Figure, Figures
from credible.store import RunInfo, Store, latest_run, schema

#: Simulator source names, and the marker the simulator puts in every file and row.
FICTIONAL_MARK = "FICTIONAL"


@dataclass
class ReportData:
    """Everything one report shows, before it is rendered (and after redaction)."""

    title: str
    edition: str
    fictional: bool
    figures: Figures
    runs: dict[str, dict[str, Any] | None]
    audit_head: dict[str, Any] | None
    store_id: str | None
    sources: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    linkage: dict[str, Any] | None = None
    estimation: dict[str, Any] | None = None
    facilities: dict[str, Any] = field(default_factory=dict)
    assessment: dict[str, Any] | None = None
    acts: list[dict[str, Any]] = field(default_factory=list)
    victims: dict[int, dict[str, Any]] = field(default_factory=dict)
    limitations: list[Figure] = field(default_factory=list)
    redaction: dict[str, Any] | None = None


def _run_row(conn: Connection, info: RunInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    r = schema.runs
    row = conn.execute(select(r.c.finished_at, r.c.actor).where(r.c.id == info.id)).one()
    return {
        "id": info.id,
        "stage": info.stage,
        "method": info.method,
        "status": info.status,
        "started_at": info.started_at,
        "finished_at": row.finished_at,
        "actor": row.actor,
        "software_version": info.software_version,
        "input_fingerprint": info.input_fingerprint,
        "seed": info.seed,
    }


def collect(store: Store, title: str, edition: str) -> ReportData:
    """Read the latest link, estimate and assess runs and the rows they rest on."""
    figs = Figures()
    with store.read() as conn:
        infos = {stage: latest_run(conn, stage) for stage in ("link", "estimate", "assess")}
        runs = {stage: _run_row(conn, info) for stage, info in infos.items()}
        data = ReportData(
            title=title,
            edition=edition,
            fictional=_is_fictional(conn),
            figures=figs,
            runs=runs,
            audit_head=_audit_head(conn),
            store_id=_store_id(conn),
        )
        for stage, run in runs.items():
            if run is not None:
                figs.add(
                    f"run.{stage}.id",
                    run["id"],
                    "runs",
                    run=run["id"],
                    stage=stage,
                    text=str(run["id"]),
                )
        _sources(conn, data, infos["assess"])
        _records(conn, data)
        if infos["link"] is not None:
            data.linkage = linkage_data(conn, figs, infos["link"])
        if infos["estimate"] is not None:
            data.estimation = estimation_data(figs, infos["estimate"])
        _facilities(conn, data)
        if infos["assess"] is not None:
            data.assessment = assessment_data(conn, figs, infos["assess"])
            data.acts, data.victims = acts_and_victims(conn, data.assessment, infos["assess"])
    data.limitations = _limitations(data, infos)
    return data


# ---- the store itself ------------------------------------------------------------------


def _is_fictional(conn: Connection) -> bool:
    """Whether the simulator made this store: its files are named ``*_FICTIONAL.*``, its
    rows carry the FICTIONAL marker."""
    ev, fac, pr = schema.evidence, schema.facilities, schema.person_records
    like = f"%{FICTIONAL_MARK}%"
    for stmt in (
        select(ev.c.id).where(ev.c.original_name.like(like)).limit(1),
        select(fac.c.id).where(fac.c.notes.like(like)).limit(1),
        select(pr.c.id).where(pr.c.notes.like(like)).limit(1),
    ):
        if conn.execute(stmt).first() is not None:
            return True
    return False


def _audit_head(conn: Connection) -> dict[str, Any] | None:
    a = schema.audit
    row = conn.execute(select(a.c.id, a.c.hash).order_by(a.c.id.desc()).limit(1)).first()
    return None if row is None else {"entry": int(row.id), "hash": row.hash}


def _store_id(conn: Connection) -> str | None:
    m = schema.store_meta
    return conn.execute(select(m.c.value).where(m.c.name == "store_id")).scalar()


def _sources(conn: Connection, data: ReportData, assess: RunInfo | None) -> None:
    s, pr, acts, al = schema.sources, schema.person_records, schema.acts, schema.allegations
    figs = data.figures
    counts: dict[str, dict[int, int]] = {}
    for name, table in (("records", pr), ("acts", acts), ("allegations", al)):
        stmt = select(table.c.source_id, func.count()).group_by(table.c.source_id)
        counts[name] = {int(k): int(v) for k, v in conn.execute(stmt)}
    used = (assess.parameters.get("grades") or {}) if assess is not None else {}
    rows = conn.execute(select(s).order_by(s.c.id)).all()
    names = {int(r.id): r.name for r in rows}
    reliability = vocabulary("reliability")
    kinds = vocabulary("source_kinds")
    for r in rows:
        sid = int(r.id)
        entry: dict[str, Any] = {
            "id": sid,
            "name": r.name,
            "kind": r.kind,
            "kind_label": kinds.terms[r.kind].label if r.kind in kinds else r.kind,
            "reliability": r.reliability,
            "reliability_label": reliability.terms[r.reliability].label
            if r.reliability in reliability
            else r.reliability,
            "grade_used": used.get(r.name),
            "derived_from": names.get(r.derived_from_id) if r.derived_from_id else None,
            "derived_from_id": r.derived_from_id,
            "confidentiality": r.confidentiality,
            "description": r.description,
        }
        for what, per in counts.items():
            entry[what] = figs.add(
                f"source.{sid}.{what}",
                per.get(sid, 0),
                f"count.{what}.by_source"
                if what != "records"
                else "count.person_records.by_source",
            )
        data.sources.append(entry)


def _records(conn: Connection, data: ReportData) -> None:
    pr = schema.person_records
    total = int(conn.execute(select(func.count()).select_from(pr)).scalar_one())
    data.records["total"] = data.figures.add("records.total", total, "count.person_records")


# ---- linkage ---------------------------------------------------------------------------


def _facilities(conn: Connection, data: ReportData) -> None:
    f, o = schema.facilities, schema.facility_observations
    figs = data.figures
    rows = conn.execute(
        select(
            f.c.id,
            f.c.external_id,
            f.c.name,
            f.c.kind,
            f.c.latitude,
            f.c.longitude,
            f.c.county,
            f.c.prefecture,
            f.c.security_tier,
            f.c.first_seen,
            f.c.capacity_estimate,
        ).order_by(f.c.id)
    ).all()
    kinds = vocabulary("facility_kinds")
    facilities = [
        {
            "id": int(r.id),
            "ref": r.external_id or str(r.id),
            "name": r.name or r.external_id or f"facility {r.id}",
            "kind": r.kind or "other",
            "kind_label": kinds.terms[r.kind].label if r.kind in kinds else (r.kind or "other"),
            "latitude": r.latitude,
            "longitude": r.longitude,
            "county": r.county,
            "prefecture": r.prefecture,
            "tier": r.security_tier,
            "first_seen": r.first_seen,
            "capacity": r.capacity_estimate,
        }
        for r in rows
    ]
    total = figs.add("facilities.total", len(facilities), "count.facilities")
    by = conn.execute(
        select(f.c.kind, f.c.security_tier, func.count())
        .group_by(f.c.kind, f.c.security_tier)
        .order_by(f.c.kind, f.c.security_tier)
    ).all()
    tiers = sorted({int(t) for _, t, _ in by if t is not None})
    table: dict[str, dict[str, Figure]] = {}
    for kind, tier, n in by:
        k = kind or "other"
        t = "none" if tier is None else str(int(tier))
        table.setdefault(k, {})[t] = figs.add(
            f"facilities.{k}.tier_{t}", int(n), "count.facilities.by_kind_tier"
        )
    year = func.substr(o.c.observed_min, 1, 4)
    obs = conn.execute(
        select(year, o.c.change, func.count())
        .where(o.c.observed_min.is_not(None))
        .group_by(year, o.c.change)
        .order_by(year, o.c.change)
    ).all()
    observations: dict[str, dict[str, Figure]] = {}
    for y, change, n in obs:
        c = change or "unchanged"
        observations.setdefault(str(y), {})[c] = figs.add(
            f"observations.{y}.{c}", int(n), "count.observations.by_year_change"
        )
    data.facilities = {
        "rows": facilities,
        "total": total,
        "by_kind_tier": table,
        "tiers": [str(t) for t in tiers] + (["none"] if any(t is None for _, t, _ in by) else []),
        "kind_labels": {k: kinds.terms[k].label if k in kinds else k for k in table},
        "observations": observations,
    }


# ---- assessment ------------------------------------------------------------------------


def _limitations(data: ReportData, infos: dict[str, RunInfo | None]) -> list[Figure]:
    """What limits the findings, said from the data: each item a figure of its own."""
    figs = data.figures
    items: list[Figure] = []

    def add(key: str, text: str, query: str, stage: str | None = None) -> None:
        run = infos[stage].id if stage and infos.get(stage) is not None else None  # type: ignore[union-attr]
        items.append(figs.add(f"limitation.{key}", text, query, run=run, stage=stage, text=text))

    if data.fictional:
        add(
            "fictional",
            "Every record in this store is FICTIONAL, made by credible's "
            "simulator: no finding here is about real people.",
            "count.person_records",
        )
    est = data.estimation
    if est is not None:
        for w in est["warnings"]:
            add(
                f"estimate.{w.key.rsplit('.', 1)[-1]}",
                f"Estimation: {w.text}",
                "estimate.results",
                "estimate",
            )
        for s in est["strata"]:
            for w in s["warnings"]:
                add(f"{w.key}", f"Stratum {s['name']}: {w.text}", "estimate.results", "estimate")
        for r in est["estimates"] + est["totals"]:
            if not r["converged"] and not r["not_run"]:
                add(
                    f"estimate.{r['method']}.not_converged",
                    f"Estimation: {r['method']} did not converge or its fit is flagged; "
                    "read its diagnostics before quoting it.",
                    "estimate.results",
                    "estimate",
                )
        spread = est.get("spread")
        if spread and spread["ratio"].value and spread["ratio"].value >= 1.5:
            add(
                "estimate.spread",
                f"The estimation methods disagree: {spread['low']['method']} gives "
                f"{spread['low']['estimate'].text} and {spread['high']['method']} gives "
                f"{spread['high']['estimate'].text} (x{spread['ratio'].text}). Quote the "
                "range, not one figure.",
                "estimate.spread",
                "estimate",
            )
    link = data.linkage
    if link is not None:
        queue = link.get("review_queue")
        if queue is not None and queue.value:
            add(
                "link.review_queue",
                f"{queue.text} pairs of records were left in the review band by the linkage "
                f"run ({link['judgements_since'].text} reviewer decisions recorded since): "
                "each may be one person counted twice, or two people counted as one.",
                "link.results",
                "link",
            )
        for w in link["warnings"]:
            add(f"link.{w.key}", f"Linkage: {w.text}", "link.results", "link")
    else:
        add("link.none", "No linkage run: records are not resolved into persons.", "runs")
    graded_f = [s["name"] for s in data.sources if s["reliability"] == "F"]
    if graded_f:
        add(
            "sources.graded_f",
            f"{len(graded_f)} source(s) are graded F (reliability cannot "
            f"be judged) and weigh nothing: {', '.join(graded_f)}.",
            "sources.graded_f",
        )
    a = data.assessment
    if a is not None:
        for w in a["warnings"]:
            add(f"assess.{w.key}", f"Assessment: {w.text}", "assess.results", "assess")
        c = a["conclusion"]
        if c["unjudged"]:
            add(
                "assess.unjudged",
                "No conclusion under article 7 is stated: "
                f"{len(c['unjudged'])} element(s) have not been judged by an analyst.",
                "assess.results",
                "assess",
            )
    else:
        add(
            "assess.none",
            "No assessment run: no act has been tested against a standard of proof.",
            "runs",
        )
    return items
