"""A store made by an older credible (schema 0001) upgrades without losing its proof:
clear evidence text is sealed (audited), the key is recorded, every row still verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from credible.config import Settings
from credible.errors import ConfigError
from credible.store import Keyring, init_store, make_engine, migrate, open_store, verify
from credible.store.audit import GENESIS, canonical_json, entry_hash, now, row_hash
from credible.store.migrate import upgrade

CLEAR = "FICTIONAL interview kept in clear by schema 0001: the eastern gate"


def _old_store(settings: Settings) -> None:
    """Rows and audit entries exactly as credible wrote them at schema 0001."""
    engine = make_engine(settings.db_url)
    upgrade(engine, "0001")
    prev = GENESIS
    with engine.connect() as conn:
        conn.execution_options(credible_write=True)
        with conn.begin():
            for n, (table, sql) in enumerate(
                [
                    (
                        "sources",
                        "INSERT INTO sources (id, name, kind, reliability, confidentiality, "
                        f"created_at) VALUES (1, 'FICTIONAL testimony', 'testimony', 'B', "
                        f"'restricted', '{now()}')",
                    ),
                    (
                        "evidence",
                        "INSERT INTO evidence (id, sha256, size, original_name, source_id, "
                        f"acquired_at, acquired_by, extracted_text) VALUES (1, '{'a' * 64}', 10, "
                        f"'i.txt', 1, '{now()}', 'old', :t)",
                    ),
                ],
                start=1,
            ):
                conn.execute(text(sql), {"t": CLEAR})
                row = conn.execute(text(f"SELECT * FROM {table} WHERE id = 1")).one()
                detail = canonical_json({"row_hash": row_hash(tuple(row)), "values": {}})
                at = now()
                h = entry_hash(prev, at, "old", "insert", table, 1, detail)
                conn.execute(
                    text(
                        "INSERT INTO audit (id, at, actor, action, entity, entity_id, detail, "
                        "prev_hash, hash) VALUES (:i, :at, 'old', 'insert', :e, 1, :d, :p, :h)"
                    ),
                    {"i": n, "at": at, "e": table, "d": detail, "p": prev, "h": h},
                )
                prev = h
            conn.execute(
                text(
                    "INSERT INTO search_fts (kind, ref, display, body) VALUES "
                    "('evidence', 1, :t, :t)"
                )
                if engine.dialect.name == "sqlite"
                else text(
                    "INSERT INTO search_docs (kind, ref, display, body) VALUES "
                    "('evidence', 1, :t, :t)"
                ),
                {"t": CLEAR},
            )
    engine.dispose()


def test_an_old_store_upgrades_sealed_signed_and_verified(settings: Settings) -> None:
    _old_store(settings)
    Keyring.generate(settings.key_file)  # the key the old version had made
    store, before, after = init_store(settings)
    assert (before, after) == ("0001", migrate.head_revision())
    with store.read() as conn:
        report = verify(conn, public_key=store.keys.public_key)
        assert report.ok, report.breaches
        sealed = conn.execute(text("SELECT extracted_text FROM evidence")).scalar_one()
        index = [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {store.search.table}")]
        hits = store.search.query(conn, "eastern gate")
    assert store.cipher.decrypt(sealed) == CLEAR
    assert "eastern" not in repr(index)
    assert [(h.kind, h.ref) for h in hits] == [("evidence", 1)]
    store.close()
    assert open_store(settings).keys.fingerprint == store.keys.fingerprint


def test_an_old_store_without_its_key_is_not_given_a_new_one(settings: Settings) -> None:
    _old_store(settings)
    with pytest.raises(ConfigError, match="no key file"):
        init_store(settings)
    assert not Path(settings.key_file).exists()
