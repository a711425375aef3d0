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
    #: The Person of each record in the run: (person id, every member's record id).
    persons: dict[int, tuple[int, list[int]]] | None = None

    def standing(self) -> str:
        """Whether the run already put the two records in one Person, and who else is in
        the Person (or in each of the two)."""
        return person_standing(self.record_l["record_id"], self.record_r["record_id"], self.persons)

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
        notes = _notes(store, sorted(ids))
        with store.read() as conn:
            persons = persons_of(conn, run.id, sorted(ids))
        for row in part.itertuples(index=False):
            left = {**_plain_record(recs.loc[row.record_id_l]), **notes.get(row.record_id_l, {})}
            right = {**_plain_record(recs.loc[row.record_id_r]), **notes.get(row.record_id_r, {})}
            yield ReviewItem(
                record_l=left,
                record_r=right,
                match_probability=float(row.match_probability),
                match_weight=float(row.match_weight),
                run=run,
                persons=persons,
            )


def _notes(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a reviewer reads beside the compared fields: the record's notes ("Informant:
    brother in Almaty") and its source's own id for the row."""
    pr = schema.person_records
    with store.read() as conn:
        rows = conn.execute(
            select(pr.c.id, pr.c.notes, pr.c.external_id).where(pr.c.id.in_(ids))
        ).all()
    return {int(r.id): {"notes": r.notes, "external_id": r.external_id} for r in rows}


#: Members of a Person listed when a reviewer is shown it; more are counted.
MEMBERS_SHOWN = 8


def persons_of(conn: Connection, run_id: int, ids: list[int]) -> dict[int, tuple[int, list[int]]]:
    """For each record, its Person in run ``run_id`` and all that Person's records."""
    pm, persons = schema.person_members, schema.persons
    found = conn.execute(
        select(pm.c.record_id, pm.c.person_id)
        .join(persons, persons.c.id == pm.c.person_id)
        .where(persons.c.run_id == run_id, pm.c.record_id.in_(ids))
    ).all()
    person_ids = sorted({int(r.person_id) for r in found})
    members: dict[int, list[int]] = {p: [] for p in person_ids}
    if person_ids:
        for r in conn.execute(
            select(pm.c.person_id, pm.c.record_id)
            .where(pm.c.person_id.in_(person_ids))
            .order_by(pm.c.record_id)
        ):
            members[int(r.person_id)].append(int(r.record_id))
    return {int(r.record_id): (int(r.person_id), members[int(r.person_id)]) for r in found}


def person_standing(a: int, b: int, persons: dict[int, tuple[int, list[int]]] | None) -> str:
    """One line: the pair's standing in the run's Persons."""
    if not persons:
        return "not in any Person of this run"

    def others(pid: int, members: list[int], besides: set[int]) -> str:
        rest = [m for m in members if m not in besides]
        if not rest:
            return f"Person {pid} holds no other record"
        shown = ", ".join(str(m) for m in rest[:MEMBERS_SHOWN])
        more = f" and {len(rest) - MEMBERS_SHOWN} more" if len(rest) > MEMBERS_SHOWN else ""
        return f"Person {pid} also holds record(s) {shown}{more}"

    pa, pb = persons.get(a), persons.get(b)
    if pa and pb and pa[0] == pb[0]:
        return f"already in one Person: {others(pa[0], pa[1], {a, b})}"
    parts = []
    for rid, p in ((a, pa), (b, pb)):
        parts.append(f"record {rid}: " + (others(p[0], p[1], {rid}) if p else "no Person"))
    return "in different Persons; " + "; ".join(parts)


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
    a, b = _two_records(record_a, record_b)
    with store.write(actor) as uow:
        return add_judgement(uow, a, b, _TO_STORE[decision], note or None)


def _record_id(value: str | int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(
            [Problem("record id", None, None, "a person record id (a number)", value)],
            f"{value!r} is not a record id: record ids are the numbers `credible export "
            "person_records` lists",
        ) from None


def _two_records(record_a: int | str, record_b: int | str) -> tuple[int, int]:
    a, b = _record_id(record_a), _record_id(record_b)
    if a == b:
        raise InputError(
            [Problem("record id", None, None, "two different record ids", str(a))],
            f"record {a} was given twice: a pair is two different records",
        )
    return a, b


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
    a, b = _two_records(record_a, record_b)
    run = latest_link_run(store)
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

    detained = text(record.get("detained"))
    dlo, dhi = record.get("detained_min"), record.get("detained_max")
    if dlo and dhi and not detained:
        detained = f"between {dlo} and {dhi}"
    row = text(record.get("source_row"))
    township = " ".join(text(record.get(k)) for k in ("township", "village") if record.get(k))
    return [
        ("record", f"{record.get('record_id')}  {record.get('source')} row {row}"),
        ("name as written", written),
        ("romanised", romanize(written) if written else ""),
        ("born", birth),
        ("sex", text(record.get("sex"))),
        ("ID number", text(record.get("id_number"))),
        ("birthplace", place(record.get("birthplace"))),
        ("residence (county)", place(record.get("residence"))),
        ("township, village", place(township)),
        ("ethnicity", text(record.get("ethnicity"))),
        ("held at", place(record.get("facility"))),
        ("detained", detained),
        ("relatives", text(record.get("relatives"))),
        ("notes", text(record.get("notes"))),
    ]
