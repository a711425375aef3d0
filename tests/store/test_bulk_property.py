"""The invariant the audit check rests on: a row's hash computed column-wise from the
Arrow batch at import equals its hash recomputed from the row read back, for any text
in any script, any partial date bounds and numbers, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credible.store import Store, schema, verify
from credible.store.audit import now

# PostgreSQL text cannot hold NUL, and lone surrogates are not text; all else is fair game.
texts = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)
dates = st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
floats = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64))
rows = st.lists(
    st.tuples(texts, texts, dates, st.integers(-(2**31), 2**31 - 1), floats),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=rows)
def test_bulk_rows_verify_after_round_trip(store: Store, data: list[tuple]) -> None:
    with store.write("tester") as uow:
        sid = uow.insert(schema.sources, name=f"FICTIONAL {now()}", created_at=now())
        records = pa.table(
            {
                "source_id": [sid] * len(data),
                "name": [r[0] for r in data],
                "notes": [r[1] for r in data],
                "birth_date_min": pa.array([r[2] for r in data], pa.date32()),
                "source_row": [r[3] for r in data],
            }
        )
        uow.bulk_insert(schema.person_records, [records])
        facilities = pa.table(
            {
                "source_id": [sid] * len(data),
                "name": [r[0] for r in data],
                "latitude": pa.array([r[4] for r in data], pa.float64()),
            }
        )
        uow.bulk_insert(schema.facilities, [facilities])
    with store.read() as conn:
        report = verify(conn)
    assert report.ok, report.breaches[:3]
