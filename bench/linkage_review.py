"""What a reviewer's decisions add: linkage F1 before and after N pairs are reviewed.

A reviewer who is always right (the simulator's truth) decides the first N pairs of the
review queue, most uncertain first, as `credible review` shows them; then the run is
repeated with those decisions, as `credible link` does after a review (a rejected pair
is never merged, an accepted one stays merged).

    python bench/linkage_review.py                        # 100k records, seed 11
    python bench/linkage_review.py --size 10000 --decisions 100 500
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from credible.linkage import (
    Judgement,
    LinkSettings,
    evaluate,
    prepare_records,
    train_and_predict,
)
from linkage import markdown_table, score_cells, simulated


def oracle(review: pd.DataFrame, person: dict[int, str], n: int) -> list[Judgement]:
    """The first ``n`` pairs of the queue, decided by the truth."""
    return [
        Judgement(a, b, "accept" if person[a] == person[b] else "reject", who="oracle (FICTIONAL)")
        for a, b in zip(review["record_id_l"][:n], review["record_id_r"][:n], strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--decisions", type=int, nargs="*", default=[500, 2000])
    args = parser.parse_args()
    records, truth = simulated(args.size, args.seed)
    prepared = prepare_records(records)
    settings = LinkSettings()
    keyed = records[["record_id", "source", "source_row"]].merge(
        truth, on=["source", "source_row"], how="left"
    )
    person = dict(zip(keyed["record_id"], keyed["person_id"].astype(str), strict=True))
    started = time.perf_counter()
    first = train_and_predict(prepared, settings)
    seconds = time.perf_counter() - started
    rows = [("model alone", 0, evaluate(first.clusters, truth), seconds, len(first.review))]
    for n in args.decisions:
        judgements = oracle(first.review, person, n)
        started = time.perf_counter()
        again = train_and_predict(prepared, settings, judgements=judgements)
        seconds = time.perf_counter() - started
        metrics = evaluate(again.clusters, truth)
        rows.append((f"after {n:,} decisions", n, metrics, seconds, len(again.review)))
    print(
        f"{args.size:,} FICTIONAL records, seed {args.seed}; "
        f"{len(first.review):,} pairs in the first review queue"
    )
    header = ["run", "decisions", "precision", "recall", "F1", "B-cubed F1", "queue left"]
    cells = [
        [label, f"{n:,}", *score_cells(m), f"{queue:,}", f"{s:.1f}"]
        for label, n, m, s, queue in rows
    ]
    print(markdown_table([*header, "seconds"], cells))


if __name__ == "__main__":
    main()
