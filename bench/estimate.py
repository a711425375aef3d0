"""Speed of the estimators beside the R packages on the same tables and settings.

R 4.2.2 timings were measured on this machine (2 cores) by the issue's author; R is
not installed here and never a dependency, so they are printed as constants. numba
compiles the LCMCR sampler once and caches it on disk (cache=True); the benchmark
runs it once before timing so compilation is excluded, and says so. Each timing is
the best of --repeat runs (the machine is shared; the best run is the least disturbed).

    .venv/bin/python bench/estimate.py
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from credible.config import shared_dataset
from credible.estimate import (
    fit_dga,
    fit_lcmcr,
    fit_loglinear,
    fit_rcapture,
    histories_from_records,
    read_histories,
)
from credible.estimate.dga import decomposable_graphs

DATA = shared_dataset("mse")
LCMCR_BENCH = {"K": 10, "burnin": 1000, "samples": 10000, "thinning": 1, "chains": 4}


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time (all threads of this process) over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    kosovo = read_histories(DATA / "kosovo_1999.csv").overall
    western = read_histories(DATA / "us_western_site_sex_trafficking.csv").overall

    rng = np.random.default_rng(0)
    n = 1_000_000  # FICTIONAL records: random person ids, sources and counties
    records = pd.DataFrame(
        {
            "person_id": rng.integers(0, 600_000, n).astype(str),
            "source": rng.choice(["police", "testimony", "diaspora", "kazakh", "media"], n),
            "county": rng.choice([f"county{i}" for i in range(30)], n),
        }
    )

    # warm-up: numba compile (or load from the on-disk cache) and the graph lists
    t = time.perf_counter()
    fit_lcmcr(kosovo, np.random.default_rng(0), burnin=10, samples=10, thinning=1, chains=1)
    warm = time.perf_counter() - t
    for p in (3, 4, 5):
        decomposable_graphs(p)

    rows = [
        (
            "lcmcr  Kosovo, K=10, 4 chains x (1,000 + 10,000)",
            lambda: fit_lcmcr(kosovo, np.random.default_rng(1), **LCMCR_BENCH),
            0.57,
        ),
        ("dga    Kosovo (4 lists, 61 graphs, N grid 0..10n)", lambda: fit_dga(kosovo), 0.08),
        ("dga    Western (5 lists, 822 graphs, N grid 0..10n)", lambda: fit_dga(western), 0.06),
    ]
    extra = [
        (
            "Mt + 3 Mth models, Kosovo (with profile intervals)",
            lambda: [
                fit_rcapture(kosovo, m) for m in ("Mt", "Mth-Chao", "Mth-Darroch", "Mth-Poisson2")
            ],
        ),
        ("loglinear, Kosovo (113 hierarchical models + profile CI)", lambda: fit_loglinear(kosovo)),
        ("loglinear, Western (stepwise, 5 lists)", lambda: fit_loglinear(western)),
        (
            "histories from 1M FICTIONAL records, by 30 counties",
            lambda: histories_from_records(records, by="county"),
        ),
    ]
    load = os.getloadavg()[0]
    print(f"numba warm-up (compile or cache load), excluded from timings: {warm:.2f} s")
    print(f"load average at start: {load:.1f} on {os.cpu_count()} cores (shared machine)")
    head = (
        f"{'estimator':58s} {'wall s':>7s} {'cpu s':>7s} {'R s':>6s} {'wall/R':>7s} {'cpu/R':>6s}"
    )
    print(head)
    for name, fn, r_time in rows:
        wall, cpu = best_of(fn, args.repeat)
        print(
            f"{name:58s} {wall:7.3f} {cpu:7.3f} {r_time:6.2f} "
            f"{wall / r_time:7.2f} {cpu / r_time:6.2f}"
        )
    for name, fn in extra:
        wall, cpu = best_of(fn, args.repeat)
        print(f"{name:58s} {wall:7.3f} {cpu:7.3f} {'-':>6s} {'-':>7s} {'-':>6s}")


if __name__ == "__main__":
    main()
