"""Weighing claims: from allegations to the standard each act meets.

For every act (through its incident), vectorised over all allegations at once:
1. a claim's weight is its source's reliability weight times its credibility weight
   (a claim with no credibility grade is one that cannot be judged: weight 0);
2. claims are grouped by the root source they go back to; a root counts once, with its
   strongest claim (copies add nothing);
3. supporting roots add up to the support; contradicting roots, the same way, to the
   contradiction, which is subtracted (times the policy's factor);
4. the highest standard whose condition holds is the act's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from credible.assess.policy import Policy

SUPPORTS, CONTRADICTS = "supports", "contradicts"


@dataclass
class Weighed:
    """Per incident: support, contradiction and the standard met (None when none is)."""

    table: pd.DataFrame  # index incident; support, contradiction, net, usable_roots,
    #                      independent_sources, contradicting_roots, standard_met
    claims: pd.DataFrame  # per allegation: weight, root, stance, counted (its root's best)


def claim_table(
    allegations: pd.DataFrame,
    incident_of_act: pd.Series,
    reliability: pd.Series,
    root: pd.Series,
    policy: Policy,
) -> pd.DataFrame:
    """``allegations`` (id, act_id, source_id, credibility, stance) with incident, root,
    reliability, stance filled, and weight."""
    c = allegations[allegations["act_id"].notna()].copy()
    c["act_id"] = c["act_id"].astype(np.int64)
    c["incident"] = c["act_id"].map(incident_of_act).astype(np.int64)
    c["reliability"] = c["source_id"].map(reliability).fillna("F")
    c["root"] = c["source_id"].map(root).astype(np.int64)
    c["stance"] = c["stance"].fillna(SUPPORTS)
    rel_w = c["reliability"].map(policy.weights.reliability).fillna(0.0)
    cred_w = c["credibility"].map(policy.weights.credibility).fillna(0.0)
    c["weight"] = (rel_w * cred_w).astype(float)
    return c


def weigh(claims: pd.DataFrame, incidents: np.ndarray, policy: Policy) -> Weighed:
    """The standard each incident meets, from its claims."""
    best = claims.groupby(["incident", "stance", "root"], sort=True)["weight"].max().reset_index()
    sup = best[best["stance"] == SUPPORTS]
    con = best[best["stance"] == CONTRADICTS]
    index = pd.Index(np.unique(incidents), name="incident")
    table = pd.DataFrame(index=index)
    table["support"] = sup.groupby("incident")["weight"].sum().reindex(index, fill_value=0.0)
    table["usable_roots"] = (
        sup[sup["weight"] > 0].groupby("incident").size().reindex(index, fill_value=0)
    )
    table["independent_sources"] = sup.groupby("incident").size().reindex(index, fill_value=0)
    table["contradiction"] = con.groupby("incident")["weight"].sum().reindex(index, fill_value=0.0)
    table["contradicting_roots"] = con.groupby("incident").size().reindex(index, fill_value=0)
    table["net"] = table["support"] - policy.contradictions.factor * table["contradiction"]
    table["standard_met"] = standards_met(table["usable_roots"], table["net"], policy)
    strongest = claims.sort_values(["weight", "id"], ascending=[False, True]).drop_duplicates(
        ["incident", "stance", "root"]
    )
    claims = claims.assign(counted=claims.index.isin(strongest.index))
    return Weighed(table, claims)


def standards_met(roots: pd.Series, net: pd.Series, policy: Policy) -> pd.Series:
    """The highest standard met per row (None when none is), weakest tested first."""
    met = pd.Series([None] * len(roots), index=roots.index, dtype=object)
    r, s = roots.to_numpy(), net.to_numpy()
    for code in policy.ordered_standards():
        ok = np.zeros(len(r), dtype=bool)
        for cond in policy.standards[code].any_of:
            ok |= (r >= cond.min_independent_sources) & (s >= cond.min_support - 1e-9)
        met[ok] = code
    return met


def rank(policy: Policy, code: str | None) -> int:
    """0 for no standard, then 1, 2, 3 for the standards weakest first."""
    return 0 if code is None else policy.ordered_standards().index(code) + 1
