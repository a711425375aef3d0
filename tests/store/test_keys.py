"""The key: made only by init on a new store, checked by fingerprint, rotated whole."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from credible.config import Settings
from credible.errors import ConfigError, IntegrityError
from credible.store import Keyring, Store, Vault, init_store, open_store, schema, verify
from credible.store.audit import now
from credible.store.index import check_index
from credible.store.rotation import check_key, rotate_key


def _seal_something(store: Store, tmp_path: Path) -> tuple[int, str]:
    """A person record with a sealed contact, and a sealed evidence text."""
    from credible.evidence import add_evidence

    with store.write("tester") as uow:
        sid = uow.insert(schema.sources, name="FICTIONAL testimony", created_at=now())
        rid = uow.insert(
            schema.person_records,
            source_id=sid,
            name="FICTIONAL Aygul Tursun",
            contact=store.cipher.encrypt("+1 555 0199"),
        )
    doc = tmp_path / "interview.txt"
    doc.write_text("FICTIONAL interview: the courtyard had three watchtowers", encoding="utf-8")
    r = add_evidence(store, doc, source="FICTIONAL testimony", actor="tester")
    return rid, r.sha256


def test_a_missing_key_is_refused_never_replaced(store: Store, settings: Settings) -> None:
    store.close()
    settings.key_file.rename(settings.key_file.with_name("moved"))
    with pytest.raises(ConfigError, match="no key file"):
        open_store(settings)
    assert not settings.key_file.exists()  # nothing made a new one


def test_init_on_an_existing_store_without_its_key_is_refused(
    store: Store, settings: Settings
) -> None:
    store.close()
    settings.key_file.unlink()
    with pytest.raises(ConfigError, match="no key file"):
        init_store(settings)
    assert not settings.key_file.exists()


def test_another_key_is_refused_with_both_fingerprints(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    store.close()
    other = Keyring.generate(tmp_path / "other-key")
    with pytest.raises(ConfigError, match="is not the key of the store") as err:
        open_store(dataclasses.replace(settings, key_file=other.path))
    assert "fingerprint" in str(err.value)


def test_a_key_file_that_is_not_a_key_is_refused(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    store.close()
    junk = tmp_path / "junk"
    junk.write_text("not a key", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a credible key file"):
        open_store(dataclasses.replace(settings, key_file=junk))


def test_the_key_file_is_private(store: Store, settings: Settings) -> None:
    assert settings.key_file.stat().st_mode & 0o077 == 0


def test_one_key_can_serve_a_second_new_store(store: Store, settings: Settings, tmp_path: Path):
    second = dataclasses.replace(settings, db_url=f"sqlite:///{tmp_path / 'second.db'}")
    other, _, _ = init_store(second)
    assert other.keys.fingerprint == store.keys.fingerprint
    other.close()


def test_rotation_reseals_reencrypts_and_resigns(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    rid, sha = _seal_something(store, tmp_path)
    old = store.keys
    with store.read() as conn:
        old_contact = conn.execute(
            select(schema.person_records.c.contact).where(schema.person_records.c.id == rid)
        ).scalar_one()
    result = rotate_key(store, "tester")
    assert result.old_fingerprint == old.fingerprint != result.new_fingerprint
    assert result.sealed_values == 3  # the contact, the evidence text and its text version
    assert result.vault_files == 1
    assert result.retired_key.exists()
    store.close()

    reopened = open_store(settings)
    assert reopened.keys.fingerprint == result.new_fingerprint
    with reopened.read() as conn:
        contact = conn.execute(
            select(schema.person_records.c.contact).where(schema.person_records.c.id == rid)
        ).scalar_one()
        assert verify(conn, public_key=reopened.keys.public_key).ok
        assert check_index(conn, reopened.search).ok
        assert [h.ref for h in reopened.search.query(conn, "watchtowers")] == [1]
    assert contact != old_contact
    assert reopened.cipher.decrypt(contact) == "+1 555 0199"
    with pytest.raises(IntegrityError):
        old.cipher.decrypt(contact)
    assert reopened.vault.verify(sha)
    assert not Vault(reopened.vault.root, old.vault_material).verify(sha)
    assert check_key(reopened).unreadable == []
    with pytest.raises(ConfigError, match="is not the key of the store"):
        open_store(dataclasses.replace(settings, key_file=result.retired_key))


def test_rotation_refuses_a_tampered_store(store: Store, tmp_path: Path) -> None:
    rid, _ = _seal_something(store, tmp_path)
    with store.engine.connect() as conn:
        conn.execute(text(f"UPDATE person_records SET name = 'x' WHERE id = {rid}"))
        conn.commit()
    fingerprint = store.keys.fingerprint
    with pytest.raises(IntegrityError, match="not started"):
        rotate_key(store, "tester")
    assert store.keys.fingerprint == fingerprint
    assert not store.keys.path.with_name(store.keys.path.name + ".new").exists()


def test_key_check_counts_what_the_key_opens(store: Store, tmp_path: Path) -> None:
    _seal_something(store, tmp_path)
    result = check_key(store)
    assert result.sealed_values == 3  # the contact, the evidence text and its text version
    assert result.unreadable == []
    with store.engine.connect() as conn:
        conn.execute(text("UPDATE person_records SET contact = :c"), {"c": os.urandom(80)})
        conn.commit()
    assert len(check_key(store).unreadable) == 1
