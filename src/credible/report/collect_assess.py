"""The report's figures from the stored assessment run: findings, the policy applied,
the contradicting information weighed, and the acts with their victims."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, select

from credible.model import vocabulary
from credible.report.figures import Figure, Figures
from credible.store import RunInfo, schema


def assessment_data(conn: Connection, figs: Figures, run: RunInfo) -> dict[str, Any]:
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


def acts_and_victims(
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


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out += _flatten(f"{prefix}.{k}", v)
        return out
    return [(prefix, value)]
