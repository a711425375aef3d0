"""How long estimating with K drawn linkages takes, step by step, on an existing store.

Reads the store's latest link run, draws K linkages, and times each step: reading the
run, drawing, the estimate on the stored linkage (every method) and the estimates on
the drawn linkages with their combination, by method. Wall and CPU seconds (the
machine is shared: CPU seconds are this process's own). Prints a table.

    credible demo --out /tmp/demo          # the 20,000-person FICTIONAL demo store
    .venv/bin/python bench/estimate_draws.py --db /tmp/demo/credible.db --draws 20
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from credible.config import Settings
from credible.estimate import (
    METHODS,
    ScoredLinkage,
    draw_linkages,
    estimate_with_draws,
    histories_from_records,
    run_estimation,
    scored_linkage,
)
from credible.store import open_store


def timed(rows: list[tuple[str, float, float]], label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--db")
    src.add_argument(
        "--cache", help="a linked population kept by bench/estimate_end_to_end.py --cache"
    )
    ap.add_argument(
        "--total-only", action="store_true", help="time only the whole estimate, not each step"
    )
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    args = ap.parse_args()
    rows: list[tuple[str, float, float]] = []
    if args.cache:
        kept = pd.read_pickle(args.cache)
        store = None
        scored = ScoredLinkage(
            kept["records"].drop(columns=["true_person"]), kept["pairs"], kept["threshold"]
        )
    else:
        store = open_store(Settings.resolve(args.db, actor="bench"))
        scored = timed(
            rows, "read link run (records, scores, decisions)", lambda: scored_linkage(store)
        )
    if not args.total_only:
        steps(rows, scored, args)
    total = timed(
        rows,
        f"every method, stored + {args.draws} drawn (what `credible estimate` does)",
        lambda: estimate_with_draws(scored, args.draws, args.methods, seed=args.seed),
    )
    if store is not None:
        store.close()
    print(
        f"{len(scored.records):,} records, {total.linkage['persons_fixed']:,} persons, "
        f"{len(scored.prob):,} scored pairs ({total.linkage['uncertain_pairs']:,} drawn)"
    )
    print("| step | wall s | CPU s |\n|---|---:|---:|")
    for label, wall, cpu in rows:
        print(f"| {label} | {wall:.1f} | {cpu:.1f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")


def steps(rows: list[tuple[str, float, float]], scored: ScoredLinkage, args: Any) -> None:
    labels = timed(
        rows,
        f"draw {args.draws} linkages",
        lambda: draw_linkages(scored, args.draws, np.random.default_rng(args.seed)),
    )
    timed(
        rows,
        f"capture histories of {args.draws} linkages",
        lambda: [histories_from_records(scored.with_labels(r)) for r in labels],
    )
    fixed_hs = histories_from_records(scored.records)
    for m in args.methods:
        timed(rows, f"{m}: stored linkage", lambda m=m: run_estimation(fixed_hs, [m], args.seed))
    for m in args.methods:
        timed(
            rows,
            f"{m}: stored + {args.draws} drawn, combined",
            lambda m=m: estimate_with_draws(scored, args.draws, [m], seed=args.seed),
        )


if __name__ == "__main__":
    main()
