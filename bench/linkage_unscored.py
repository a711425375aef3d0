"""Where the true pairs a link run leaves unscored are lost: blocking, the evidence
screen, or the floor on kept scores.

A true pair can fail to get a score in three places: no blocking rule proposes it
(``bench/linkage_blocking.py``); a rule proposes it but its Bayes factor under the
starting m is below ``exclusive_min_probability`` times the number of records, so it
never enters the list-aware model; or the model scores it below ``keep_pairs_above``
and it is not kept. This runs the default ``credible link`` on FICTIONAL simulated lists
and counts each, for every true pair and for those the run's Persons leave apart, and
says what the pairs blocking never proposed have in common (the fields a new rule
would need).

    python bench/linkage_unscored.py --size 20000 --seed 2001
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from credible.linkage import LinkSettings, evaluate, exclusive, train_and_predict
from credible.linkage.blocking import capped_blocks
from linkage import markdown_table
from linkage_blocking import block_pairs, prepared_records, true_pairs


def blocked_pairs(prepared: pd.DataFrame, settings: LinkSettings) -> np.ndarray:
    """Every pair (``lo * n + hi``) some blocking rule proposes, as a run builds them."""
    n = len(prepared)
    keys, blocks = capped_blocks(
        prepared, settings.blocking_rules, settings.max_block, settings.max_pairs_blocked
    )
    union = np.empty(0, dtype=np.int64)
    for block in blocks:
        if isinstance(block, str):
            continue
        union = np.union1d(union, block_pairs(block, keys, prepared, n))
    return union


def screened_run(prepared: pd.DataFrame, settings: LinkSettings):
    """The run's result and the pairs that entered the list-aware model (the screen's
    survivors), read from the model's last call to ``exclusive.probabilities``."""
    seen: dict[str, exclusive.PairVectors] = {}
    original = exclusive.probabilities

    def recording(vectors, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen["vectors"] = vectors
        return original(vectors, *args, **kwargs)

    exclusive.probabilities = recording  # type: ignore[assignment]
    try:
        result = train_and_predict(prepared, settings)
    finally:
        exclusive.probabilities = original  # type: ignore[assignment]
    return result, seen["vectors"]


def what_they_share(prepared: pd.DataFrame, pairs: np.ndarray) -> list[list[str]]:
    """For pairs no rule proposed: the share that agree on each field a rule could use."""
    n = len(prepared)
    a = prepared.iloc[pairs // n].reset_index(drop=True)
    b = prepared.iloc[pairs % n].reset_index(drop=True)

    def items(x: object) -> set:
        return set(x) if isinstance(x, (list, tuple, np.ndarray)) else set()

    def overlap(col: str) -> np.ndarray:
        return np.array([bool(items(x) & items(y)) for x, y in zip(a[col], b[col], strict=True)])

    def equal(col: str) -> np.ndarray:
        x, y = a[col].astype(str).to_numpy(), b[col].astype(str).to_numpy()
        return (a[col].notna() & b[col].notna()).to_numpy(bool) & (x == y)

    checks = {
        "same home county": equal("residence_county"),
        "home county missing on a side": (
            a["residence_county"].isna() | b["residence_county"].isna()
        ).to_numpy(),
        "a name key in common": overlap("name_keys"),
        "a cross-script skeleton in common": overlap("ckeys"),
        "one record gives one name part": (a["n2_rom"].isna() | b["n2_rom"].isna()).to_numpy(),
        "a name in Chinese characters": (
            a["name_han"].fillna(False) | b["name_han"].fillna(False)
        ).to_numpy(bool),
        "same birth year": equal("birth_year"),
        "same list": (a["source"].to_numpy() == b["source"].to_numpy()),
    }
    return [[name, f"{hit.mean():.2f}"] for name, hit in checks.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2001)
    parser.add_argument("--no-id-numbers", action="store_true", help="the older lists")
    parser.add_argument("--keep-pairs-above", type=float, default=None)
    parser.add_argument("--exclusive-min-probability", type=float, default=None)
    args = parser.parse_args()
    prepared, keyed = prepared_records(args.size, args.seed, not args.no_id_numbers)
    changed = {
        k: v
        for k, v in (
            ("keep_pairs_above", args.keep_pairs_above),
            ("exclusive_min_probability", args.exclusive_min_probability),
        )
        if v is not None
    }
    settings = LinkSettings(**changed)
    n = len(prepared)
    positions = pd.Series(np.arange(n), index=prepared["record_id"].to_numpy())
    truth = true_pairs(keyed, positions, n)
    started = time.process_time()
    result, vectors = screened_run(prepared, settings)
    cpu = time.process_time() - started
    blocked = blocked_pairs(prepared, settings)
    screened = np.unique(
        np.minimum(vectors.left, vectors.right) * n + np.maximum(vectors.left, vectors.right)
    )
    pl = result.pairs["record_id_l"].map(positions).to_numpy()
    pr = result.pairs["record_id_r"].map(positions).to_numpy()
    kept = np.unique(np.minimum(pl, pr) * n + np.maximum(pl, pr))
    cluster = (
        result.clusters.set_index("record_id")["cluster_id"]
        .reindex(prepared["record_id"])
        .to_numpy()
    )
    apart = cluster[truth // n] != cluster[truth % n]
    stage = np.select(
        [~np.isin(truth, blocked), ~np.isin(truth, screened), ~np.isin(truth, kept)],
        [
            "never proposed by blocking",
            "proposed, left out by the evidence screen",
            f"scored below keep_pairs_above ({settings.keep_pairs_above})",
        ],
        default="scored and kept",
    )
    rows = []
    for name in pd.unique(stage):
        here = stage == name
        rows.append([name, f"{int(here.sum()):,}", f"{int((here & apart).sum()):,}"])
    rows.append(["**all true pairs**", f"{len(truth):,}", f"{int(apart.sum()):,}"])
    clusters = result.clusters
    metrics = evaluate(clusters, keyed[["source", "source_row", "person_id"]])
    print(
        f"{n:,} records, seed {args.seed}, settings changed: {changed or 'none'}; "
        f"linkage {cpu:.0f} CPU s; {len(result.pairs):,} pairs kept; "
        f"pairwise F1 {metrics.pairwise_f1:.4f}"
    )
    print(markdown_table(["true pairs", "all", "left apart by the run's Persons"], rows))
    never = truth[stage == "never proposed by blocking"]
    if len(never):
        print(f"\nWhat the {len(never):,} pairs blocking never proposed share:")
        print(markdown_table(["field", "share"], what_they_share(prepared, never)))


if __name__ == "__main__":
    main()
