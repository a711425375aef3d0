"""Read what the report shows out of the store: stored runs and the rows they name.

Nothing here estimates, links or assesses: every figure is a stored run's value or a
count over stored rows, registered with its run and query (``figures.QUERIES``). The
result is a ``ReportData`` that redaction may rewrite before anything is rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, select

from credible.model import vocabulary
from credible.report.figures import Figure, Figures
from credible.store import RunInfo, Store, latest_run, schema

#: Simulator source names, and the marker the simulator puts in every file and row.
FICTIONAL_MARK = "FICTIONAL"

#: Why the methods give different totals: each one's assumption, in a line (the full
#: table is in docs/estimation.md).
METHOD_ASSUMPTIONS = {
    "chapman": "two lists, independent, everyone equally likely to be listed",
    "loglinear": "the dependence between lists is captured by the interactions of the "
    "model chosen by AIC; the highest-order interaction is assumed absent",
    "Mt": "lists independent and everyone equally likely to be on each: a baseline that "
    "heterogeneity pushes too low",
    "Mth-Chao": "heterogeneity between people, as a lower bound",
    "Mth-Darroch": "heterogeneity of a parametric form; the upper end can be large",
    "Mth-Poisson2": "heterogeneity of another parametric form",
    "lcmcr": "latent classes of people, lists independent within a class (Bayesian)",
    "dga": "lists depend on each other as decomposable graphical models, averaged over "
    "all of them (Bayesian)",
}


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
            data.linkage = _linkage(conn, figs, infos["link"])
        if infos["estimate"] is not None:
            data.estimation = _estimation(figs, infos["estimate"])
        _facilities(conn, data)
        if infos["assess"] is not None:
            data.assessment = _assessment(conn, figs, infos["assess"])
            data.acts, data.victims = _acts(conn, data.assessment, infos["assess"])
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


def _linkage(conn: Connection, figs: Figures, run: RunInfo) -> dict[str, Any]:
    res = run.results or {}
    settings = run.parameters.get("settings") or {}
    rid = run.id

    def fig(key: str, value: Any, query: str, **kw: Any) -> Figure:
        return figs.add(f"link.{key}", value, query, run=rid, stage="link", **kw)

    out: dict[str, Any] = {"run": rid, "method": run.method}
    for key in (
        "records",
        "persons",
        "merged_persons",
        "pairs_scored",
        "pairs_stored",
        "review_queue",
        "judgements",
        "cut_by_rejection",
    ):
        if key in res:
            out[key] = fig(key, int(res[key]), "link.results")
    threshold = float(settings.get("match_threshold", 0.5))
    lower = float(settings.get("review_lower", threshold))
    upper = float(settings.get("review_upper", 1.0))
    out["threshold"] = fig("match_threshold", threshold, "link.parameters", digits=2)
    out["review_lower"] = fig("review_lower", lower, "link.parameters", digits=2)
    out["review_upper"] = fig("review_upper", upper, "link.parameters", digits=2)
    out["seed"] = fig("seed", run.seed, "link.parameters", text=str(run.seed))
    out["exclusive"] = bool(settings.get("exclusive", False))
    ms = schema.match_scores
    n_above, mean_above = conn.execute(
        select(func.count(), func.avg(ms.c.match_probability)).where(
            ms.c.run_id == rid, ms.c.match_probability >= threshold
        )
    ).one()
    out["pairs_above"] = fig("pairs_above_threshold", int(n_above), "link.scores.above")
    out["expected_precision"] = fig(
        "expected_precision",
        None if mean_above is None else round(float(mean_above), 4),
        "link.scores.above",
        digits=3,
    )
    band = conn.execute(
        select(func.count()).where(
            ms.c.run_id == rid, ms.c.match_probability >= lower, ms.c.match_probability < upper
        )
    ).scalar_one()
    out["pairs_in_band"] = fig("pairs_in_band", int(band), "link.scores.band")
    finished = conn.execute(select(schema.runs.c.finished_at).where(schema.runs.c.id == rid))
    finished_at = finished.scalar()
    j = schema.judgements
    since = conn.execute(
        select(func.count()).select_from(j).where(j.c.at > (finished_at or ""))
    ).scalar_one()
    out["judgements_since"] = fig("judgements_since", int(since), "link.judgements.since")
    sessions = (run.parameters.get("metadata") or {}).get("em_sessions") or []
    converged = sum(1 for s in sessions if s.get("converged", True) and "failed" not in s)
    out["em_sessions"] = fig("em_sessions", len(sessions), "link.em")
    out["em_converged"] = fig("em_converged", converged, "link.em")
    out["warnings"] = [
        fig(f"warning.{i}", w, "link.results", text=str(w))
        for i, w in enumerate(res.get("warnings") or [])
    ]
    return out


# ---- estimation ------------------------------------------------------------------------


def _estimation(figs: Figures, run: RunInfo) -> dict[str, Any]:
    res = run.results or {}
    rid = run.id

    def fig(key: str, value: Any, **kw: Any) -> Figure:
        return figs.add(
            f"estimate.{key}", value, "estimate.results", run=rid, stage="estimate", **kw
        )

    lists = list(res.get("lists") or [])
    sizes = res.get("list_sizes") or {}
    out: dict[str, Any] = {
        "run": rid,
        "seed": fig("seed", res.get("seed"), text=str(res.get("seed"))),
        "n_observed": fig("n_observed", int(res.get("n_observed") or 0)),
        "lists": [
            {"name": name, "size": fig(f"list.{i}.size", int(sizes.get(name, 0)))}
            for i, name in enumerate(lists)
        ],
        "list_names": lists,
        "patterns": res.get("patterns") or [],
        "by": res.get("by"),
    }
    out["patterns_figure"] = fig("patterns", len(out["patterns"]), text=f"{len(out['patterns']):,}")
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for e in res.get("estimates") or []:
        if e.get("stratum") is not None and not e.get("of_strata"):
            continue
        tag = e["method"] + (".total" if e.get("of_strata") else "")
        level = float(e.get("level") or 0.95)
        row = {
            "method": e["method"],
            "model": e.get("model") or "",
            "of_strata": bool(e.get("of_strata")),
            "estimate": fig(f"{tag}.estimate", e.get("estimate")),
            "lower": fig(f"{tag}.lower", e.get("lower")),
            "upper": fig(
                f"{tag}.upper",
                e.get("upper"),
                text=None
                if e.get("upper") is not None or e.get("estimate") is None
                else "unbounded",
            ),
            "level": fig(f"{tag}.level", level, text=f"{level:.0%}"),
            "converged": bool(e.get("converged", True)),
            "not_run": e.get("model") == "not run",
            "warnings": [
                w for w in e.get("warnings") or [] if w not in (res.get("warnings") or [])
            ],
            "assumption": METHOD_ASSUMPTIONS.get(e["method"], ""),
        }
        row["own_warnings"] = [
            fig(f"{tag}.warning.{i}", w, text=str(w)) for i, w in enumerate(row["warnings"])
        ]
        (totals if row["of_strata"] else rows).append(row)
    out["estimates"] = rows
    out["totals"] = totals
    usable = [r for r in rows if not r["not_run"] and r["estimate"].value is not None]
    if len(usable) >= 2:
        lo = min(usable, key=lambda r: r["estimate"].value)
        hi = max(usable, key=lambda r: r["estimate"].value)
        ratio = hi["estimate"].value / lo["estimate"].value if lo["estimate"].value else None
        spread_fig = figs.add(
            "estimate.spread.ratio",
            None if ratio is None else round(ratio, 3),
            "estimate.spread",
            run=rid,
            stage="estimate",
            digits=2,
        )
        out["spread"] = {"low": lo, "high": hi, "ratio": spread_fig}
    out["warnings"] = [
        fig(f"warning.{i}", w, text=str(w)) for i, w in enumerate(res.get("warnings") or [])
    ]
    out["strata"] = [
        {
            "name": name,
            "n_observed": fig(f"stratum.{i}.n_observed", int(s.get("n_observed", 0))),
            "warnings": [
                fig(f"stratum.{i}.warning.{k}", w, text=str(w))
                for k, w in enumerate(s.get("warnings") or [])
            ],
        }
        for i, (name, s) in enumerate(sorted((res.get("strata") or {}).items()))
    ]
    return out


# ---- facilities ------------------------------------------------------------------------


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


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out += _flatten(f"{prefix}.{k}", v)
        return out
    return [(prefix, value)]


def _assessment(conn: Connection, figs: Figures, run: RunInfo) -> dict[str, Any]:
    res = run.results or {}
    rid = run.id
    standard = str(res.get("standard") or run.parameters.get("standard") or "")
    ordered = (
        list((res.get("acts_by_standard") or {}).keys()) or vocabulary("standards_of_proof").codes
    )
    established_codes = ordered[ordered.index(standard) :] if standard in ordered else []
    std_voc = vocabulary("standards_of_proof")
    acts_voc = vocabulary("act_types")

    def fig(key: str, value: Any, query: str = "assess.results", **kw: Any) -> Figure:
        return figs.add(f"assess.{key}", value, query, run=rid, stage="assess", **kw)

    by_std = [
        {
            "code": code,
            "label": std_voc.terms[code].label if code in std_voc else code,
            "acts": fig(f"acts_by_standard.{code}", int(n)),
        }
        for code, n in (res.get("acts_by_standard") or {}).items()
    ]
    out: dict[str, Any] = {
        "run": rid,
        "standard": standard,
        "standard_label": std_voc.terms[standard].label if standard in std_voc else standard,
        "established_codes": established_codes,
        "acts_total": fig("acts", int(res.get("acts") or 0)),
        "acts_by_standard": by_std,
        "policy": res.get("policy") or {},
        "policy_rules": run.parameters.get("policy") or {},
        "warnings": [
            fig(f"warning.{i}", w, text=str(w)) for i, w in enumerate(res.get("warnings") or [])
        ],
    }
    out["policy_figures"] = _policy_figures(fig, run.parameters.get("policy") or {})
    headline = res.get("estimation")
    if headline:
        out["headline"] = {
            "method": headline.get("method"),
            "run": headline.get("run_id"),
            "estimate": fig("headline.estimate", headline.get("estimate")),
            "lower": fig("headline.lower", headline.get("lower")),
            "upper": fig("headline.upper", headline.get("upper")),
        }
    contradicted = _contradicted(conn, rid, established_codes)
    findings = []
    for f in res.get("findings") or []:
        t = f["act_type"]
        label = acts_voc.terms[t].label if t in acts_voc else t
        entry: dict[str, Any] = {"type": t, "label": label}
        for key in (
            "acts_alleged",
            "acts_established",
            "incidents_established",
            "victims",
            "facilities",
            "counties",
        ):
            entry[key] = fig(f"finding.{t}.{key}", int(f.get(key) or 0))
        entry["first"] = fig(f"finding.{t}.first", f.get("first"), text=f.get("first") or "–")
        entry["last"] = fig(f"finding.{t}.last", f.get("last"), text=f.get("last") or "–")
        entry["statement"] = fig(
            f"finding.{t}.statement", f.get("statement"), text=f.get("statement") or ""
        )
        entry["by_standard"] = [
            {
                "code": c,
                "label": std_voc.terms[c].label if c in std_voc else c,
                "acts": fig(f"finding.{t}.by_standard.{c}", int(n)),
            }
            for c, n in (f.get("by_standard") or {}).items()
        ]
        entry["sensitivity"] = [
            {
                "left_out": s.get("left_out"),
                "holds": bool(s.get("holds")),
                "acts": fig(f"finding.{t}.sensitivity.{i}", int(s.get("acts_established") or 0)),
            }
            for i, s in enumerate(f.get("sensitivity") or [])
        ]
        share = f.get("share_of_estimate")
        if share:
            entry["share"] = fig(
                f"finding.{t}.share_of_estimate",
                share.get("share"),
                text=f"{100 * float(share.get('share') or 0):.1f}%",
            )
        c_all, c_est = contradicted.get(t, (0, 0))
        entry["contradicted"] = fig(f"finding.{t}.contradicted", c_all, "assess.contradicted")
        entry["contradicted_established"] = fig(
            f"finding.{t}.contradicted_established", c_est, "assess.contradicted"
        )
        findings.append(entry)
    out["findings"] = findings
    elements = []
    for e in res.get("elements") or []:
        code = e.get("element")
        evidence = [
            {
                "key": k.lstrip("."),
                "value": fig(
                    f"element.{code}{k}",
                    v,
                    text=v
                    if isinstance(v, str)
                    else json.dumps(v, ensure_ascii=False)
                    if not isinstance(v, int | float) or isinstance(v, bool)
                    else None,
                ),
            }
            for k, v in _flatten("", e.get("evidence") or {})
            if v is not None and v != [] and v != {}
        ]
        judgement = e.get("judgement")
        if judgement:
            judgement = {
                "met": judgement.get("met"),
                "standard": judgement.get("standard"),
                "rationale": fig(
                    f"element.{code}.judgement.rationale",
                    judgement.get("rationale"),
                    text=str(judgement.get("rationale") or ""),
                ),
                "actor": judgement.get("actor"),
                "at": fig(
                    f"element.{code}.judgement.at",
                    judgement.get("at"),
                    text=str(judgement.get("at") or ""),
                ),
            }
        elements.append(
            {
                "code": code,
                "label": e.get("label") or code,
                "evidence": evidence,
                "judgement": judgement,
            }
        )
    out["elements"] = elements
    conclusion = res.get("conclusion") or {}
    out["conclusion"] = {
        "statement": conclusion.get("statement"),
        "unjudged": conclusion.get("unjudged") or [],
        "judged_not_met": conclusion.get("judged_not_met") or [],
    }
    return out


def _policy_figures(fig: Any, policy: dict[str, Any]) -> dict[str, Any]:
    """The policy the run used, each number a figure of the run's parameters."""
    q = "assess.parameters"
    out: dict[str, Any] = {
        "version": fig(
            "policy.version", policy.get("version"), q, text=f"v{policy.get('version')}"
        ),
        "standards": [],
        "weights": {},
        "factor": fig(
            "policy.contradictions.factor",
            (policy.get("contradictions") or {}).get("factor"),
            q,
            digits=1,
        ),
    }
    std_voc = vocabulary("standards_of_proof")
    order = {c: i for i, c in enumerate(std_voc.codes)}
    standards = policy.get("standards") or {}
    for code in sorted(standards, key=lambda c: order.get(c, len(order))):
        conditions = []
        for i, c in enumerate(standards[code].get("any_of") or []):
            conditions.append(
                {
                    "sources": fig(
                        f"policy.{code}.{i}.min_independent_sources",
                        c.get("min_independent_sources"),
                        q,
                    ),
                    "support": fig(
                        f"policy.{code}.{i}.min_support", c.get("min_support"), q, digits=2
                    ),
                }
            )
        label = std_voc.terms[code].label if code in std_voc else code
        out["standards"].append({"code": code, "label": label, "conditions": conditions})
    for scale in ("reliability", "credibility"):
        weights = (policy.get("weights") or {}).get(scale) or {}
        out["weights"][scale] = [
            {"grade": g, "weight": fig(f"policy.weights.{scale}.{g}", w, q, digits=1)}
            for g, w in weights.items()
        ]
    return out


def _contradicted(
    conn: Connection, run_id: int, established: list[str]
) -> dict[str, tuple[int, int]]:
    """Per act type: acts with a contradicting claim, and how many of them the run still
    found established."""
    acts, al, asm = schema.acts, schema.allegations, schema.assessments
    stmt = (
        select(acts.c.type, acts.c.id, asm.c.result)
        .join(al, al.c.act_id == acts.c.id)
        .join(asm, and_(asm.c.act_id == acts.c.id, asm.c.run_id == run_id), isouter=True)
        .where(al.c.stance == "contradicts")
        .distinct()
    )
    out: dict[str, list[int]] = {}
    for t, _, result in conn.execute(stmt):
        counts = out.setdefault(t, [0, 0])
        counts[0] += 1
        counts[1] += int(result in established)
    return {t: (a, b) for t, (a, b) in out.items()}


def _acts(
    conn: Connection, assessment: dict[str, Any], run: RunInfo
) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """The established acts of the run, each with its allegations and victim record."""
    acts, asm, al = schema.acts, schema.assessments, schema.allegations
    fac, src, pr = schema.facilities, schema.sources, schema.person_records
    codes = assessment["established_codes"]
    if not codes:
        return [], {}
    stmt = (
        select(
            acts.c.id,
            acts.c.external_id,
            acts.c.type,
            acts.c.date,
            acts.c.date_min,
            acts.c.date_max,
            acts.c.facility_id,
            acts.c.place,
            acts.c.victim_record_id,
            acts.c.source_id,
            asm.c.result,
            asm.c.score,
            asm.c.rationale,
            fac.c.name.label("facility_name"),
            fac.c.external_id.label("facility_ref"),
            fac.c.county,
            fac.c.prefecture,
        )
        .join(asm, and_(asm.c.act_id == acts.c.id, asm.c.run_id == run.id))
        .join(fac, fac.c.id == acts.c.facility_id, isouter=True)
        .where(asm.c.result.in_(codes))
        .order_by(acts.c.type, acts.c.date_min, acts.c.id)
    )
    rows = conn.execute(stmt).all()
    claims: dict[int, list[dict[str, Any]]] = {}
    cstmt = (
        select(
            al.c.act_id,
            al.c.external_id,
            al.c.id,
            al.c.source_id,
            src.c.name,
            src.c.reliability,
            al.c.credibility,
            al.c.stance,
        )
        .join(asm, and_(asm.c.act_id == al.c.act_id, asm.c.run_id == run.id))
        .join(src, src.c.id == al.c.source_id)
        .where(asm.c.result.in_(codes))
        .order_by(al.c.act_id, al.c.id)
    )
    for r in conn.execute(cstmt):
        claims.setdefault(int(r.act_id), []).append(
            {
                "ref": r.external_id or str(r.id),
                "source_id": int(r.source_id),
                "source": r.name,
                "reliability": r.reliability,
                "credibility": r.credibility,
                "stance": r.stance or "supports",
            }
        )
    victim_ids = sorted({int(r.victim_record_id) for r in rows if r.victim_record_id is not None})
    victims: dict[int, dict[str, Any]] = {}
    for start in range(0, len(victim_ids), 5000):
        part = victim_ids[start : start + 5000]
        for v in conn.execute(
            select(
                pr.c.id,
                pr.c.name,
                pr.c.given_name,
                pr.c.father_name,
                pr.c.family_name,
                pr.c.role,
                pr.c.consent_to_publish,
            ).where(pr.c.id.in_(part))
        ):
            written = v.name or " ".join(
                p for p in (v.given_name, v.father_name, v.family_name) if p
            )
            victims[int(v.id)] = {
                "name": written or None,
                "role": v.role,
                "consent": v.consent_to_publish,
            }
    std_voc = vocabulary("standards_of_proof")
    out = []
    for r in rows:  # type: ignore[assignment]
        out.append(
            {
                "id": int(r.id),
                "ref": r.external_id or str(r.id),
                "type": r.type,
                "date": r.date,
                "date_min": None if r.date_min is None else str(r.date_min),
                "date_max": None if r.date_max is None else str(r.date_max),
                "facility_id": r.facility_id,
                "facility": r.facility_name,
                "facility_ref": r.facility_ref,
                "county": r.county,
                "prefecture": r.prefecture,
                "place": r.place,
                "victim_record_id": r.victim_record_id,
                "victim": None,  # filled by the edition: a name, a pseudonym or withheld
                "standard": r.result,
                "standard_label": std_voc.terms[r.result].label
                if r.result in std_voc
                else r.result,
                "score": None if r.score is None else f"{float(r.score):.2f}",
                "rationale": r.rationale,
                "allegations": claims.get(int(r.id), []),
            }
        )
    return out, victims


# ---- limitations -----------------------------------------------------------------------


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
