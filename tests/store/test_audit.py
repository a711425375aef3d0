"""The audit chain catches edits and deletions made behind the store's back."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from sqlalchemy import text

from credible.store import Store, schema, verify
from credible.store.audit import now


def _source(store: Store, name: str = "FICTIONAL list") -> int:
    with store.write("tester") as uow:
        return uow.insert(
            schema.sources, name=name, kind="ngo_list", reliability="C", created_at=now()
        )


def _bulk_records(store: Store, source_id: int, n: int) -> int:
    rows = pa.table(
        {
            "source_id": [source_id] * n,
            "source_row": list(range(1, n + 1)),
            "name": [f"FICTIONAL Person {i}" for i in range(n)],
            "birth_date": ["1980"] * n,
            "birth_date_min": [dt.date(1980, 1, 1)] * n,
            "birth_date_max": [dt.date(1980, 12, 31)] * n,
        }
    )
    with store.write("tester") as uow:
        first, count = uow.bulk_insert(schema.person_records, [rows[: n // 2], rows[n // 2 :]])
    assert count == n
    return first


def _raw(store: Store, sql: str) -> None:
    """Change the database directly, as an attacker with file access would."""
    with store.engine.connect() as conn:
        conn.execute(text(sql))
        conn.commit()


def _verify(store: Store):
    with store.read() as conn:
        return verify(conn)


def test_clean_store_verifies(store: Store) -> None:
    sid = _source(store)
    _bulk_records(store, sid, 10)
    with store.write("tester") as uow:
        uow.update(schema.sources, sid, reliability="B")
    report = _verify(store)
    assert report.ok, report.breaches
    assert report.entries == 3
    assert report.rows == 11


def test_altered_single_row_is_named(store: Store) -> None:
    sid = _source(store)
    _source(store, "other FICTIONAL list")
    _raw(store, f"UPDATE sources SET reliability = 'A' WHERE id = {sid}")
    report = _verify(store)
    assert not report.ok
    first = report.breaches[0]
    assert (first.entry_id, first.table, first.row_id) == (1, "sources", sid)
    assert "altered" in first.reason


def test_altered_bulk_row_names_the_import_entry(store: Store) -> None:
    sid = _source(store)
    first = _bulk_records(store, sid, 20)
    _raw(store, f"UPDATE person_records SET name = 'changed' WHERE id = {first + 7}")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == 2
    assert report.breaches[0].table == "person_records"


def test_deleted_row_is_detected(store: Store) -> None:
    sid = _source(store)
    first = _bulk_records(store, sid, 5)
    _raw(store, f"DELETE FROM person_records WHERE id = {first + 4}")
    report = _verify(store)
    assert not report.ok
    assert any("deleted" in b.reason and b.row_id == first + 4 for b in report.breaches)


def test_row_added_behind_the_back_is_detected(store: Store) -> None:
    sid = _source(store)
    _raw(store, f"INSERT INTO person_records (source_id, name) VALUES ({sid}, 'intruder')")
    report = _verify(store)
    assert not report.ok
    assert "no audit entry" in report.breaches[0].reason


def test_edited_audit_entry_breaks_the_chain(store: Store) -> None:
    _source(store)
    _source(store, "second")
    _source(store, "third")
    _raw(store, "UPDATE audit SET actor = 'someone else' WHERE id = 2")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == 2


def test_deleted_audit_entry_breaks_the_chain(store: Store) -> None:
    for name in ("a", "b", "c"):
        _source(store, name)
    _raw(store, "DELETE FROM audit WHERE id = 2")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == 3


def test_cut_tail_is_detected_with_expected_head(store: Store) -> None:
    for name in ("a", "b"):
        _source(store, name)
    head = _verify(store).head_hash
    _raw(store, "DELETE FROM sources WHERE name = 'b'")
    _raw(store, "DELETE FROM audit WHERE id = 2")
    assert _verify(store).ok  # undetectable without an outside anchor...
    with store.read() as conn:
        assert not verify(conn, expect_head=head).ok  # ...which --expect-head provides


def test_updates_and_deletes_through_the_store_keep_bulk_digests_valid(store: Store) -> None:
    sid = _source(store)
    first = _bulk_records(store, sid, 10)
    with store.write("tester") as uow:
        uow.update(schema.person_records, first + 2, name="corrected")
        uow.update(schema.person_records, first + 2, name="corrected twice")
        uow.delete(schema.person_records, first + 5)
    assert _verify(store).ok
    _raw(store, f"UPDATE person_records SET name = 'x' WHERE id = {first + 2}")
    assert not _verify(store).ok


def test_failed_write_leaves_nothing(store: Store) -> None:
    _source(store)
    with pytest.raises(RuntimeError), store.write("tester") as uow:
        uow.insert(schema.sources, name="half", created_at=now())
        raise RuntimeError("boom")
    assert store.count(schema.sources) == 1
    assert _verify(store).entries == 1
