"""One act's reasoning, step by step: the incident it belongs to, each claim with its
source, root, grades and weight, which claims count, and each standard's test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from credible.assess.engine import SUPPORTS, rank
from credible.assess.inputs import load_inputs
from credible.assess.policy import load_policy
from credible.assess.run import DEFAULT_STANDARD, check_standard, weigh_inputs
from credible.errors import NotFoundError
from credible.store import Store


@dataclass
class Explanation:
    act: str
    steps: list[str]

    def to_text(self) -> str:
        return "\n".join([f"act {self.act}", *(f"  {s}" for s in self.steps)])


def _find_act(acts: pd.DataFrame, ref: str) -> pd.Series:
    hit = acts[acts["external_id"] == ref]
    if hit.empty and ref.isdigit():
        hit = acts[acts["id"] == int(ref)]
    if hit.empty:
        raise NotFoundError(f"no act with external id (or id) {ref!r}")
    return hit.iloc[0]


def explain_act(
    store: Store, ref: str, standard: str = DEFAULT_STANDARD, policy_path: Path | None = None
) -> Explanation:
    check_standard(standard)
    policy = load_policy(policy_path)
    with store.read() as conn:
        inputs = load_inputs(conn)
    acts, weighed = weigh_inputs(inputs, policy)
    act = _find_act(acts, ref)
    incident = int(act["incident"])
    members = acts[acts["incident"] == incident]
    steps = [f"type {act['type']}; policy {policy.name} v{policy.version}"]
    if len(members) > 1:
        others = ", ".join(str(e) for e in members["external_id"] if e != act["external_id"])
        steps.append(
            f"1. one incident with {others}: the same victim (linked Person), type, "
            "facility (or unknown) and overlapping dates; their claims count together"
        )
    else:
        steps.append("1. no other act was grouped with it")
    claims = weighed.claims[weighed.claims["incident"] == incident].sort_values("id")
    names = {i: s.name for i, s in inputs.sources.items()}
    steps.append(f"2. {len(claims)} claim(s):")
    for c in claims.itertuples(index=False):
        root = "" if c.root == c.source_id else f", a copy of {names.get(int(c.root))}"
        counted = (
            "counts"
            if c.counted and c.weight > 0
            else (
                "weighs nothing" if c.weight == 0 else "not counted: its root has a stronger claim"
            )
        )
        steps.append(
            f"   {c.external_id or c.id}: {c.stance} · {names.get(int(c.source_id))} "
            f"(reliability {c.reliability}{root}) · credibility {c.credibility or '-'} · "
            f"weight {c.weight:.2f} · {counted}"
        )
    row = weighed.table.loc[incident]
    steps.append(
        f"3. support {row['support']:.2f} from {int(row['usable_roots'])} independent source(s) "
        f"with weight; contradiction {row['contradiction']:.2f} × "
        f"{policy.contradictions.factor:g}; net {row['net']:.2f}"
    )
    for code in policy.ordered_standards():
        tests = []
        for cond in policy.standards[code].any_of:
            ok = (
                row["usable_roots"] >= cond.min_independent_sources
                and row["net"] >= cond.min_support - 1e-9
            )
            tests.append(f"{cond.describe()}: {'yes' if ok else 'no'}")
        steps.append(f"4. {code}: " + "; or ".join(tests))
    met = row["standard_met"]
    verdict = f"meets {met}" if met else "meets no standard of proof"
    asked = "so it meets" if rank(policy, met) >= rank(policy, standard) else "short of"
    steps.append(f"5. {verdict} ({asked} {standard}, the standard asked for)")
    if not claims[claims["stance"] != SUPPORTS].empty:
        steps.append("   contradicting claims are shown above; they never count as support")
    return Explanation(str(act["external_id"] or act["id"]), steps)
