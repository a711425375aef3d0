"""Findings per act type at a standard, in the graded language of fact-finding reports,
and how each finding holds up: leaving out each source in turn, and at each standard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credible.assess.engine import SUPPORTS, rank, standards_met
from credible.assess.policy import Policy
from credible.model import vocabulary


@dataclass
class Finding:
    act_type: str
    standard: str
    acts_alleged: int
    acts_established: int
    incidents_established: int
    victims: int
    facilities: int
    counties: int
    first: str | None
    last: str | None
    statement: str
    by_standard: dict[str, int] = field(default_factory=dict)
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    share_of_estimate: dict[str, Any] | None = None
    act_ids: list[int] = field(default_factory=list)

    @property
    def established(self) -> bool:
        return self.acts_established > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "act_type": self.act_type,
            "standard": self.standard,
            "acts_alleged": self.acts_alleged,
            "acts_established": self.acts_established,
            "incidents_established": self.incidents_established,
            "victims": self.victims,
            "facilities": self.facilities,
            "counties": self.counties,
            "first": self.first,
            "last": self.last,
            "statement": self.statement,
            "by_standard": self.by_standard,
            "sensitivity": self.sensitivity,
            "share_of_estimate": self.share_of_estimate,
        }


def _day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def statement(policy: Policy, standard: str, act_type: str, f: Finding) -> str:
    label = vocabulary("act_types").terms[act_type].label
    if not f.acts_established:
        return (
            f"The information held does not meet the standard of "
            f"{vocabulary('standards_of_proof').terms[standard].label.lower()} for "
            f"{label.lower()}: {f.acts_alleged} act(s) alleged, none established."
        )
    wording = policy.wording[standard]
    where = f"at {f.facilities} facilit{'y' if f.facilities == 1 else 'ies'}"
    if f.counties:
        where += f" in {f.counties} count{'y' if f.counties == 1 else 'ies'}"
    when = f", between {f.first} and {f.last}" if f.first and f.last else ""
    people = "person" if f.victims == 1 else "people"
    victims = f"against at least {f.victims} identified {people}, " if f.victims else ""
    return (
        f"{wording[0].upper()}{wording[1:]} that {label.lower()} occurred: "
        f"{f.acts_established} act(s) {victims}{where}{when}."
    )


def findings(
    acts: pd.DataFrame,
    policy: Policy,
    standard: str,
    victims_of: pd.Series,
    county_of: pd.Series,
) -> list[Finding]:
    """``acts``: one row per act with type, incident, standard_met, facility_id, dates."""
    out = []
    need = rank(policy, standard)
    ranks = acts["rank"]
    for act_type in sorted(acts["type"].unique()):
        of_type = acts["type"] == act_type
        est = acts[of_type & (ranks >= need)]
        victims = victims_of.reindex(est["id"]).dropna().unique()
        facilities = est["facility_id"].dropna().unique()
        counties = county_of.reindex(facilities).dropna().unique()
        f = Finding(
            act_type=act_type,
            standard=standard,
            acts_alleged=int(of_type.sum()),
            acts_established=len(est),
            incidents_established=int(est["incident"].nunique()),
            victims=len(victims),
            facilities=len(facilities),
            counties=len(counties),
            first=_day(est["date_min"].min()) if len(est) else None,
            last=_day(est["date_max"].max()) if len(est) else None,
            statement="",
            by_standard={
                code: int((of_type & (ranks >= rank(policy, code))).sum())
                for code in policy.ordered_standards()
            },
            act_ids=[int(i) for i in est["id"]],
        )
        f.statement = statement(policy, standard, act_type, f)
        out.append(f)
    return out


def leave_one_out(
    best: pd.DataFrame,
    table: pd.DataFrame,
    acts: pd.DataFrame,
    policy: Policy,
    standard: str,
    source_names: dict[int, str],
) -> dict[str, list[dict[str, Any]]]:
    """Per act type: the acts still established when each root source is left out.

    Roots add up, so leaving one out subtracts its strongest claim from each incident
    it speaks to; nothing else needs recomputing."""
    need = rank(policy, standard)
    ranking = {code: rank(policy, code) for code in policy.ordered_standards()}
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in acts["type"].unique()}
    incident_type = acts[["incident", "type"]]
    for root in sorted(best["root"].unique()):
        mine = best[best["root"] == root]
        sup = mine[mine["stance"] == SUPPORTS].set_index("incident")["weight"]
        con = mine[mine["stance"] != SUPPORTS].set_index("incident")["weight"]
        sup = sup.reindex(table.index, fill_value=0.0)
        con = con.reindex(table.index, fill_value=0.0)
        net = table["net"] - sup + policy.contradictions.factor * con
        roots = table["usable_roots"] - (sup > 0).astype(int)
        met = standards_met(roots, net, policy).map(ranking).fillna(0)
        kept = incident_type.assign(ok=incident_type["incident"].map(met) >= need)
        counts = kept.groupby("type")["ok"].sum()
        touched = set(acts.loc[acts["incident"].isin(mine["incident"]), "type"])
        for act_type in out:
            if act_type in touched:
                n = int(counts.get(act_type, 0))
                out[act_type].append(
                    {"left_out": source_names.get(int(root), str(root)), "acts_established": n,
                     "holds": n > 0}
                )  # fmt: skip
    return out


def estimate_share(victims: int, estimation: dict[str, Any] | None) -> dict[str, Any] | None:
    """The finding's identified victims beside the latest estimate of everyone listed."""
    if not estimation or not victims:
        return None
    estimate = float(estimation["estimate"])
    if not np.isfinite(estimate) or estimate <= 0:
        return None
    return {**estimation, "identified_victims": victims, "share": victims / estimate}
