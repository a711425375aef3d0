"""Linkage against the store: read person records, link them, store the run, review it.

The model lives behind ``credible.linkage``'s public names; this module only moves data
between it and the store, so that every stored Person can be traced to the run (settings,
model, seed, software version, input fingerprint) and the judgements that produced it.

Review decisions are the store's append-only ``judgements`` rows. A run honours every live
judgement: a rejected pair is never merged, an accepted pair always is. After a review
``recluster`` stores a new run built from the previous run's stored scores and the
judgements, without retraining, so the decisions take effect at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, select

from credible.errors import ConfigError, NotFoundError
from credible.linkage.clustering import Judgement, cluster_pairs
from credible.linkage.features import INPUT_COLUMNS, prepare_records
from credible.linkage.settings import LinkSettings
from credible.linkage.train import review_queue, train_and_predict
from credible.store import (
    RunInfo,
    Store,
    UnitOfWork,
    finish_run,
    latest_run,
    live_judgements,
    schema,
    start_run,
)

Progress = Callable[[str, float], None]

STAGE = "link"
#: Scores of every kept pair are stored up to this many pairs; beyond it only those that
#: can matter (at or above the lower of the review band and the match threshold).
STORE_ALL_PAIRS_UP_TO = 200_000
#: Term-frequency values kept with a run (most frequent first) for ``explain``; rarer
#: values fall back to the rarest kept, which over-weights them slightly at most.
TF_VALUES_KEPT = 20_000
BATCH = 50_000

#: A stored judgement's decision as the linkage model names it.
MODEL_DECISION = {"positive": "accept", "negative": "reject", "unsure": "unsure"}

_PR = schema.person_records
_RECORD_COLUMNS = [c for c in INPUT_COLUMNS if c not in ("record_id", "source") and c in _PR.c]


@dataclass
class LinkRunSummary:
    run_id: int
    records: int
    persons: int
    pairs_scored: int
    pairs_stored: int
    merged_persons: int
    review_queue: int
    judgements: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Against the previous link run: Persons merged from several earlier ones, earlier
    #: Persons split apart, and the run compared with (absent for a first run).
    changes: dict[str, int] = field(default_factory=dict)


# ---- reading ---------------------------------------------------------------------------


def load_records(store: Store, ids: list[int] | None = None) -> pd.DataFrame:
    """Person records in ``INPUT_COLUMNS`` shape, ``record_id`` the store's id.

    Reads in batches of plain columns into Arrow, so a million records take a few hundred
    MB. ``ids`` restricts the read to those records.
    """
    stmt = (
        select(_PR.c.id, schema.sources.c.name, *[_PR.c[c] for c in _RECORD_COLUMNS])
        .join(schema.sources, schema.sources.c.id == _PR.c.source_id)
        .order_by(_PR.c.id)
    )
    if ids is not None:
        stmt = stmt.where(_PR.c.id.in_(ids))
    names = ["record_id", "source", *_RECORD_COLUMNS]
    chunks: list[pa.Table] = []
    with store.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
        for part in result.partitions(BATCH):
            cols = list(zip(*part, strict=True))
            chunks.append(pa.table({n: _arrow(n, c) for n, c in zip(names, cols, strict=True)}))
    if not chunks:
        return pd.DataFrame({n: pd.Series(dtype="object") for n in names})
    return pa.concat_tables(chunks).to_pandas()


def _arrow(name: str, values: tuple[Any, ...]) -> pa.Array:
    if name in ("record_id", "source_row"):
        return pa.array(values, pa.int64())
    if name.endswith(("_min", "_max")):
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.array(values, pa.string())


def store_judgements(conn: Connection) -> list[Judgement]:
    """The store's live judgements as the linkage model takes them."""
    out = []
    for j in live_judgements(conn):
        decision = MODEL_DECISION.get(j.decision)
        if decision is None:
            continue
        out.append(
            Judgement(
                int(j.record_l),
                int(j.record_r),
                decision,  # type: ignore[arg-type]
                who=j.actor,
                when=datetime.fromisoformat(j.at),
                note=j.note or "",
            )
        )
    return out


def latest_link_run(store: Store) -> RunInfo:
    with store.read() as conn:
        run = latest_run(conn, STAGE)
    if run is None:
        raise NotFoundError("no linkage run in the store yet: run `credible link` first")
    return run


def run_settings(run: RunInfo) -> LinkSettings:
    return LinkSettings(**run.parameters["settings"])


# ---- linking ---------------------------------------------------------------------------


def run_link(
    store: Store, settings: LinkSettings, actor: str, progress: Progress | None = None
) -> LinkRunSummary:
    """Link every person record in the store and store the run, its scores and Persons.

    One transaction: either the whole run (run row, scores, Persons, members) is stored
    or nothing is. Live judgements are honoured.
    """
    say: Progress = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        timings[stage] = round(time.perf_counter() - started, 3)

    say("reading records", 0.0)
    records = load_records(store)
    if len(records) < 2:
        raise NotFoundError(
            f"the store holds {len(records)} person record(s); import at least two "
            "(`credible import`) before linking"
        )
    with store.read() as conn:
        judgements = store_judgements(conn)
    lap("read")
    say("preparing names", 0.05)
    prepared = prepare_records(records)
    lap("prepare")

    def core(stage: str, fraction: float) -> None:
        say(stage, 0.2 + 0.65 * fraction)

    result = train_and_predict(prepared, settings, judgements, progress=core)
    lap("link")
    say("storing", 0.85)
    parameters = {
        "settings": settings.model_dump(mode="json"),
        "model": result.model,
        "metadata": result.metadata,
        "term_frequencies": _tf_for_storage(result.term_frequencies),
    }
    fingerprint = str(result.metadata["input_fingerprint"])
    review = result.review
    with store.write(actor) as uow:
        run_id = start_run(
            uow, STAGE, "splink", parameters, seed=settings.seed, input_fingerprint=fingerprint
        )
        changes = _changes(uow.conn, result.clusters)
        stored = _store_scores(uow, run_id, _scores_to_keep(result.pairs, settings))
        persons, merged = _store_persons(uow, run_id, result.clusters)
        lap("store")
        summary = LinkRunSummary(
            run_id=run_id,
            records=len(records),
            persons=persons,
            pairs_scored=len(result.pairs),
            pairs_stored=stored,
            merged_persons=merged,
            review_queue=len(review),
            judgements=len(judgements),
            seconds=dict(timings),
            warnings=_warnings(result.metadata, result.conflicts),
            changes=changes,
        )
        finish_run(uow, run_id, _results(summary, result.cut_edges))
    say("done", 1.0)
    return summary


def _scores_to_keep(pairs: pd.DataFrame, settings: LinkSettings) -> pd.DataFrame:
    if len(pairs) <= STORE_ALL_PAIRS_UP_TO:
        return pairs
    floor = min(settings.review_lower, settings.match_threshold)
    return pairs.loc[pairs["match_probability"] >= floor]


def _store_scores(uow: UnitOfWork, run_id: int, pairs: pd.DataFrame) -> int:
    def batches() -> Iterator[pa.Table]:
        for start in range(0, len(pairs), BATCH):
            part = pairs.iloc[start : start + BATCH]
            yield pa.table(
                {
                    "run_id": pa.array(np.full(len(part), run_id), pa.int64()),
                    "record_l": pa.array(part["record_id_l"], pa.int64()),
                    "record_r": pa.array(part["record_id_r"], pa.int64()),
                    "match_probability": pa.array(part["match_probability"], pa.float64()),
                    "match_weight": pa.array(part["match_weight"], pa.float64()),
                }
            )

    _, count = uow.bulk_insert(schema.match_scores, batches(), {"run_id": run_id})
    return count


def _store_persons(uow: UnitOfWork, run_id: int, clusters: pd.DataFrame) -> tuple[int, int]:
    """One Person per cluster (singletons included). Returns (persons, persons of 2+)."""
    frame = clusters[["record_id", "cluster_id", "match_probability", "decided_by"]]
    frame = frame.sort_values(["cluster_id", "record_id"], kind="stable")
    sizes = frame.groupby("cluster_id", sort=True).size()
    n = len(sizes)
    persons = pa.table(
        {
            "run_id": pa.array(np.full(n, run_id), pa.int64()),
            "size": pa.array(sizes.to_numpy(), pa.int64()),
        }
    )
    first, _ = uow.bulk_insert(schema.persons, [persons], {"run_id": run_id})
    person_of = pd.Series(np.arange(first, first + n), index=sizes.index)
    prob = frame["match_probability"].astype("float64")
    # A record linked to nobody was still decided on, by the model.
    decided = frame["decided_by"].where(frame["decided_by"].notna(), "model").astype(str)
    members = pa.table(
        {
            "person_id": pa.array(person_of.loc[frame["cluster_id"]].to_numpy(), pa.int64()),
            "record_id": pa.array(frame["record_id"].to_numpy(), pa.int64()),
            "match_probability": pa.array(prob.to_numpy(), pa.float64(), from_pandas=True),
            "decided_by": pa.array(decided.to_numpy(), pa.string()),
        }
    )
    slices = (members.slice(i, BATCH) for i in range(0, members.num_rows, BATCH))
    uow.bulk_insert(schema.person_members, slices, {"run_id": run_id})
    return n, int((sizes > 1).sum())


def _tf_for_storage(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for col, table in tables.items():
        tf = f"tf_{col}"
        if col not in table.columns or tf not in table.columns:
            continue
        t = table.dropna(subset=[col]).sort_values([tf, col], ascending=[False, True])
        kept = t.head(TF_VALUES_KEPT)
        values = dict(zip(kept[col].astype(str), kept[tf].astype(float), strict=True))
        if len(t) > len(kept):
            # The rarest value overall anchors the fallback for values not kept.
            last = t.iloc[-1]
            values[str(last[col])] = float(last[tf])
        out[col] = values
    return out


def _warnings(metadata: dict[str, Any], conflicts: list[tuple[int, int]]) -> list[str]:
    out = list(metadata.get("warnings", []))
    for s in metadata.get("em_sessions", []):
        if "failed" in s:
            out.append(f"an EM pass failed and was skipped ({s['blocking_rule']}): {s['failed']}")
        elif not s.get("converged", True):
            out.append(f"an EM pass did not converge ({s['blocking_rule']})")
    for a, b in conflicts:
        out.append(f"records {a} and {b} were accepted as one but a rejection keeps them apart")
    return out


def _results(summary: LinkRunSummary, cut_edges: list[tuple[int, int, float]]) -> dict[str, Any]:
    return {
        "records": summary.records,
        "persons": summary.persons,
        "merged_persons": summary.merged_persons,
        "pairs_scored": summary.pairs_scored,
        "pairs_stored": summary.pairs_stored,
        "review_queue": summary.review_queue,
        "judgements": summary.judgements,
        "cut_by_rejection": len(cut_edges),
        "seconds": summary.seconds,
        "warnings": summary.warnings,
        "changes": summary.changes,
    }


def _changes(conn: Connection, clusters: pd.DataFrame) -> dict[str, int]:
    """Merges and splits against the latest finished link run, for the run's record."""
    previous = latest_run(conn, STAGE)
    if previous is None:
        return {}
    pm, ps = schema.person_members, schema.persons
    rows = conn.execute(
        select(pm.c.record_id, pm.c.person_id)
        .join(ps, ps.c.id == pm.c.person_id)
        .where(ps.c.run_id == previous.id)
    ).all()
    before = pd.DataFrame(rows, columns=["record_id", "before"])
    both = clusters[["record_id", "cluster_id"]].merge(before, on="record_id")
    merged = int((both.groupby("cluster_id")["before"].nunique() > 1).sum())
    split = int((both.groupby("before")["cluster_id"].nunique() > 1).sum())
    return {"compared_with_run": previous.id, "merged": merged, "split": split}


# ---- after review: re-cluster without retraining ------------------------------------------


def stored_scores(conn: Connection, run_id: int) -> pd.DataFrame:
    ms = schema.match_scores
    stmt = (
        select(ms.c.record_l, ms.c.record_r, ms.c.match_probability, ms.c.match_weight)
        .where(ms.c.run_id == run_id)
        .order_by(ms.c.id)
    )
    frames = []
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    for part in result.partitions(BATCH):
        frames.append(
            pd.DataFrame(
                part, columns=["record_id_l", "record_id_r", "match_probability", "match_weight"]
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "record_id_l": pd.Series(dtype="int64"),
                "record_id_r": pd.Series(dtype="int64"),
                "match_probability": pd.Series(dtype=float),
                "match_weight": pd.Series(dtype=float),
            }
        )
    return pd.concat(frames, ignore_index=True)


def recluster(store: Store, actor: str) -> LinkRunSummary:
    """A new link run from the latest run's stored scores and the live judgements.

    The model, settings and scores are carried over unchanged (the run's parameters name
    the run they came from); only the clustering is redone, so reviewers' decisions take
    effect without retraining. Records imported since that run are not linked until the
    next ``credible link``.
    """
    started = time.perf_counter()
    previous = latest_link_run(store)
    settings = run_settings(previous)
    with store.read() as conn:
        pairs = stored_scores(conn, previous.id)
        judgements = store_judgements(conn)
        pm, ps = schema.person_members, schema.persons
        ids = [
            int(r)
            for r in conn.execute(
                select(pm.c.record_id)
                .join(ps, ps.c.id == pm.c.person_id)
                .where(ps.c.run_id == previous.id)
                .order_by(pm.c.record_id)
            ).scalars()
        ]
    clustering = cluster_pairs(ids, pairs, settings.match_threshold, judgements)
    review = review_queue(pairs, settings, judgements)
    parameters = {**previous.parameters, "reclustered_from_run": previous.id}
    with store.write(actor) as uow:
        run_id = start_run(
            uow,
            STAGE,
            "splink+review",
            parameters,
            seed=previous.seed,
            input_fingerprint=previous.input_fingerprint,
        )
        changes = _changes(uow.conn, clustering.clusters)
        stored = _store_scores(uow, run_id, pairs)
        persons, merged = _store_persons(uow, run_id, clustering.clusters)
        summary = LinkRunSummary(
            run_id=run_id,
            records=len(ids),
            persons=persons,
            pairs_scored=int((previous.results or {}).get("pairs_scored", len(pairs))),
            pairs_stored=stored,
            merged_persons=merged,
            review_queue=len(review),
            judgements=len(judgements),
            seconds={"recluster": round(time.perf_counter() - started, 3)},
            warnings=_warnings({}, clustering.conflicts),
            changes=changes,
        )
        finish_run(uow, run_id, _results(summary, clustering.cut_edges))
    return summary


def make_settings(**overrides: Any) -> LinkSettings:
    """LinkSettings from the defaults and the options given (``None`` = default)."""
    from pydantic import ValidationError

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return LinkSettings(**given)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"bad linkage settings: {problems}") from None
