"""Read models over a linkage run: which source lists which resolved person.

This is what estimation needs from linkage, without either stage importing the other:
both meet here, in the store.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from credible.errors import NotFoundError
from credible.store.runs import latest_run
from credible.store.schema import person_members, person_records, persons, sources
from credible.store.store import Store

#: Fields a person can be stratified by, as stored on their records.
STRATUM_FIELDS = ("sex", "residence", "birthplace", "ethnicity", "facility", "role")
#: Derived strata: the year part of partial dates.
YEAR_FIELDS = {"detained_year": "detained_min", "birth_year": "birth_date_min"}


def linked_records(store: Store, run_id: int | None = None) -> pd.DataFrame:
    """One row per person record of a link run (default: the latest):
    ``person_id``, ``source``, ``record_id`` and the stratum fields."""
    with store.read() as conn:
        if run_id is None:
            info = latest_run(conn, "link")
            if info is None:
                raise NotFoundError("no linkage run in the store yet: run `credible link` first")
            run_id = info.id
        pr = person_records
        stmt = (
            select(
                persons.c.id.label("person_id"),
                sources.c.name.label("source"),
                pr.c.id.label("record_id"),
                *[pr.c[f] for f in STRATUM_FIELDS],
                *[pr.c[col].label(name) for name, col in YEAR_FIELDS.items()],
            )
            .select_from(person_members)
            .join(persons, persons.c.id == person_members.c.person_id)
            .join(pr, pr.c.id == person_members.c.record_id)
            .join(sources, sources.c.id == pr.c.source_id)
            .where(persons.c.run_id == run_id)
            .order_by(pr.c.id)
        )
        frame = pd.DataFrame(conn.execute(stmt).all(), columns=list(stmt.selected_columns.keys()))
    if frame.empty:
        raise NotFoundError(f"link run {run_id} has no persons")
    for name in YEAR_FIELDS:
        frame[name] = (
            pd.to_datetime(frame[name], errors="coerce").dt.year.astype("Int64").astype("string")
        )
    frame.attrs["run_id"] = run_id
    return frame
