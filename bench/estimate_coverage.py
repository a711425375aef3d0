"""Coverage and bias of every estimator on simulated populations with known N.

Each run draws a FICTIONAL population, keeps the people on at least one list,
estimates N with every method and records whether the interval covers the truth.
Prints a table.

Three kinds of truth:

* ``--truth simulator`` (default): credible.simulate.simulate_captures, heterogeneous
  and dependent capture. ``--option NAME=VALUE`` (repeatable) passes a knob of its
  capture model (heterogeneity, dependence, coverage, ethnic_effect, ...), so each
  mechanism can be switched off in turn to see which one an estimator cannot absorb.
* ``--truth latent-class``: LCMCR's own generative model (``--classes`` latent classes,
  lists independent within a class), so LCMCR's model is true and its 95% interval
  should cover N in about 95% of runs if the sampler is right and the classes are
  distinct enough for the data to show them.
* ``--truth prior``: N and every parameter drawn from LCMCR's own prior (N from 1/N on
  people/4 .. people), a simulation-based calibration of the sampler: coverage ~95% and
  a uniform rank of the true N (printed by decile).

    .venv/bin/python bench/estimate_coverage.py --runs 100
    .venv/bin/python bench/estimate_coverage.py --runs 100 --lists 5 --people 5000 \\
        --methods lcmcr --option dependence=0
    .venv/bin/python bench/estimate_coverage.py --truth latent-class --methods lcmcr
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from credible.estimate import CaptureHistories, estimate_one
from credible.estimate.lcmcr import prior_population
from credible.estimate.result import METHODS
from credible.simulate.captures import simulate_captures

# Shorter chains than the R reference settings, to keep 100+ runs to minutes; R-hat
# and ESS are still checked and the share of runs flagged is reported.
LCMCR_SETTINGS = {"burnin": 2000, "samples": 2000, "thinning": 5, "chains": 4}


def latent_class_captures(
    people: int, lists: int, classes: int, rng: np.random.Generator, floor: float = 0.10
) -> np.ndarray:
    """A population drawn from LCMCR's model: latent classes, independent lists within.

    Class weights ~ Dirichlet(2, ..., 2); class k's capture probabilities are uniform on
    a band of width 0.25 whose lower end rises with k from ``floor`` to ``floor`` + 0.3
    (from hard-to-reach to highly visible people), so the classes differ strongly.
    """
    weights = rng.dirichlet(np.full(classes, 2.0))
    lo = np.linspace(floor, floor + 0.3, classes)
    lam = rng.uniform(lo[None, :], lo[None, :] + 0.25, size=(lists, classes))
    z = rng.choice(classes, size=people, p=weights)
    return (rng.random((people, lists)) < lam[:, z].T).astype(np.int8)


def _parse_options(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        out[name.strip()] = float(value)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--lists", type=int, default=4)
    ap.add_argument("--seed", type=int, default=20221)
    ap.add_argument("--methods", nargs="*", default=list(METHODS))
    ap.add_argument("--truth", choices=["simulator", "latent-class", "prior"], default="simulator")
    ap.add_argument("--classes", type=int, default=3, help="latent classes (latent-class truth)")
    ap.add_argument(
        "--floor",
        type=float,
        default=0.10,
        help="lowest capture probability band of the latent-class truth (its hardest class)",
    )
    ap.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a capture-model knob of the simulator, e.g. dependence=0 (repeatable)",
    )
    ap.add_argument(
        "--lcmcr-reference-settings",
        action="store_true",
        help="run LCMCR with its full default settings (4 x (20,000 + 5,000 x 50)); slow",
    )
    ap.add_argument(
        "--lcmcr",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an LCMCR setting (K, burnin, samples, thinning, chains, ...)",
    )
    args = ap.parse_args()
    lcmcr_settings: dict[str, float] = {} if args.lcmcr_reference_settings else dict(LCMCR_SETTINGS)
    lcmcr_settings.update(_parse_options(args.lcmcr))
    options = _parse_options(args.option)
    rng = np.random.default_rng(args.seed)
    rows: dict[str, list[tuple[float, bool, bool, float]]] = {m: [] for m in args.methods}
    observed = []
    ranks: list[float] = []
    few_classes: list[bool] = []
    truths: list[int] = []
    t0 = time.time()
    for r in range(args.runs):
        truth = args.people
        if args.truth == "simulator":
            mat = simulate_captures(args.people, args.lists, rng, **options)
        elif args.truth == "latent-class":
            mat = latent_class_captures(args.people, args.lists, args.classes, rng, args.floor)
        else:
            truth, mat = prior_population(rng, args.people // 4, args.people, args.lists)
        h = CaptureHistories.from_matrix(mat)
        observed.append(h.n_observed)
        for m in args.methods:
            settings = lcmcr_settings if m == "lcmcr" else None
            e = estimate_one(h, m, seed=args.seed + r, lcmcr_settings=settings)
            if args.truth == "prior" and e.draws is not None:
                inside = e.draws[(e.draws >= args.people // 4) & (e.draws <= args.people)]
                if inside.size < 100:
                    continue  # the posterior barely touches the prior's range
                lo_q, med_q, hi_q = np.quantile(inside, [0.025, 0.5, 0.975])
                e.estimate, e.lower, e.upper = float(med_q), float(lo_q), float(hi_q)
                # N is discrete: break ties with the truth at random, or the ranks of
                # nearly certain posteriors (n0 = 0 and few draws above) pile up at 0
                ties = float(np.mean(inside == truth))
                ranks.append(float(np.mean(inside < truth)) + ties * float(rng.random()))
            covered = math.isfinite(e.estimate) and e.lower <= truth <= (
                e.upper if math.isfinite(e.upper) else math.inf
            )
            truths.append(truth)
            rhat = float(e.diagnostics.get("rhat", math.nan)) if e.diagnostics else math.nan
            rows[m].append((e.estimate / truth * args.people, covered, e.converged, rhat))
            if m == "lcmcr":
                few_classes.append(e.diagnostics.get("occupied_classes_median", 99) <= 2)
    truth = args.people
    if args.truth == "latent-class":
        what = f"LCMCR's own model, {args.classes} latent classes, floor {args.floor}"
    elif args.truth == "prior":
        what = f"N and parameters drawn from LCMCR's prior (N in {args.people // 4}..{truth})"
    elif options:
        what = f"simulator, options {options}"
    else:
        what = "simulator defaults (heterogeneous, dependent capture)"
    print(
        f"{args.runs} FICTIONAL populations of N = {truth}, {args.lists} lists, {what}; "
        f"mean observed {np.mean(observed):.0f}; seed {args.seed}; {time.time() - t0:.0f} s"
    )
    print(
        f"{'method':14s} {'coverage':>9s} {'bias %':>8s} {'median %':>9s} "
        f"{'RMSE %':>8s} {'flagged':>8s} {'max R-hat':>10s}"
    )
    for m, vals in rows.items():
        est = np.array([v[0] for v in vals], dtype=float)
        ok = np.isfinite(est)
        cov = np.mean([v[1] for v in vals])
        rel = (est[ok] - truth) / truth * 100
        flagged = np.mean([not v[2] for v in vals])
        rhats = np.array([v[3] for v in vals])
        max_rhat = f"{np.nanmax(rhats):10.3f}" if np.isfinite(rhats).any() else f"{'':10s}"
        print(
            f"{m:14s} {cov:9.0%} {rel.mean():+8.1f} {np.median(rel):+9.1f} "
            f"{math.sqrt(np.mean(rel**2)):8.1f} {flagged:8.0%} {max_rhat}"
        )
    if few_classes and "lcmcr" in rows:
        few = np.array(few_classes)
        cov = np.array([v[1] for v in rows["lcmcr"]])
        print(
            f"lcmcr: posterior on <= 2 occupied classes in {few.sum()} runs, coverage there "
            f"{cov[few].mean() if few.any() else math.nan:.0%}; in the other "
            f"{(~few).sum()} runs {cov[~few].mean() if (~few).any() else math.nan:.0%}"
        )
    if ranks:
        hist = np.histogram(ranks, bins=10, range=(0, 1))[0]
        print(
            f"prior truth: {len(ranks)} runs with enough draws in range; rank of true N "
            f"among them by decile (uniform if the sampler is right): {hist.tolist()}"
        )


if __name__ == "__main__":
    main()
