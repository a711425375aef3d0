"""K linkage draws, with and without a split audit, on one cached FICTIONAL population.

The demo's population by default (20,000 people, seed 2022): simulated, imported and
linked as ``bench/estimate_end_to_end.py`` does (``--cache`` reuses its linked
populations), then every method estimated on K drawn linkages, once with the model's
probabilities alone and once with a split audit of 150 one-list persons answered from
the simulator's truth (a stand-in for a reviewer's searches). Prints each method's
figure with the linkage fixed and with the draws, the audit's split rate, the persons
drawn against the true persons, and the time (wall and this process's CPU seconds).

    .venv/bin/python bench/estimate_audit_demo.py --cache /tmp/count/cache
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from credible.estimate import ScoredLinkage, estimate_with_draws
from estimate_end_to_end import link_population, simulated_audit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--no-plain", action="store_true", help="only the run with the audit")
    args = ap.parse_args()
    linked = link_population(args.people, args.seed, args.cache)
    records = linked["records"]
    seen = records.drop(columns=["true_person"])
    scored = ScoredLinkage(seen, linked["pairs"], linked["threshold"], link_run=linked["link_run"])
    audit = simulated_audit(linked, np.random.default_rng([args.seed, 0xA0D1]))
    for label, aud in (("draws", None), ("draws, with audit", audit)):
        if aud is None and args.no_plain:
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        run = estimate_with_draws(scored, args.draws, None, seed=0, audit=aud)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        info = run.linkage
        print(
            f"\n{label}: K={args.draws}, {wall:.0f} s wall, {cpu:.0f} s CPU, load "
            f"{os.getloadavg()[0]:.1f}; true N {linked['true_n']:,}; persons: stored "
            f"{info['persons_fixed']:,}, drawn {info['persons_drawn']['mean']:,.0f} (mean), true "
            f"{records['true_person'].nunique():,}"
        )
        sa = info.get("split_audit") or {}
        if sa.get("used"):
            lo, hi = sa["split_rate_interval"]
            print(
                f"split audit: {sa['found']} of {sa['audited']} found; rate "
                f"{sa['split_rate']:.1%} [{lo:.1%}-{hi:.1%}] of {sa['one_list_persons']:,}"
            )
        print("| method | linkage fixed | with draws | converged |")
        print("|---|---|---|---|")
        for e in run.overall():
            f = e.diagnostics.get("linkage", {}).get("fixed", {})
            print(
                f"| {e.method} | {f.get('estimate', float('nan')):,.0f} "
                f"({f.get('lower', float('nan')):,.0f}–{f.get('upper', float('nan')):,.0f}) | "
                f"{e.estimate:,.0f} ({e.lower:,.0f}–{e.upper:,.0f}) | "
                f"{'yes' if e.converged else 'no'} |"
            )


if __name__ == "__main__":
    main()
