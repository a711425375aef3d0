"""An assessment scored against the simulator's truth: per standard, the share of acts
that happened which it establishes, and the share of fabricated or mistaken ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from credible.assess.engine import rank
from credible.assess.run import AssessmentRun
from credible.errors import InputError, Problem


@dataclass(frozen=True)
class StandardScore:
    """Acts that happened, and acts that did not happen as recorded (fabricated, or a
    true act recorded at the wrong facility or date), established at one standard."""

    standard: str
    true_acts: int
    true_established: int
    false_acts: int
    false_established: int
    fabricated_acts: int
    fabricated_established: int

    @property
    def true_share(self) -> float:
        return _share(self.true_established, self.true_acts)

    @property
    def false_share(self) -> float:
        return _share(self.false_established, self.false_acts)

    @property
    def fabricated_share(self) -> float:
        return _share(self.fabricated_established, self.fabricated_acts)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def load_act_truth(truth: Path) -> pd.DataFrame:
    path = truth / "acts.csv" if (truth / "acts.csv").exists() else truth / "truth" / "acts.csv"
    if not path.exists():
        raise InputError([Problem(str(truth), None, None, "a folder with truth/acts.csv")])
    frame = pd.read_csv(path, dtype={"external_id": str, "happened": str, "error": str})
    missing = {"external_id", "happened", "error"} - set(frame.columns)
    if missing:
        raise InputError([Problem(str(path), None, None, f"columns {sorted(missing)}")])
    frame["happened"] = frame["happened"].str.lower().eq("true")
    return frame


def score(run: AssessmentRun, truth: Path) -> list[StandardScore]:
    known = load_act_truth(truth).set_index("external_id")
    acts = run.acts[run.acts["external_id"].isin(known.index)]
    happened = acts["external_id"].map(known["happened"]).astype(bool)
    fabricated = acts["external_id"].map(known["error"]).eq("fabricated")
    out = []
    for code in run.policy.ordered_standards():
        ok = acts["rank"] >= rank(run.policy, code)
        out.append(
            StandardScore(
                code,
                int(happened.sum()),
                int((ok & happened).sum()),
                int((~happened).sum()),
                int((ok & ~happened).sum()),
                int(fabricated.sum()),
                int((ok & fabricated).sum()),
            )
        )
    return out
