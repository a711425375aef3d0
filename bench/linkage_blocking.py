"""Blocking recall: of the true pairs of simulated lists, how many the blocking rules admit.

Nothing is scored: the rules' key columns are built as a run builds them
(``credible.linkage.blocking.capped_blocks``, with the block cap and pair budget of the
default settings) and every admitted pair is listed, so a rule's cost (candidate pairs)
and worth (true pairs no other rule admits) are seen in seconds. A true pair that no
rule admits is never scored: no model can link it.

    python bench/linkage_blocking.py --size 10000 --seed 5
    python bench/linkage_blocking.py --size 100000 --seed 5 --no-id-numbers
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from credible.linkage import LinkSettings, prepare_records
from credible.linkage.blocking import capped_blocks
from credible.linkage.features import FEATURE_COLUMNS
from linkage import CACHE, markdown_table, simulated


def prepared_records(size: int, seed: int, rich: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Prepared records (cached beside the simulated lists) and their truth."""
    records, truth = simulated(size, seed, rich)
    cache = CACHE / f"sim-{size}-{seed}-{'rich' if rich else 'plain'}" / "prepared.pkl"
    prepared = None
    if cache.exists() and cache.stat().st_mtime > _features_mtime():
        prepared = pd.read_pickle(cache)
        if tuple(prepared.columns) != FEATURE_COLUMNS:
            prepared = None
    if prepared is None:
        prepared = prepare_records(records)
        prepared.to_pickle(cache)
    keyed = records[["record_id", "source", "source_row"]].merge(
        truth[["source", "source_row", "person_id"]], on=["source", "source_row"]
    )
    return prepared, keyed


def _features_mtime() -> float:
    src = Path(__file__).parent.parent / "src" / "credible" / "linkage"
    return max(p.stat().st_mtime for p in (src / "features.py", src / "identity.py"))


def rule_pairs(keys: pd.Series, n: int) -> np.ndarray:
    """Every pair (as ``lo * n + hi``) of record positions sharing a key of one rule."""
    rows: list[int] = []
    vals: list[int] = []
    for i, k in enumerate(keys):
        if k is None or k is pd.NA:
            continue
        if isinstance(k, list):
            rows.extend([i] * len(k))
            vals.extend(k)
        else:
            rows.append(i)
            vals.append(int(k))
    if not rows:
        return np.empty(0, dtype=np.int64)
    r = np.asarray(rows, dtype=np.int64)
    v = np.asarray(vals, dtype=np.int64)
    order = np.lexsort((r, v))
    r, v = r[order], v[order]
    out = []
    for d in range(1, len(r)):
        same = v[d:] == v[:-d]
        if not same.any():
            break
        a, b = r[:-d][same], r[d:][same]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.unique(np.concatenate(out)) if out else np.empty(0, dtype=np.int64)


def block_pairs(block, keys: pd.DataFrame, prepared: pd.DataFrame, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The pairs one blocking rule proposes; a rule for records that lack a field
    (``either_null``) keeps only the pairs where one side lacks it."""
    pairs = rule_pairs(keys[block.column], n)
    if block.either_null:
        lacks = prepared[block.either_null].isna().to_numpy()
        pairs = pairs[lacks[pairs // n] | lacks[pairs % n]]
    return pairs


def true_pairs(keyed: pd.DataFrame, positions: pd.Series, n: int) -> np.ndarray:
    pos = keyed["record_id"].map(positions)
    frame = pd.DataFrame({"p": pos.to_numpy(), "person": keyed["person_id"].to_numpy()})
    pairs = frame.merge(frame, on="person")
    pairs = pairs[pairs["p_x"] < pairs["p_y"]]
    return np.unique(pairs["p_x"].to_numpy() * n + pairs["p_y"].to_numpy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-id-numbers", action="store_true", help="the older lists")
    parser.add_argument("--misses", type=int, default=0, help="print this many missed pairs")
    args = parser.parse_args()
    rich = not args.no_id_numbers
    started = time.perf_counter()
    prepared, keyed = prepared_records(args.size, args.seed, rich)
    prepared_s = time.perf_counter() - started
    settings = LinkSettings()
    n = len(prepared)
    positions = pd.Series(np.arange(n), index=prepared["record_id"].to_numpy())
    truth = true_pairs(keyed, positions, n)
    started = time.perf_counter()
    keys, blocks = capped_blocks(
        prepared, settings.blocking_rules, settings.max_block, settings.max_pairs_blocked
    )
    keys_s = time.perf_counter() - started
    union = np.empty(0, dtype=np.int64)
    per_rule = []
    for rule, block in zip(settings.blocking_rules, blocks, strict=True):
        if isinstance(block, str):
            continue
        pairs = block_pairs(block, keys, prepared, n)
        per_rule.append((rule, pairs))
        union = np.union1d(union, pairs)
    rows = []
    for rule, pairs in per_rule:
        others = np.empty(0, dtype=np.int64)
        for other, p in per_rule:
            if other is not rule:
                others = np.union1d(others, p)
        found = np.isin(truth, pairs)
        alone = found & ~np.isin(truth, others)
        rows.append(
            [
                " ".join(rule) if isinstance(rule, list) else rule,
                f"{len(pairs):,}",
                f"{found.mean():.4f}",
                f"{int(alone.sum()):,}",
            ]
        )
    found = np.isin(truth, union)
    rows.append(
        ["**all rules**", f"{len(union):,}", f"**{found.mean():.4f}**", f"{int(found.sum()):,}"]
    )
    print(
        f"{n:,} records, {len(truth):,} true pairs; prepare {prepared_s:.1f} s, keys {keys_s:.1f} s"
    )
    print(markdown_table(["rule", "candidate pairs", "true pairs admitted", "alone"], rows))
    missed = truth[~found]
    if args.misses and len(missed):
        cols = ["source", "name_display", "birth_ymd", "birth_year", "residence_county"]
        cols += ["id17", "township_keys", "village_key"]
        pick = np.random.default_rng(0).choice(missed, min(args.misses, len(missed)), False)
        with pd.option_context("display.width", 250, "display.max_columns", 20):
            for p in pick:
                print(prepared.iloc[[p // n, p % n]][cols].to_string(header=False))
                print()


if __name__ == "__main__":
    main()
