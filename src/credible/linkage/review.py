"""Review against the store: the queue of uncertain pairs with both records, a
reviewer's decisions (append-only judgements), and the comparison that drove a score."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from credible.errors import InputError, NotFoundError, Problem
from credible.linkage.explain import Waterfall, explain_pair
from credible.linkage.service import (
    MODEL_DECISION,
    latest_link_run,
    load_records,
    run_settings,
    store_judgements,
    stored_scores,
)
from credible.linkage.train import review_queue
from credible.store import RunInfo, Store, add_judgement, schema

_TO_STORE = {model: stored for stored, model in MODEL_DECISION.items()}


@dataclass
class ReviewItem:
    record_l: dict[str, Any]
    record_r: dict[str, Any]
    match_probability: float
    match_weight: float
    run: RunInfo

    def waterfall(self) -> Waterfall | None:
        """The comparison that drove the score (computed on demand: it costs a model load)."""
        return _waterfall(self.run, self.record_l, self.record_r, self.match_weight)


def review_items(store: Store, limit: int | None = None) -> Iterator[ReviewItem]:
    """The latest run's review queue (band pairs without a live judgement), most
    uncertain first, each with both records."""
    run = latest_link_run(store)
    settings = run_settings(run)
    with store.read() as conn:
        pairs = stored_scores(conn, run.id)
        queue = review_queue(pairs, settings, store_judgements(conn))
    if limit is not None:
        queue = queue.head(limit)
    for start in range(0, len(queue), 100):
        part = queue.iloc[start : start + 100]
        ids = set(part["record_id_l"].tolist()) | set(part["record_id_r"].tolist())
        recs = load_records(store, sorted(ids)).set_index("record_id", drop=False)
        for row in part.itertuples(index=False):
            yield ReviewItem(
                record_l=_plain_record(recs.loc[row.record_id_l]),
                record_r=_plain_record(recs.loc[row.record_id_r]),
                match_probability=float(row.match_probability),
                match_weight=float(row.match_weight),
                run=run,
            )


def _plain_record(row: pd.Series) -> dict[str, Any]:
    return {
        k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
        for k, v in row.to_dict().items()
    }


def _waterfall(
    run: RunInfo, a: dict[str, Any], b: dict[str, Any], weight: float | None = None
) -> Waterfall | None:
    model = run.parameters.get("model")
    if not model:
        return None
    tfs = {
        col: pd.DataFrame({col: list(values), f"tf_{col}": list(values.values())})
        for col, values in (run.parameters.get("term_frequencies") or {}).items()
    }
    return explain_pair(model, a, b, tfs or None, run_weight=weight)


def decide(
    store: Store,
    actor: str,
    record_a: int | str,
    record_b: int | str,
    decision: str,
    note: str = "",
) -> int:
    """Append a reviewer's decision (accept, reject, unsure) on a pair; returns its id.
    Record ids may be given as typed on a command line."""
    if decision not in _TO_STORE:
        raise InputError(
            [Problem("review", None, "decision", "accept, reject or unsure", decision)]
        )
    a, b = _record_id(record_a), _record_id(record_b)
    with store.write(actor) as uow:
        return add_judgement(uow, a, b, _TO_STORE[decision], note or None)


def _record_id(value: str | int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(
            [Problem("record id", None, None, "a person record id (a number)", value)]
        ) from None


def _stored_weight(conn: Connection, run_id: int, a: int, b: int) -> float | None:
    """The weight a run stored for the pair {a, b}, if it stored one."""
    ms = schema.match_scores
    either = ((ms.c.record_l == a) & (ms.c.record_r == b)) | (
        (ms.c.record_l == b) & (ms.c.record_r == a)
    )
    row = conn.execute(select(ms.c.match_weight).where(ms.c.run_id == run_id, either)).first()
    return None if row is None or row[0] is None else float(row[0])


def explain(store: Store, record_a: int | str, record_b: int | str) -> Waterfall:
    """The latest run's model applied to two stored records, comparison by comparison.
    Record ids may be given as typed on a command line."""
    run = latest_link_run(store)
    a, b = _record_id(record_a), _record_id(record_b)
    recs = load_records(store, [a, b]).set_index("record_id", drop=False)
    for rid in (a, b):
        if rid not in recs.index:
            raise NotFoundError(f"no person record with id {rid}")
    with store.read() as conn:
        weight = _stored_weight(conn, run.id, a, b)
    wf = _waterfall(run, _plain_record(recs.loc[a]), _plain_record(recs.loc[b]), weight)
    if wf is None:
        raise NotFoundError(f"linkage run {run.id} has no stored model to explain with")
    return wf


def describe(record: dict[str, Any]) -> list[tuple[str, str]]:
    """A record as (field, text) lines for a reviewer: names as written and romanised."""
    from credible.names import romanize

    def text(v: Any) -> str:
        return "" if v is None else str(v)

    written = record.get("name") or " ".join(
        text(record.get(k)) for k in ("given_name", "father_name", "family_name") if record.get(k)
    )
    birth = text(record.get("birth_date"))
    lo, hi = record.get("birth_date_min"), record.get("birth_date_max")
    if lo and hi and not birth:
        birth = f"between {lo} and {hi}"

    def place(v: Any) -> str:
        if not v:
            return ""
        rom = romanize(str(v))
        return str(v) if rom == str(v) else f"{v} ({rom})"

    row = text(record.get("source_row"))
    return [
        ("record", f"{record.get('record_id')}  {record.get('source')} row {row}"),
        ("name as written", written),
        ("romanised", romanize(written) if written else ""),
        ("born", birth),
        ("sex", text(record.get("sex"))),
        ("birthplace", place(record.get("birthplace"))),
        ("residence (county)", place(record.get("residence"))),
        ("ethnicity", text(record.get("ethnicity"))),
        ("held at", place(record.get("facility"))),
    ]
