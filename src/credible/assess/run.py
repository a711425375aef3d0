"""An assessment run: every act against the policy, findings per act type, the art. 7
elements, stored as a run (policy, grades used, software version, input fingerprint)
with one ``assessments`` row per act and per finding."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from credible import __version__
from credible.assess.elements import Element, conclusion, gather, latest_judgements
from credible.assess.engine import SUPPORTS, Weighed, claim_table, rank, weigh
from credible.assess.findings import Finding, estimate_share, findings, leave_one_out
from credible.assess.incidents import group_incidents
from credible.assess.inputs import Inputs, load_inputs
from credible.assess.policy import Policy, load_policy
from credible.assess.sources import chain_reliability
from credible.errors import InputError, Problem
from credible.model import vocabulary
from credible.store import Store, finish_run, latest_run, now, schema, start_run

DEFAULT_STANDARD = "reasonable_grounds_to_believe"


@dataclass
class AssessmentRun:
    standard: str
    policy: Policy
    acts: pd.DataFrame  # one row per act: id, external_id, type, incident, standard_met, ...
    findings: list[Finding]
    elements: list[Element]
    conclusion: dict[str, Any]
    grades: dict[str, str]
    link_run: int | None
    fingerprint: str
    estimation: dict[str, Any] | None
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    def act_dicts(self) -> list[dict[str, Any]]:
        cols = ["id", "external_id", "type", "standard_met", "independent_sources",
                "supporting", "contradicting", "rationale", "incident", "net_support"]  # fmt: skip
        out = []
        for row in self.acts[cols].itertuples(index=False):
            out.append(
                {"id": int(row.id), "external_id": row.external_id, "type": row.type,
                 "standard_met": row.standard_met,
                 "independent_sources": int(row.independent_sources),
                 "supporting": list(row.supporting), "contradicting": list(row.contradicting),
                 "rationale": row.rationale, "incident": int(row.incident),
                 "net_support": round(float(row.net_support), 6)}
            )  # fmt: skip
        return out

    def summary(self) -> dict[str, Any]:
        """Everything but the acts: what the run's record keeps in ``runs.results``."""
        return {
            "standard": self.standard,
            "policy": {
                "name": self.policy.name,
                "version": self.policy.version,
                "fingerprint": self.policy.fingerprint(),
            },
            "findings": [f.to_dict() for f in self.findings],
            "elements": [e.to_dict() for e in self.elements],
            "conclusion": self.conclusion,
            "grades": self.grades,
            "link_run": self.link_run,
            "estimation": self.estimation,
            "acts": len(self.acts),
            "acts_by_standard": {
                code: int((self.acts["rank"] >= rank(self.policy, code)).sum())
                for code in self.policy.ordered_standards()
            },
            "warnings": self.warnings,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "software_version": __version__,
            "input_fingerprint": self.fingerprint,
            **self.summary(),
            "acts": self.act_dicts(),
        }


def check_standard(standard: str) -> str:
    voc = vocabulary("standards_of_proof")
    if standard not in voc:
        raise InputError(
            [Problem("--standard", None, None, f"one of {voc.describe()}", standard)],
            "unknown standard of proof",
        )
    return standard


def _latest_estimate(store: Store) -> dict[str, Any] | None:
    """The latest estimation run's headline (LCMCR when it ran, else the first method
    with a finite estimate), to set findings beside."""
    with store.read() as conn:
        info = latest_run(conn, "estimate")
    if info is None or not info.results:
        return None
    overall = [e for e in info.results.get("estimates", []) if e.get("stratum") is None]
    usable = [e for e in overall if e.get("estimate") is not None]
    if not usable:
        return None
    pick = next((e for e in usable if e["method"] == "lcmcr"), usable[0])
    return {"run_id": info.id, "method": pick["method"], "estimate": pick["estimate"],
            "lower": pick.get("lower"), "upper": pick.get("upper")}  # fmt: skip


def _rationale(policy: Policy, row: Any) -> str:
    parts = [
        f"{row.independent_sources} independent source(s) in support"
        + (
            f", {row.usable_roots} with weight"
            if row.usable_roots != row.independent_sources
            else ""
        ),
        f"support {row.support:.2f}",
    ]
    if row.contradicting_roots:
        parts.append(f"contradicted by {row.contradicting_roots} ({row.contradiction:.2f})")
    parts.append(f"net {row.net:.2f}")
    met = row.standard_met
    head = f"meets {met.replace('_', ' ')}" if met else "meets no standard of proof"
    return f"{head}: " + "; ".join(parts)


def assess(
    store: Store,
    actor: str,
    standard: str = DEFAULT_STANDARD,
    policy_path: Path | None = None,
    record: bool = True,
) -> AssessmentRun:
    check_standard(standard)
    policy = load_policy(policy_path)
    with store.read() as conn:
        inputs = load_inputs(conn)
        judged = latest_judgements(conn, standard)
        victims = _victim_records(conn)
    run = evaluate_inputs(inputs, policy, standard, judged, victims, _latest_estimate(store))
    if record:
        run.run_id = _record(store, actor, run, policy_path)
    return run


def _victim_records(conn: Any) -> pd.DataFrame:
    pr = schema.person_records
    result = conn.execute(select(pr.c.id, pr.c.role, pr.c.ethnicity))
    return pd.DataFrame(result.all(), columns=["record_id", "role", "ethnicity"])


def weigh_inputs(inputs: Inputs, policy: Policy) -> tuple[pd.DataFrame, Weighed]:
    acts = inputs.acts.copy()
    acts["incident"] = group_incidents(acts, inputs.person_of, inputs.judgements)
    reliability = pd.Series(chain_reliability(inputs.sources), dtype=object)
    root = pd.Series(inputs.root, dtype=np.int64)
    claims = claim_table(
        inputs.allegations, acts.set_index("id")["incident"], reliability, root, policy
    )
    weighed = weigh(claims, acts["incident"].to_numpy(), policy)
    return acts, weighed


def evaluate_inputs(
    inputs: Inputs,
    policy: Policy,
    standard: str,
    judged: dict[str, dict[str, Any]],
    victim_records: pd.DataFrame,
    estimation: dict[str, Any] | None,
) -> AssessmentRun:
    acts, weighed = weigh_inputs(inputs, policy)
    table = weighed.table
    acts = acts.join(table, on="incident")
    acts["rank"] = ranks(policy, acts["standard_met"])
    acts["net_support"] = acts["net"]
    claims = weighed.claims
    supports = claims["stance"] == SUPPORTS
    acts["supporting"] = _ids_per_incident(claims[supports], acts["incident"])
    acts["contradicting"] = _ids_per_incident(claims[~supports], acts["incident"])
    acts["rationale"] = [_rationale(policy, r) for r in acts.itertuples(index=False)]
    victims_of = pd.Series(_victims(acts, inputs.person_of), index=acts["id"].to_numpy())
    county_of = inputs.facilities.set_index("id")["county"]
    found = findings(acts, policy, standard, victims_of, county_of)
    best = weighed.claims.groupby(["incident", "stance", "root"])["weight"].max().reset_index()
    names = {i: s.name for i, s in inputs.sources.items()}
    loo = leave_one_out(best, table, acts, policy, standard, names)
    for f in found:
        f.sensitivity = loo.get(f.act_type, [])
        f.share_of_estimate = estimate_share(f.victims, estimation)

    need = rank(policy, standard)
    established = acts[acts["rank"] >= need]
    est_victims = established.dropna(subset=["victim_record_id"])
    victim_frame = est_victims[["victim_record_id"]].merge(
        victim_records, left_on="victim_record_id", right_on="record_id", how="left"
    )
    victim_frame["person"] = victims_of.reindex(est_victims["id"]).to_numpy()
    victim_frame = victim_frame.drop_duplicates("person")
    elements = gather(
        found,
        established,
        victim_frame,
        inputs.sources,
        inputs.allegations["source_id"],
        estimation,
        judged,
    )
    warnings = []
    if inputs.link_run is None and len(acts):
        warnings.append(
            "no linkage run: acts of the same person told by different sources were not "
            "grouped into incidents, and victims are counted by record, not by person"
        )
    unjudgeable = [s.name for s in inputs.sources.values() if s.reliability == "F"]
    if unjudgeable:
        warnings.append(
            f"{len(unjudgeable)} source(s) graded F weigh nothing until graded: "
            + ", ".join(sorted(unjudgeable)[:10])
        )
    return AssessmentRun(
        standard=standard,
        policy=policy,
        acts=acts,
        findings=found,
        elements=elements,
        conclusion=conclusion(elements, standard),
        grades={s.name: s.reliability for s in inputs.sources.values()},
        link_run=inputs.link_run,
        fingerprint=inputs.fingerprint(),
        estimation=estimation,
        warnings=warnings,
    )


def ranks(policy: Policy, met: pd.Series) -> np.ndarray:
    """``rank`` of every value of a standard_met column (0 for none)."""
    table = {code: rank(policy, code) for code in policy.ordered_standards()}
    return met.map(table).fillna(0).astype(int).to_numpy()


def _ids_per_incident(claims: pd.DataFrame, incidents: pd.Series) -> list[list[str]]:
    """For each act (by its incident), the external ids of the claims about it, in id
    order; one sort and one split instead of a Python group per incident."""
    ordered = claims.sort_values(["incident", "id"])
    ext = ordered["external_id"].fillna(ordered["id"].astype(str)).to_numpy()
    keys, starts = np.unique(ordered["incident"].to_numpy(), return_index=True)
    groups = dict(zip(keys.tolist(), np.split(ext, starts[1:]), strict=True)) if len(keys) else {}
    return [list(groups.get(i, ())) for i in incidents.tolist()]


def _victims(acts: pd.DataFrame, person_of: dict[int, int]) -> np.ndarray:
    """Who each act's victim is: their Person when linked; otherwise their record, as
    its negated id (so that a record and a Person never share a number); NaN when the
    act names no victim."""
    record = acts["victim_record_id"]
    person = record.map(pd.Series(person_of, dtype="float64") if person_of else {})
    unlinked = -record.astype("float64")
    return person.fillna(unlinked).to_numpy(dtype="float64")


def _record(store: Store, actor: str, run: AssessmentRun, policy_path: Path | None) -> int:
    parameters = {
        "standard": run.standard,
        "policy": run.policy.model_dump(mode="json"),
        "policy_file": str(policy_path) if policy_path else None,
        "policy_fingerprint": run.policy.fingerprint(),
        "grades": run.grades,
        "link_run": run.link_run,
    }
    method = f"policy {run.policy.name} v{run.policy.version}"
    at = now()
    with store.write(actor) as uow:
        run_id = start_run(uow, "assess", method, parameters, input_fingerprint=run.fingerprint)
        rows = run.acts
        n = len(rows)
        acts_batch = pa.table(
            {
                "act_id": pa.array(rows["id"].astype(np.int64)),
                "finding": pa.nulls(n, pa.string()),
                "standard": pa.array([run.standard] * n, pa.string()),
                "result": pa.array(rows["standard_met"].fillna("none").astype(str)),
                "score": pa.array(rows["net"].astype(float)),
                "rationale": pa.array(rows["rationale"].astype(str)),
                "method_version": pa.array([method] * n, pa.string()),
                "run_id": pa.array([run_id] * n, pa.int64()),
                "actor": pa.array([actor] * n, pa.string()),
                "at": pa.array([at] * n, pa.string()),
            }
        )
        uow.bulk_insert(schema.assessments, [acts_batch], detail={"run_id": run_id})
        for f in run.findings:
            uow.insert(
                schema.assessments,
                act_id=None,
                finding=f.act_type,
                standard=run.standard,
                result="established" if f.established else "not_established",
                score=float(f.acts_established),
                rationale=f.statement,
                method_version=method,
                run_id=run_id,
                actor=actor,
                at=at,
            )
        finish_run(uow, run_id, _jsonable(run.summary()))
    return run_id


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        return float(obj) if math.isfinite(float(obj)) else None
    return obj


def write_assessment(run: AssessmentRun, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "assessment.json"
    body = json.dumps(_jsonable(run.to_dict()), ensure_ascii=False, indent=1, sort_keys=False)
    path.write_text(body + "\n", encoding="utf-8")
    return path
