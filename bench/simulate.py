"""Simulator benchmark: seconds and peak memory to write a FICTIONAL investigation.

Each size runs in a fresh subprocess so that peak memory (ru_maxrss) is its own.
Usage: python bench/simulate.py [--people 20000 300000 1000000] [--lists 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys


def _one(people: int, lists: int) -> dict[str, float]:
    code = f"""
import json, resource, sys, tempfile, time
from credible.simulate import simulate
with tempfile.TemporaryDirectory() as d:
    t = time.perf_counter()
    r = simulate(people={people}, lists={lists}, seed=1, out=d)
    s = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
json.dump({{"seconds": s, "records": r.records, "observed": r.observed, "peak_mb": peak}},
          sys.stdout)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, nargs="+", default=[20_000, 300_000, 1_000_000])
    parser.add_argument("--lists", type=int, default=5)
    args = parser.parse_args()
    print(f"# credible simulate, K={args.lists}; Python {platform.python_version()}")
    print(f"{'people':>10} {'records':>10} {'observed':>10} {'seconds':>8} "
          f"{'records/s':>10} {'peak MB':>8}")  # fmt: skip
    for n in args.people:
        r = _one(n, args.lists)
        print(
            f"{n:>10,} {int(r['records']):>10,} {int(r['observed']):>10,} "
            f"{r['seconds']:>8.1f} {r['records'] / r['seconds']:>10,.0f} {r['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
