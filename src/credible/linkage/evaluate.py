"""How good is a clustering? Pairwise and B-cubed scores against known truth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from credible.errors import InputError, Problem


@dataclass(frozen=True)
class Metrics:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_persons: int
    predicted_persons: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def evaluate(
    clusters: pd.DataFrame, truth: pd.DataFrame, on: tuple[str, ...] = ("source", "source_row")
) -> Metrics:
    """Score ``clusters`` (``cluster_id`` plus the ``on`` columns) against ``truth``
    (``person_id`` plus the ``on`` columns, as the simulator's ``truth/records.csv``).

    Only records present in both are scored; a record missing from either is an error,
    because silently dropping it would flatter the scores.
    """
    keys = list(on)
    for name, frame, col in (("clusters", clusters, "cluster_id"), ("truth", truth, "person_id")):
        missing = [c for c in [*keys, col] if c not in frame.columns]
        if missing:
            raise InputError([Problem(name, None, c, "a column of that name") for c in missing])
    left = clusters[[*keys, "cluster_id"]].astype({k: str for k in keys})
    right = truth[[*keys, "person_id"]].astype({k: str for k in keys})
    both = left.merge(right, on=keys, how="outer", indicator=True)
    unmatched = both[both["_merge"] != "both"]
    if len(unmatched):
        problems = [
            Problem(
                "clusters" if m == "right_only" else "truth",
                None,
                "/".join(keys),
                "a record present in both the linkage and the truth",
                tuple(row[k] for k in keys),
            )
            for (_, row), m in zip(unmatched.iterrows(), unmatched["_merge"], strict=True)
        ]
        raise InputError(problems, f"{len(problems)} record(s) not in both clusters and truth")

    cells = both.groupby(["cluster_id", "person_id"]).size()
    by_cluster = both.groupby("cluster_id").size()
    by_person = both.groupby("person_id").size()
    correct, predicted, true = _pairs(cells), _pairs(by_cluster), _pairs(by_person)
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0

    # B-cubed: per record, the share of its cluster that is truly its person and the
    # share of its person that landed in its cluster.
    n = len(both)
    cell = cells.rename("cell").reset_index()
    cell["csize"] = cell["cluster_id"].map(by_cluster)
    cell["psize"] = cell["person_id"].map(by_person)
    b_p = float((cell["cell"] ** 2 / cell["csize"]).sum() / n) if n else 1.0
    b_r = float((cell["cell"] ** 2 / cell["psize"]).sum() / n) if n else 1.0
    return Metrics(
        records=n,
        true_pairs=true,
        predicted_pairs=predicted,
        correct_pairs=correct,
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall),
        bcubed_precision=b_p,
        bcubed_recall=b_r,
        bcubed_f1=_f1(b_p, b_r),
        true_persons=len(by_person),
        predicted_persons=len(by_cluster),
    )


def load_truth(path: str | Path) -> pd.DataFrame:
    """The simulator's truth: ``DIR/truth/records.csv`` (or that CSV itself), with
    ``source, source_row, person_id`` columns."""
    p = Path(path)
    for candidate in (p / "truth" / "records.csv", p / "records.csv", p):
        if candidate.is_file():
            frame = pd.read_csv(candidate, dtype={"source": str, "person_id": str})
            missing = [c for c in ("source", "source_row", "person_id") if c not in frame]
            if missing:
                raise InputError(
                    [Problem(str(candidate), None, c, "a column of that name") for c in missing]
                )
            return frame
    raise InputError([Problem(str(p), None, None, "a folder with truth/records.csv")])
