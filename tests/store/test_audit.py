"""The audit chain catches edits and deletions made behind the store's back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import text

from credible.store import Keyring, PublishedHead, Store, schema, verify
from credible.store.audit import GENESIS, canonical_json, entry_hash, now, row_hash, signed_head


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


def _verify(store: Store, **kwargs: object):
    """Verify as `credible audit verify` does: the chain, its signed heads, the rows."""
    with store.read() as conn:
        return verify(conn, public_key=store.keys.public_key, **kwargs)  # type: ignore[arg-type]


def _head_id(store: Store) -> int:
    """The newest entry (init itself writes one: the key's fingerprint)."""
    with store.read() as conn:
        return int(conn.execute(text("SELECT max(id) FROM audit")).scalar_one())


def test_clean_store_verifies(store: Store) -> None:
    base = _head_id(store)
    sid = _source(store)
    _bulk_records(store, sid, 10)
    with store.write("tester") as uow:
        uow.update(schema.sources, sid, reliability="B")
    report = _verify(store)
    assert report.ok, report.breaches
    assert report.signed
    assert report.entries == base + 3
    assert report.rows == 11


def test_altered_single_row_is_named(store: Store) -> None:
    base = _head_id(store)
    sid = _source(store)
    _source(store, "other FICTIONAL list")
    _raw(store, f"UPDATE sources SET reliability = 'A' WHERE id = {sid}")
    report = _verify(store)
    assert not report.ok
    first = report.breaches[0]
    assert (first.entry_id, first.table, first.row_id) == (base + 1, "sources", sid)
    assert "altered" in first.reason


def test_altered_bulk_row_names_the_import_entry(store: Store) -> None:
    base = _head_id(store)
    sid = _source(store)
    first = _bulk_records(store, sid, 20)
    _raw(store, f"UPDATE person_records SET name = 'changed' WHERE id = {first + 7}")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == base + 2
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
    base = _head_id(store)
    _source(store)
    _source(store, "second")
    _source(store, "third")
    _raw(store, f"UPDATE audit SET actor = 'someone else' WHERE id = {base + 2}")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == base + 2


def test_deleted_audit_entry_breaks_the_chain(store: Store) -> None:
    base = _head_id(store)
    for name in ("a", "b", "c"):
        _source(store, name)
    _raw(store, f"DELETE FROM audit WHERE id = {base + 2}")
    report = _verify(store)
    assert not report.ok
    assert report.breaches[0].entry_id == base + 3


def _cut_last_write(store: Store) -> None:
    """Remove the newest write and its entry and signature, as someone with database
    access who wants it forgotten would."""
    last = _head_id(store)
    _raw(store, "DELETE FROM sources WHERE name = 'b'")
    _raw(store, f"DELETE FROM audit_signatures WHERE entry_id = {last}")
    _raw(store, f"DELETE FROM audit WHERE id = {last}")


def test_cut_tail_is_detected_with_expected_head(store: Store) -> None:
    for name in ("a", "b"):
        _source(store, name)
    head = _verify(store).head_hash
    _cut_last_write(store)
    assert _verify(store).ok  # undetectable without an outside anchor...
    assert not _verify(store, expect_head=head).ok  # ...which --expect-head provides


def test_cut_tail_is_detected_against_a_published_head(store: Store) -> None:
    for name in ("a", "b"):
        _source(store, name)
    with store.read() as conn:
        head = signed_head(conn)
    assert head is not None
    published = PublishedHead(head["entry"], head["hash"])
    assert _verify(store, published=published).ok
    _source(store, "c")  # the chain goes on: the published head stays in it
    assert _verify(store, published=published).ok
    _raw(store, "DELETE FROM sources WHERE name = 'c'")
    last = _head_id(store)
    _raw(store, f"DELETE FROM audit_signatures WHERE entry_id = {last}")
    _raw(store, f"DELETE FROM audit WHERE id = {last}")
    _cut_last_write(store)
    report = _verify(store, published=published)
    assert not report.ok
    assert "published head" in report.breaches[0].reason


def _recompute_chain(store: Store) -> None:
    """Rewrite every entry's hash from its content, as the public algorithm allows."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit ORDER BY id")).all()
        prev = GENESIS
        for e in rows:
            h = entry_hash(prev, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            conn.execute(
                text("UPDATE audit SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": h, "i": e.id},
            )
            prev = h
        conn.commit()


def test_recomputed_chain_fails_without_the_key(store: Store) -> None:
    base = _head_id(store)
    sid = _source(store)
    _source(store, "second")
    # Change a row, and the entry that vouches for it, then recompute the whole chain.
    _raw(store, f"UPDATE sources SET reliability = 'A' WHERE id = {sid}")
    with store.read() as conn:
        row = conn.execute(text(f"SELECT * FROM sources WHERE id = {sid}")).one()
        detail = json.loads(
            conn.execute(text(f"SELECT detail FROM audit WHERE id = {base + 1}")).scalar_one()
        )
    detail["row_hash"] = row_hash(tuple(row))
    detail["values"]["reliability"] = "A"
    with store.engine.connect() as conn:
        conn.execute(
            text("UPDATE audit SET detail = :d WHERE id = :i"),
            {"d": canonical_json(detail), "i": base + 1},
        )
        conn.commit()
    _recompute_chain(store)
    with store.read() as conn:
        assert verify(conn).ok  # the chain alone is fooled...
    report = _verify(store)
    assert not report.ok  # ...its signed heads are not
    assert "rewritten" in report.breaches[0].reason


def test_entries_added_without_the_key_are_caught(store: Store) -> None:
    _source(store)
    _source(store, "second")
    last = _head_id(store)
    _raw(store, f"DELETE FROM audit_signatures WHERE entry_id = {last}")
    report = _verify(store)
    assert not report.ok
    assert "not signed" in report.breaches[0].reason


def test_a_signature_made_with_another_key_is_caught(store: Store, tmp_path: Path) -> None:
    _source(store)
    last = _head_id(store)
    with store.read() as conn:
        h = conn.execute(text(f"SELECT hash FROM audit WHERE id = {last}")).scalar_one()
    forged = Keyring.generate(tmp_path / "other-key").sign_head(last, h)
    _raw(store, f"UPDATE audit_signatures SET signature = '{forged}' WHERE entry_id = {last}")
    report = _verify(store)
    assert not report.ok
    assert "not valid" in report.breaches[0].reason


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
    before = _head_id(store)
    with pytest.raises(RuntimeError), store.write("tester") as uow:
        uow.insert(schema.sources, name="half", created_at=now())
        raise RuntimeError("boom")
    assert store.count(schema.sources) == 1
    assert _head_id(store) == before
    assert _verify(store).ok
