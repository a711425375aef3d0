"""Tampering outside the audit chain: the search index and the vault."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from credible.errors import InputError, NotFoundError
from credible.evidence import add_evidence, verify_vault
from credible.store import Store, check_index, schema
from credible.store.audit import now
from credible.store.export import export_table
from credible.store.index import reindex

WORDS = "FICTIONAL interview: Tursunay described the second courtyard and its watchtowers"


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Store:
    with store.write("tester") as uow:
        sid = uow.insert(schema.sources, name="FICTIONAL testimony", created_at=now())
        for name in ("FICTIONAL Aygul Tursun", "FICTIONAL Memet Tohti", "FICTIONAL 阿依古丽"):
            uow.insert(schema.person_records, source_id=sid, name=name)
    doc = tmp_path / "interview.txt"
    doc.write_text(WORDS, encoding="utf-8")
    add_evidence(store, doc, source="FICTIONAL testimony", actor="tester")
    return store


def _raw(store: Store, sql: str) -> None:
    with store.engine.connect() as conn:
        conn.execute(text(sql))
        conn.commit()


def _index_table(store: Store) -> str:
    return store.search.table


def _check(store: Store):
    with store.read() as conn:
        return check_index(conn, store.search)


def _hits(store: Store, query: str) -> list[tuple[str, int]]:
    with store.read() as conn:
        return [(h.kind, h.ref) for h in store.search.query(conn, query)]


def test_a_clean_index_matches_its_rows(filled: Store) -> None:
    report = _check(filled)
    assert report.ok, report.describe()
    assert report.documents == 4


def test_a_person_deleted_from_the_index_is_caught_and_restored(filled: Store) -> None:
    assert _hits(filled, "Memet") == [("person_record", 2)]
    _raw(filled, f"DELETE FROM {_index_table(filled)} WHERE kind = 'person_record' AND ref = 2")
    assert _hits(filled, "Memet") == []  # hidden from search...
    report = _check(filled)
    assert not report.ok  # ...and caught
    assert report.missing == [("person_record", 2)]
    assert reindex(filled, "tester") == 4
    assert _check(filled).ok
    assert _hits(filled, "Memet") == [("person_record", 2)]


def test_an_altered_or_invented_document_is_caught(filled: Store) -> None:
    _raw(
        filled,
        f"UPDATE {_index_table(filled)} SET body = 'someone else', display = 'someone else' "
        "WHERE kind = 'person_record' AND ref = 1",
    )
    _raw(
        filled,
        f"INSERT INTO {_index_table(filled)} (kind, ref, display, body) "
        "VALUES ('person_record', 99, 'ghost', 'ghost')",
    )
    report = _check(filled)
    assert report.altered == [("person_record", 1)]
    assert report.unexpected == [("person_record", 99)]


def test_a_sealed_document_deleted_from_the_index_is_caught(filled: Store) -> None:
    assert _hits(filled, "watchtowers") == [("evidence", 1)]
    _raw(filled, f"DELETE FROM {_index_table(filled)} WHERE kind = 'evidence'")
    assert _check(filled).missing == [("evidence", 1)]


def test_evidence_text_is_sealed_everywhere_but_findable(filled: Store) -> None:
    dump = io.StringIO()
    with filled.engine.connect() as conn:
        for table in (*schema.EXPORTABLE.values(),):
            for row in conn.execute(table.select()):
                dump.write(repr(tuple(row)))
        for row in conn.exec_driver_sql(f"SELECT * FROM {_index_table(filled)}"):
            dump.write(repr(tuple(row)))
    assert "courtyard" not in dump.getvalue()
    assert "Tursunay" not in dump.getvalue()
    assert _hits(filled, "Courtyard") == [("evidence", 1)]  # case folded
    assert _hits(filled, "second courtyard") == [("evidence", 1)]
    with filled.read() as conn:
        hits = filled.search.find(conn, "courtyard", reveal=True)
    assert "second courtyard" in hits[0].text
    out = io.StringIO()
    export_table(filled, "evidence", "jsonl", out)
    assert "[encrypted]" in out.getvalue() and "courtyard" not in out.getvalue()


def test_bytes_appended_to_a_vault_file_are_caught(filled: Store) -> None:
    with filled.read() as conn:
        sha = conn.execute(text("SELECT sha256 FROM evidence")).scalar_one()
    path = filled.vault.path_for(sha)
    os.chmod(path, 0o600)
    with path.open("ab") as fh:
        fh.write(b"appended after the last chunk")
    report = verify_vault(filled)
    assert [s for s, _ in report.bad] == [sha]
    assert "after its last chunk" in report.bad[0][1]


def test_a_refused_write_leaves_no_vault_copy(filled: Store, tmp_path: Path) -> None:
    doc = tmp_path / "second.txt"
    doc.write_text("FICTIONAL second interview", encoding="utf-8")
    with pytest.raises(NotFoundError):
        add_evidence(filled, doc, source="no such source", actor="tester")
    assert verify_vault(filled).orphans == []
    bad = tmp_path / "bad.csv"
    bad.write_text("name,sex\nFICTIONAL A,spaceship\n", encoding="utf-8")
    from credible.ingest import import_file

    with pytest.raises(InputError):
        import_file(filled, bad, source="FICTIONAL list", actor="tester")
    assert verify_vault(filled).orphans == []
    assert len(filled.vault.files()) == 1


def test_a_killed_write_leaves_an_orphan_that_verify_lists(filled: Store) -> None:
    stray = filled.vault.root / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left by a process killed mid-import")
    report = verify_vault(filled)
    assert report.orphans == [stray.name]
    assert report.bad == []
