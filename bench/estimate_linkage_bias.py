"""Where the end-to-end bias comes from: the linkage's false splits, its false merges,
or the estimator's own model.

Reads the linked populations that ``bench/estimate_end_to_end.py --cache DIR`` keeps
(FICTIONAL, simulated; each with the simulator's true person of every record, which
only this bench looks at) and estimates N on five partitions of the same records:

* **true**: the simulator's persons (the estimator's own error);
* **fixed**: the stored linkage;
* **splits only**: the true persons cut wherever the stored linkage cut them (the
  meet of the two partitions: the linkage's false splits, none of its false merges);
* **merges only**: the true persons joined wherever the stored linkage joined them
  (the join: false merges, no false splits);
* **scored ceiling**: the true persons cut where no chain of *scored* pairs joins their
  records — the best any method built on the run's pair probabilities can do, since a
  true pair that blocking never proposed has no probability to draw or correct.

It prints, per partition, the persons and how many are seen on 1, 2, 3+ lists, and per
method the mean error, and the error by list-overlap pattern (the mean count of people
per number of lists, against the truth's).

    .venv/bin/python bench/estimate_linkage_bias.py --cache /tmp/e2e-cache --people 3000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from credible.estimate import estimate_from_records, histories_from_records

LCMCR_SETTINGS = {"burnin": 2000, "samples": 2000, "thinning": 5, "chains": 4}
PARTITIONS = ("true", "fixed", "splits only", "merges only", "scored ceiling")


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def partitions(linked: dict[str, Any]) -> dict[str, np.ndarray]:
    records = linked["records"]
    true = pd.factorize(records["true_person"])[0]
    fixed = pd.factorize(records["person_id"])[0]
    n = len(records)
    meet = pd.factorize(pd.Series(true).astype(str) + ":" + pd.Series(fixed).astype(str))[0]
    idx = np.arange(n)
    # join: records linked when they share a true person or a stored Person
    by_true = pd.Series(idx).groupby(true).transform("min").to_numpy()
    by_fixed = pd.Series(idx).groupby(fixed).transform("min").to_numpy()
    join = _components(n, np.r_[idx, idx], np.r_[by_true, by_fixed])
    pos = pd.Index(records["record_id"].to_numpy(np.int64))
    pairs = linked["pairs"]
    pl = pos.get_indexer(pairs["record_id_l"].to_numpy(np.int64))
    pr = pos.get_indexer(pairs["record_id_r"].to_numpy(np.int64))
    ok = (pl >= 0) & (pr >= 0)
    reach = _components(n, pl[ok], pr[ok])
    ceiling = pd.factorize(pd.Series(true).astype(str) + ":" + pd.Series(reach).astype(str))[0]
    return {
        "true": true,
        "fixed": fixed,
        "splits only": meet,
        "merges only": join,
        "scored ceiling": ceiling,
    }


def one(linked: dict[str, Any], methods: list[str]) -> dict[str, Any]:
    records = linked["records"].drop(columns=["true_person"])
    out: dict[str, Any] = {"people": linked["people"], "seed": linked["seed"]}
    out["true_n"] = linked["true_n"]
    for name, labels in partitions(linked).items():
        recs = records.assign(person_id=labels)
        hs = histories_from_records(recs, None).overall
        nlists = hs.patterns.sum(axis=1)
        run = estimate_from_records(
            recs, methods, seed=linked["seed"], lcmcr_settings=LCMCR_SETTINGS
        )
        out[name] = {
            "persons": hs.n_observed,
            "by_lists": {
                str(k): int(hs.counts[nlists == k].sum()) for k in range(1, hs.n_lists + 1)
            },
            "methods": {e.method: [e.estimate, e.lower, e.upper] for e in run.overall()},
        }
    return out


def summarise(rows: list[dict[str, Any]]) -> str:
    lines = []
    for people in sorted({r["people"] for r in rows}):
        rs = [r for r in rows if r["people"] == people]
        lines.append(f"\n{people:,} people, {len(rs)} populations")
        lines.append("| partition | persons | seen on 1 list | 2 | 3+ |")
        lines.append("|---|---:|---:|---:|---:|")
        for p in PARTITIONS:
            per = np.mean([r[p]["persons"] for r in rs])
            by = [np.mean([r[p]["by_lists"].get(str(k), 0) for r in rs]) for k in (1, 2)] + [
                np.mean([sum(v for k, v in r[p]["by_lists"].items() if int(k) >= 3) for r in rs])
            ]
            lines.append(f"| {p} | {per:,.0f} | {by[0]:,.0f} | {by[1]:,.0f} | {by[2]:,.0f} |")
        methods = list(rs[0]["true"]["methods"])
        lines.append("")
        lines.append("| method | " + " | ".join(PARTITIONS) + " |")
        lines.append("|---|" + "---:|" * len(PARTITIONS))
        for m in methods:
            cells = []
            for p in PARTITIONS:
                err = [100 * (r[p]["methods"][m][0] / r["true_n"] - 1) for r in rs]
                cov = np.mean(
                    [r[p]["methods"][m][1] <= r["true_n"] <= r[p]["methods"][m][2] for r in rs]
                )
                cells.append(f"{np.nanmean(err):+.1f}% ({cov:.0%})")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--methods", nargs="+", default=None)
    ap.add_argument("--results", type=Path, default=Path("/tmp/linkage_bias.jsonl"))
    ap.add_argument("--summarise", action="store_true", help="only summarise --results")
    args = ap.parse_args()
    if args.summarise:
        rows = [json.loads(x) for x in args.results.read_text().splitlines() if x.strip()]
        print(summarise(rows))
        return
    done = {
        (r["people"], r["seed"])
        for r in (
            json.loads(x)
            for x in (args.results.read_text().splitlines() if args.results.exists() else [])
            if x.strip()
        )
    }
    files = sorted(args.cache.glob(f"{args.people}-*.pkl"))[: args.limit]
    for f in files:
        linked = pd.read_pickle(f)
        if (linked["people"], linked["seed"]) in done:
            continue
        r = one(linked, args.methods)
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(r) + "\n")
        print(f.name, {p: r[p]["methods"].get("lcmcr") for p in PARTITIONS}, flush=True)
    rows = [json.loads(x) for x in args.results.read_text().splitlines() if x.strip()]
    print(summarise(rows))


if __name__ == "__main__":
    main()
