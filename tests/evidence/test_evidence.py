"""Evidence files: preserved encrypted, verified, custody kept, text searchable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credible.config import Settings
from credible.errors import IntegrityError, NotFoundError
from credible.evidence import Vault, add_evidence
from credible.store import Store, now, schema, verify

TRANSCRIPT = "FICTIONAL transcript. Witness: Айгүл Турсун. 她在阿克苏的营地见过阿依古丽。"


@pytest.fixture
def vault(settings: Settings, store: Store) -> Vault:
    with store.write("tester") as uow:
        uow.insert(schema.sources, name="FICTIONAL testimony", created_at=now())
    return store.vault


def test_text_evidence_is_preserved_encrypted_and_searchable(
    store: Store, vault: Vault, tmp_path: Path
) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT, encoding="utf-16")
    r = add_evidence(store, path, source="FICTIONAL testimony", actor="tester")
    kept = vault.path_for(r.sha256).read_bytes()
    assert "Турсун".encode() not in kept and "Турсун".encode("utf-16-le") not in kept
    assert b"".join(vault.read(r.sha256)) == path.read_bytes()
    with store.read() as conn:
        assert {h.ref for h in store.search.query(conn, "阿依古丽")} == {r.id}
        assert {h.ref for h in store.search.query(conn, "турсун")} == {r.id}
        assert verify(conn).ok
    again = add_evidence(store, path, source="FICTIONAL testimony", actor="other")
    assert again.already_held and again.id == r.id
    assert store.count(schema.custody_events, evidence_id=r.id) == 2


def test_unknown_source_is_refused(store: Store, vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("FICTIONAL")
    with pytest.raises(NotFoundError):
        add_evidence(store, path, source="nobody", actor="t")
    assert store.count(schema.evidence) == 0


def test_tampered_vault_file_is_detected(store: Store, vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(os.urandom(3000))
    r = add_evidence(store, path, source="FICTIONAL testimony", actor="t")
    kept = vault.path_for(r.sha256)
    os.chmod(kept, 0o600)
    data = bytearray(kept.read_bytes())
    data[40] ^= 1
    kept.write_bytes(bytes(data))
    assert not vault.verify(r.sha256)
    with pytest.raises(IntegrityError):
        b"".join(vault.read(r.sha256))


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=3 * (1 << 20) // 2))
def test_vault_round_trips_any_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    from credible.evidence import file_sha256

    root = tmp_path_factory.mktemp("v")
    src = root / "f"
    src.write_bytes(data)
    sha, size = file_sha256(src)
    v = Vault(root / "vault", b"k" * 44)
    v.put(src, sha)
    assert size == len(data)
    assert b"".join(v.read(sha)) == data
    assert v.verify(sha)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(min_value=0, max_value=4).flatmap(
        # sizes at and around chunk boundaries, where a hash fed out of order would differ
        lambda chunks: st.integers(min_value=-2, max_value=2).map(
            lambda d: max(0, chunks * (1 << 20) + d)
        )
    ),
    st.integers(min_value=0, max_value=255),
)
def test_one_read_hashes_exactly_the_bytes_it_seals(
    tmp_path_factory: pytest.TempPathFactory, size: int, seed: int
) -> None:
    import hashlib
    import random

    data = random.Random(seed).randbytes(size)
    root = tmp_path_factory.mktemp("v")
    src = root / "f"
    src.write_bytes(data)
    v = Vault(root / "vault", b"k" * 44)
    sha, got_size, wrote = v.put_hashing(src)
    assert (sha, got_size, wrote) == (hashlib.sha256(data).hexdigest(), size, True)
    assert b"".join(v.read(sha)) == data
    assert v.put_hashing(src)[2] is False  # the same bytes are kept once
