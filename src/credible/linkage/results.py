"""A link run's Persons out of the store: scored against the simulator's truth, and
exported one row per record."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy import select

from credible.errors import CredibleError, InputError, Problem
from credible.linkage.evaluate import Metrics, evaluate
from credible.linkage.service import BATCH, latest_link_run, stored_scores
from credible.store import Store, schema

_PR = schema.person_records


def run_clusters(store: Store, run_id: int) -> pd.DataFrame:
    """record_id, source, source_row, person_id, member probability of a run's Persons."""
    pm, ps, src = schema.person_members, schema.persons, schema.sources
    stmt = (
        select(
            pm.c.record_id,
            src.c.name,
            _PR.c.source_row,
            pm.c.person_id,
            pm.c.match_probability,
            ps.c.size,
        )
        .join(ps, ps.c.id == pm.c.person_id)
        .join(_PR, _PR.c.id == pm.c.record_id)
        .join(src, src.c.id == _PR.c.source_id)
        .where(ps.c.run_id == run_id)
        .order_by(pm.c.record_id)
    )
    cols = ["record_id", "source", "source_row", "person_id", "member_probability", "size"]
    frames = []
    with store.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
        frames = [pd.DataFrame(part, columns=cols) for part in result.partitions(BATCH)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    return pd.concat(frames, ignore_index=True)


def read_truth(path: Path) -> pd.DataFrame:
    """The simulator's truth: ``DIR/truth/records.csv`` or ``DIR/records.csv``."""
    path = Path(path)
    candidates = [path / "truth" / "records.csv", path / "records.csv"]
    if path.is_file():
        candidates.insert(0, path)
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        raise InputError(
            [Problem(str(path), None, None, "a folder holding truth/records.csv or records.csv")],
            f"no truth found at {path}",
        )
    truth = pd.read_csv(found, dtype={"source": str})
    missing = [c for c in ("source", "source_row", "person_id") if c not in truth.columns]
    if missing:
        raise InputError(
            [Problem(str(found), None, c, "a column of that name") for c in missing],
            f"{found} is not a truth file",
        )
    return truth


def evaluate_latest(store: Store, truth_dir: Path) -> tuple[int, Metrics]:
    """Pairwise and B-cubed scores of the latest run against the simulator's truth."""
    truth = read_truth(truth_dir)
    run = latest_link_run(store)
    clusters = run_clusters(store, run.id).rename(columns={"person_id": "cluster_id"})
    return run.id, evaluate(clusters, truth)


def links_frame(store: Store) -> pd.DataFrame:
    """One row per record of the latest run: record_id, source, source_row, person_id,
    match_probability (highest stored score with another member of its Person)."""
    run = latest_link_run(store)
    clusters = run_clusters(store, run.id)
    with store.read() as conn:
        pairs = stored_scores(conn, run.id)
    person = pd.Series(clusters["person_id"].to_numpy(), index=clusters["record_id"])
    pairs = pairs.loc[
        pairs["record_id_l"].map(person).to_numpy() == pairs["record_id_r"].map(person).to_numpy()
    ]
    best = (
        pd.concat(
            [
                pairs[["record_id_l", "match_probability"]].set_axis(["record_id", "p"], axis=1),
                pairs[["record_id_r", "match_probability"]].set_axis(["record_id", "p"], axis=1),
            ]
        )
        .groupby("record_id")["p"]
        .max()
    )
    p = clusters["record_id"].map(best)
    # A pair merged by a reviewer may have no stored score: the member's own probability.
    p = p.fillna(clusters["member_probability"]).where(clusters["size"] > 1)
    out = clusters[["record_id", "source", "source_row", "person_id"]].copy()
    out["match_probability"] = p
    return out


def export_links(store: Store, fmt: str, out: IO[str]) -> int:
    """Write ``links_frame`` as CSV or JSON Lines; returns the number of rows."""
    frame = links_frame(store)
    cols = ["record_id", "source", "source_row", "person_id", "match_probability"]
    rows = frame[cols].astype(object).where(frame[cols].notna(), None).itertuples(index=False)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(dict(zip(cols, _json_values(row), strict=True))) + "\n")
    else:
        raise CredibleError(f"unknown format {fmt!r}; use csv or jsonl")
    return len(frame)


def _json_values(row: tuple[Any, ...]) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in row]
