"""Crimes against humanity (Rome Statute art. 7): for each contextual element, the
evidence the store holds, and the analyst's judgement on it.

The tool gathers and computes; only an analyst concludes, with an append-only,
audited judgement per element. "May constitute crimes against humanity" is said only
when every element has been judged met at the chosen standard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from credible.assess.findings import Finding
from credible.assess.sources import Source
from credible.errors import InputError, Problem
from credible.model import vocabulary
from credible.store import Store, now, schema

ELEMENTS_VOCAB = "crimes_against_humanity"
#: Kinds of source that can show a policy or plan (art. 7(2)(a): "pursuant to or in
#: furtherance of a State or organizational policy").
POLICY_KINDS = ("leaked_document", "official_statement")
CONCLUSION = "may constitute crimes against humanity"


@dataclass
class Element:
    code: str
    label: str
    evidence: dict[str, Any]
    judgement: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.code,
            "label": self.label,
            "evidence": self.evidence,
            "judgement": self.judgement,
        }


def judge_element(
    store: Store,
    actor: str,
    element: str,
    met: str,
    rationale: str,
    standard: str,
    run_id: int | None = None,
) -> int:
    voc = vocabulary(ELEMENTS_VOCAB)
    problems = []
    if element not in voc:
        problems.append(Problem("ELEMENT", None, None, f"one of {voc.describe()}", element))
    if met not in ("yes", "no"):
        problems.append(Problem("--met", None, None, "yes or no", met))
    if standard not in vocabulary("standards_of_proof"):
        problems.append(
            Problem("--standard", None, None, vocabulary("standards_of_proof").describe(), standard)
        )
    if not rationale.strip():
        problems.append(Problem("--rationale", None, None, "the reasons for the judgement"))
    if problems:
        raise InputError(problems, "the judgement was not recorded")
    with store.write(actor) as uow:
        return uow.insert(
            schema.element_judgements,
            element=element,
            met=met,
            standard=standard,
            rationale=rationale,
            run_id=run_id,
            actor=actor,
            at=now(),
        )


def latest_judgements(conn: Connection, standard: str) -> dict[str, dict[str, Any]]:
    j = schema.element_judgements
    rows = conn.execute(select(j).where(j.c.standard == standard).order_by(j.c.id)).all()
    return {
        r.element: {"met": r.met, "rationale": r.rationale, "actor": r.actor, "at": r.at,
                    "standard": r.standard, "judgement_id": r.id}
        for r in rows
    }  # fmt: skip


def gather(
    findings: list[Finding],
    acts: pd.DataFrame,
    victims: pd.DataFrame,
    sources: dict[int, Source],
    allegation_sources: pd.Series,
    estimation: dict[str, Any] | None,
    judgements: dict[str, dict[str, Any]],
) -> list[Element]:
    """``acts`` with standard_met ranks already applied: the established acts; ``victims``
    one row per identified victim (role, ethnicity)."""
    established = [f for f in findings if f.established]
    total_acts = sum(f.acts_established for f in established)
    months = sorted({d.strftime("%Y-%m") for d in acts["date_min"].dropna()}) if len(acts) else []
    per_facility = acts.dropna(subset=["facility_id"]).groupby("facility_id")["type"].nunique()
    evidence: dict[str, dict[str, Any]] = {
        "widespread_or_systematic_attack": {
            "acts_established": total_acts,
            "identified_victims": int(victims["person"].nunique()) if len(victims) else 0,
            "facilities": int(acts["facility_id"].nunique()),
            "act_types_established": len(established),
            "facilities_with_several_act_types": int((per_facility >= 2).sum()),
            "months_with_established_acts": len(months),
            "first": months[0] if months else None,
            "last": months[-1] if months else None,
            "estimated_total": estimation,
            "note": "scale (how many) bears on 'widespread'; the same acts at many "
            "facilities over a long span bear on 'systematic'",
        },
        "directed_against_civilian_population": {
            "identified_victims_by_role": dict(Counter(victims["role"].fillna("not stated"))),
            "identified_victims_by_ethnicity": dict(
                Counter(victims["ethnicity"].fillna("not stated")).most_common(10)
            ),
            "note": "who the victims were: civilians, and which groups",
        },
        "knowledge_of_attack": {
            "policy_sources": [
                {
                    "source": s.name,
                    "kind": s.kind,
                    "reliability": s.reliability,
                    "allegations": int((allegation_sources == s.id).sum()),
                }
                for s in sources.values()
                if s.kind in POLICY_KINDS
            ],
            "note": "documents and statements that show a policy or its execution "
            "(art. 7(2)(a)); the analyst reads them",
        },
        "underlying_act": {
            "act_types_established": {
                f.act_type: {
                    "acts": f.acts_established,
                    "cites": vocabulary("act_types").terms[f.act_type].extra.get("cites", []),
                }
                for f in established
            },
        },
    }
    voc = vocabulary(ELEMENTS_VOCAB)
    return [
        Element(code, voc.terms[code].label, evidence.get(code, {}), judgements.get(code))
        for code in voc.codes
    ]


def conclusion(elements: list[Element], standard: str) -> dict[str, Any]:
    """The art. 7 conclusion: stated only when every element was judged met."""
    unjudged = [e.code for e in elements if e.judgement is None]
    not_met = [e.code for e in elements if e.judgement and e.judgement["met"] != "yes"]
    reached = not unjudged and not not_met
    return {
        "standard": standard,
        "statement": f"The acts established {CONCLUSION}." if reached else None,
        "unjudged": unjudged,
        "judged_not_met": not_met,
    }
