"""Coverage and bias of every estimator end to end: simulate → import → link → estimate.

For each FICTIONAL population (the simulator's default lists, one seed each) the
script imports the lists into a fresh SQLite store, links them with the default
settings, and estimates N three ways:

* **fixed**: on the stored linkage, as if it were the truth;
* **draws**: with ``--draws`` linkages drawn from the run's match probabilities and the
  results combined (``credible estimate --linkage-draws K``);
* **true links**: on the simulator's true persons (the histories a perfect linkage
  would give), to separate the linkage's error from the estimator's.

Coverage is the share of populations whose 95% interval contains the true number of
people; bias and RMSE are in % of it. Each population's result is appended to a JSON
lines file (``--results``) as soon as it is done, so a long study can be run in pieces
(different ``--seeds-from``) and summarised together (``--summarise FILE ...``).

    .venv/bin/python bench/estimate_end_to_end.py --people 3000 --populations 100
    .venv/bin/python bench/estimate_end_to_end.py --people 20000 --populations 100 \\
        --seeds-from 1001
    .venv/bin/python bench/estimate_end_to_end.py --summarise /tmp/e2e-3000.jsonl

The study's results so far are kept in the repository, ``bench/results/e2e-<people>.jsonl``
(one line a population), so that it accumulates across sessions: append to them with
``--results bench/results/e2e-3000.jsonl --seeds-from <next seed>`` and summarise them
all with ``--summarise`` alone.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credible.config import Settings
from credible.estimate import (
    METHODS,
    Decision,
    ScoredLinkage,
    SplitAudit,
    estimate_from_records,
    estimate_with_draws,
    scored_linkage,
)
from credible.estimate.lcmcr import DEFAULTS as LCMCR_DEFAULTS
from credible.estimate.splitaudit import draw_sample
from credible.ingest import import_manifest
from credible.linkage import LinkSettings, run_link
from credible.simulate import simulate
from credible.store import init_store

#: Where the study's results are kept (committed), one JSON line a population.
RESULTS = Path(__file__).parent / "results"

VARIANTS = (
    "fixed",
    "draws",
    "reviewed",
    "reviewed, calibrated",
    "draws, with audit",
    "reviewed, calibrated, with audit",
    "true links",
)
#: Variants that cost an estimation with draws each; "fixed", "draws" and "true links"
#: are always run.
OPTIONAL = (
    "reviewed",
    "reviewed, calibrated",
    "draws, with audit",
    "reviewed, calibrated, with audit",
)
#: Persons the simulated auditor samples among those seen on one list.
AUDITED = 150
#: Pairs the simulated reviewer decides for the "reviewed" variants.
REVIEWED = 200
#: The band the simulated reviewer picks its pairs from (uniformly at random).
REVIEW_BAND = (0.1, 0.95)
#: LCMCR as bench/estimate_coverage.py runs it: shorter chains than the reference
#: settings, so that a population takes a minute, not several (--lcmcr-reference for
#: the package defaults). The drawn linkages get 1/K of these draws each.
LCMCR_SETTINGS = {"burnin": 2000, "samples": 2000, "thinning": 5, "chains": 4}


def link_population(people: int, seed: int, cache: Path | None) -> dict[str, Any]:
    """Simulate → import → link one population; keep what estimation needs.

    With ``cache`` the result is saved there (and read back next time), so that the
    estimation variants can be re-run on the same linked populations."""
    if cache is not None:
        saved = cache / f"{people}-{seed}.pkl"
        if saved.exists():
            out: dict[str, Any] = pd.read_pickle(saved)
            return out
    with tempfile.TemporaryDirectory(prefix="e2e-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        data = workdir / "data"
        simulate(people=people, seed=seed, out=data)
        settings = Settings.resolve(str(workdir / "credible.db"), actor="bench")
        store, _, _ = init_store(settings)
        try:
            list(import_manifest(store, data, actor="bench", lists_only=True))
            t_import = time.perf_counter()
            link = run_link(store, LinkSettings(), "bench")
            t_link = time.perf_counter()
            scored = scored_linkage(store)
        finally:
            store.close()
        truth_records = pd.read_csv(data / "truth" / "records.csv")
        true_n = int(json.loads((data / "truth" / "population.json").read_text())["people"])
        by_row = truth_records.set_index(["source", truth_records["source_row"].astype(str)])
        rows = _source_rows(store_path=workdir / "credible.db", settings=settings)
        key = pd.MultiIndex.from_arrays([rows["source"], rows["source_row"].astype(str)])
        person_col = next(c for c in ("person_id", "person") if c in truth_records.columns)
        rows["true_person"] = by_row[person_col].reindex(key).to_numpy()
        true_of = rows.set_index("record_id")["true_person"]
    records = scored.records.copy()
    # Only the bench ever sees this column: the methods get the linkage alone.
    records["true_person"] = true_of.reindex(records["record_id"]).to_numpy()
    out = {
        "people": people,
        "seed": seed,
        "true_n": true_n,
        "records": records,
        "pairs": scored.pairs,
        "threshold": scored.threshold,
        "link_run": scored.link_run,
        "link_records": link.records,
        "persons_linked": link.persons,
        "seconds": {
            "import": round(t_import - started, 1),
            "link": round(t_link - t_import, 1),
        },
    }
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        pd.to_pickle(out, saved)
    return out


def one_population(
    people: int,
    seed: int,
    draws: int,
    methods: list[str],
    cache: Path | None,
    lcmcr: dict[str, Any] | None,
    variants: tuple[str, ...] = OPTIONAL,
) -> dict[str, Any]:
    linked = link_population(people, seed, cache)
    records = linked["records"]
    seen = records.drop(columns=["true_person"])
    scored = ScoredLinkage(seen, linked["pairs"], linked["threshold"], link_run=linked["link_run"])
    t0 = time.perf_counter()
    run = estimate_with_draws(scored, draws, methods, seed=seed, lcmcr_settings=lcmcr)
    t_est = time.perf_counter()
    # A reviewer decides REVIEWED pairs of the band; the bench answers for them from
    # the simulator's truth (as a reviewer with other sources would), the method sees
    # only the decisions. Then: draws with those decisions fixed, and the same with the
    # probabilities recalibrated on them.
    decisions = simulated_review(linked, np.random.default_rng([seed, 7]))
    reviewed = replace(scored, decisions=decisions)
    # A split audit: AUDITED persons seen on one list, sampled uniformly; the bench
    # answers for the auditor from the simulator's truth (a perfect search of the other
    # lists), the method sees only the answers.
    audit = simulated_audit(linked, np.random.default_rng([seed, 0xA0D1]))
    plans = {
        "reviewed": (reviewed, False, None),
        "reviewed, calibrated": (reviewed, True, None),
        "draws, with audit": (scored, True, audit),
        "reviewed, calibrated, with audit": (reviewed, True, audit),
    }
    rev_runs = {
        v: estimate_with_draws(
            base, draws, methods, seed=seed, lcmcr_settings=lcmcr, calibrated=cal, audit=aud
        )
        for v, (base, cal, aud) in plans.items()
        if v in variants
    }
    truth = seen.assign(person_id=records["true_person"].to_numpy()).dropna(subset=["person_id"])
    true_run = estimate_from_records(truth, methods, seed=seed, lcmcr_settings=lcmcr)
    out: dict[str, Any] = {
        "people": people,
        "seed": seed,
        "true_n": linked["true_n"],
        "records": linked["link_records"],
        "persons_linked": linked["persons_linked"],
        "persons_true": int(records["true_person"].nunique()),
        # results from several sessions are summarised together: say what LCMCR ran with
        "lcmcr": {**LCMCR_DEFAULTS, **(lcmcr or {})},
        "persons_drawn_mean": run.linkage.get("persons_drawn", {}).get("mean"),
        "seconds": {**linked["seconds"], "estimate_with_draws": round(t_est - t0, 1)},
        "methods": {},
        "calibration": next(
            (r.linkage.get("calibration") for v, r in rev_runs.items() if "calibrated" in v), None
        ),
        "split_audit": next(
            (r.linkage.get("split_audit") for v, r in rev_runs.items() if "audit" in v), None
        ),
        "persons_drawn_mean_reviewed": {
            v: r.linkage.get("persons_drawn", {}).get("mean") for v, r in rev_runs.items()
        },
    }
    rev_by_method = {v: {e.method: e for e in r.overall()} for v, r in rev_runs.items()}
    truth_by_method = {e.method: e for e in true_run.overall()}
    for e in run.overall():
        fixed = e.diagnostics.get("linkage", {}).get("fixed")
        t = truth_by_method[e.method]
        out["methods"][e.method] = {
            "fixed": [fixed["estimate"], fixed["lower"], fixed["upper"]] if fixed else None,
            "draws": [e.estimate, e.lower, e.upper],
            "true links": [t.estimate, t.lower, t.upper],
            **{
                v: [r[e.method].estimate, r[e.method].lower, r[e.method].upper]
                for v, r in rev_by_method.items()
            },
            "linkage_share": e.diagnostics.get("linkage", {}).get("linkage_share"),
            "flagged": not e.converged,
            "flagged_variants": {v: not r[e.method].converged for v, r in rev_by_method.items()},
        }
    out["bias_correction"] = run.linkage.get("bias_correction")
    return out


def simulated_audit(linked: dict[str, Any], rng: np.random.Generator) -> SplitAudit:
    """AUDITED one-list Persons of the stored linkage, each answered from the truth:
    found (under the lowest record of the same true person on another list) or not."""
    records = linked["records"]
    sample = draw_sample(records, AUDITED, rng)
    src = records["source"].astype(str).to_numpy()
    by_true = pd.Series(np.arange(len(records))).groupby(records["true_person"].to_numpy())
    members = {k: v.to_numpy() for k, v in by_true}
    pos = pd.Index(records["record_id"].to_numpy(np.int64))
    ids = records["record_id"].to_numpy(np.int64)
    answers: dict[int, int | None] = {}
    for rec in sample:
        i = int(pos.get_loc(rec))
        truth = records["true_person"].iloc[i]
        same = members.get(truth, np.array([], dtype=np.int64)) if not pd.isna(truth) else []
        elsewhere = [int(ids[j]) for j in same if src[j] != src[i]]
        answers[rec] = min(elsewhere) if elsewhere else None
    return SplitAudit(tuple(sample), answers, linked["link_run"])


def simulated_review(linked: dict[str, Any], rng: np.random.Generator) -> list[Decision]:
    """REVIEWED pairs drawn uniformly from the band, decided by the simulator's truth."""
    pairs = linked["pairs"]
    p = pairs["match_probability"].to_numpy(float)
    band = np.flatnonzero((p >= REVIEW_BAND[0]) & (p < REVIEW_BAND[1]))
    pick = rng.choice(band, size=min(REVIEWED, len(band)), replace=False)
    true_of = linked["records"].set_index("record_id")["true_person"]
    out = []
    for i in pick:
        a, b = int(pairs["record_id_l"].iloc[i]), int(pairs["record_id_r"].iloc[i])
        ta, tb = true_of.get(a), true_of.get(b)
        if ta is None or tb is None or pd.isna(ta) or pd.isna(tb):
            continue
        out.append(Decision(a, b, bool(ta == tb)))
    return out


def _source_rows(store_path: Path, settings: Settings) -> pd.DataFrame:
    """Every person record's source and row, to pair it with the simulator's truth."""
    from sqlalchemy import select

    from credible.store import open_store, schema

    store = open_store(settings, label="bench")
    try:
        pr, src = schema.person_records, schema.sources
        with store.read() as conn:
            stmt = select(pr.c.id, src.c.name, pr.c.source_row).join(
                src, src.c.id == pr.c.source_id
            )
            frame = pd.DataFrame(
                conn.execute(stmt).all(), columns=["record_id", "source", "source_row"]
            )
    finally:
        store.close()
    return frame


def summarise(results: list[dict[str, Any]]) -> str:
    lines = []
    for people in sorted({r["people"] for r in results}):
        rs = [r for r in results if r["people"] == people]
        secs = [r["seconds"]["estimate_with_draws"] for r in rs]
        lines.append(
            f"\n{people:,} people, {len(rs)} populations (seeds "
            f"{min(r['seed'] for r in rs)}–{max(r['seed'] for r in rs)}); persons after "
            f"linkage {np.mean([r['persons_linked'] / r['persons_true'] - 1 for r in rs]):+.1%} "
            f"vs the true persons; estimation with draws {np.median(secs):.0f} s median"
        )
        settings: dict[str, int] = {}
        for r in rs:
            key = json.dumps(r.get("lcmcr") or "not recorded", sort_keys=True)
            settings[key] = settings.get(key, 0) + 1
        lines += [f"LCMCR settings {k}: {v} populations" for k, v in settings.items()]
        rev = [r for r in rs if r.get("persons_drawn_mean_reviewed")]
        if rev:
            drawn = {
                v: np.mean(
                    [
                        r["persons_drawn_mean_reviewed"][v] / r["persons_true"] - 1
                        for r in rev
                        if v in r["persons_drawn_mean_reviewed"]
                    ]
                )
                for v in dict.fromkeys(k for r in rev for k in r["persons_drawn_mean_reviewed"])
            }
            cal = [
                r["calibration"] for r in rev if (r.get("calibration") or {}).get("a") is not None
            ]
            lines.append(
                f"persons drawn vs true: draws "
                f"{np.mean([r['persons_drawn_mean'] / r['persons_true'] - 1 for r in rev]):+.1%}"
                + "".join(f", {v} {d:+.1%}" for v, d in drawn.items())
                + (
                    f"; Platt fits on {REVIEWED} decisions: a "
                    f"{np.median([c['a'] for c in cal]):+.2f}, b "
                    f"{np.median([c['b'] for c in cal]):.2f} (medians)"
                    if cal
                    else ""
                )
            )
            audits = [r["split_audit"] for r in rev if (r.get("split_audit") or {}).get("used")]
            if audits:
                lines.append(
                    f"split audit of {AUDITED} one-list persons: split rate "
                    f"{np.median([a['split_rate'] for a in audits]):.1%} (median; "
                    f"{min(a['split_rate'] for a in audits):.1%}–"
                    f"{max(a['split_rate'] for a in audits):.1%}), expected splits "
                    f"{np.median([a['expected_splits'] for a in audits]):,.0f} (median)"
                )
        lines.append(
            "| method | linkage | coverage | bias % | median error % | RMSE % | "
            "mean width % | flagged |"
        )
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for m in METHODS:
            for v in VARIANTS:
                trip = [
                    (r["methods"][m][v], r["true_n"], _flagged(r["methods"][m], v))
                    for r in rs
                    if m in r["methods"] and r["methods"][m].get(v) is not None
                ]
                if m == "chapman" and v == "true links":
                    lines += _row(m, "fixed, DF-corrected", _corrected(rs))
                trip = [t for t in trip if all(x is not None for x in t[0])]
                lines += _row(m, v, trip)
    return "\n".join(lines)


def _flagged(result: dict[str, Any], variant: str) -> bool | None:
    """Whether the variant's estimate was flagged as not converged (None: not recorded)."""
    if variant == "draws":
        return bool(result["flagged"])
    return result.get("flagged_variants", {}).get(variant)


def _corrected(rs: list[dict[str, Any]]) -> list[tuple[list[float], int, bool]]:
    """Chapman with the Ding–Fienberg style correction, as (estimate, lower, upper)."""
    out = []
    for r in rs:
        c = (r.get("bias_correction") or {}).get("chapman_corrected")
        if c:
            out.append(([c["estimate"], c["lower"], c["upper"]], r["true_n"], None))
    return out


def _row(method: str, variant: str, trip: list[Any]) -> list[str]:
    trip = [t for t in trip if all(x is not None for x in t[0])]
    if not trip:
        return []
    err = np.array([(t[0][0] - t[1]) / t[1] for t in trip]) * 100
    cover = np.mean([t[0][1] <= t[1] <= t[0][2] for t in trip])
    width = np.mean([(t[0][2] - t[0][1]) / t[1] for t in trip]) * 100
    flags = [t[2] for t in trip if t[2] is not None]
    flagged = f"{np.mean(flags):.0%}" if flags else ""
    return [
        f"| {method} | {variant} | {cover:.0%} | {err.mean():+.1f} | {np.median(err):+.1f} | "
        f"{math.sqrt(float(np.mean(err**2))):.1f} | {width:.1f} | {flagged} |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, nargs="+", default=[3000])
    ap.add_argument("--populations", type=int, default=20)
    ap.add_argument("--seeds-from", type=int, default=101)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--results", type=Path, default=Path("/tmp/estimate_end_to_end.jsonl"))
    ap.add_argument(
        "--lcmcr-reference", action="store_true", help="LCMCR's full reference settings"
    )
    ap.add_argument(
        "--cache", type=Path, help="keep each linked population here and reuse it next time"
    )
    ap.add_argument(
        "--link-only", action="store_true", help="only simulate, import and link (to --cache)"
    )
    ap.add_argument(
        "--summarise",
        type=Path,
        nargs="*",
        help=f"only summarise these files (none named: {RESULTS.name}/e2e-*.jsonl)",
    )
    ap.add_argument(
        "--variants",
        nargs="+",
        choices=OPTIONAL,
        default=list(OPTIONAL),
        help="which estimations with draws to run besides fixed, draws and true links",
    )
    args = ap.parse_args()
    if args.summarise is not None:
        files = args.summarise or sorted(RESULTS.glob("e2e-*.jsonl"))
        if not files:
            raise SystemExit(f"no results to summarise in {RESULTS}")
        results = [
            json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()
        ]
        print(summarise(results))
        return
    done = []
    for people in args.people:
        for seed in range(args.seeds_from, args.seeds_from + args.populations):
            if args.link_only:
                linked = link_population(people, seed, args.cache)
                print(f"{people} seed {seed}: linked {linked['seconds']}", flush=True)
                continue
            lcmcr = None if args.lcmcr_reference else LCMCR_SETTINGS
            r = one_population(
                people, seed, args.draws, args.methods, args.cache, lcmcr, tuple(args.variants)
            )
            with args.results.open("a", encoding="utf-8") as f:
                f.write(json.dumps(r) + "\n")
            done.append(r)
            lc = r["methods"].get("lcmcr", {})
            print(
                f"{people} seed {seed}: N={r['true_n']} persons {r['persons_linked']} "
                f"(true {r['persons_true']}) lcmcr fixed {lc.get('fixed')} draws "
                f"{lc.get('draws')} [{r['seconds']}]",
                flush=True,
            )
    print(summarise(done))


if __name__ == "__main__":
    main()
