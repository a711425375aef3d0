"""Key rotation: every sealed value, every vault file and every signed head moves to a
new key, in one audited write.

Order matters, so that no crash can leave data that no key opens:
1. the store is verified (a rotation must not launder a tampered store);
2. the new key is written beside the old one (``<key>.new``, mode 0600);
3. each vault file is re-encrypted under the new key into ``<file>.rotating``;
4. one transaction re-seals every sealed column (audited row by row), rebuilds the
   blind index, re-signs the chain's heads and records the new fingerprint;
5. the ``.rotating`` files replace the vault files; the old key file is renamed
   ``<key>.retired-<time>`` and the new one takes its place.
A failure before 4 commits leaves the store on the old key and removes what 2–3 wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, select

from credible.errors import ConfigError, IntegrityError
from credible.store.audit import now, verify
from credible.store.index import check_index, rebuild_index
from credible.store.keys import Keyring
from credible.store.lifecycle import FINGERPRINT, PUBLIC_KEY
from credible.store.schema import (
    AUDITED_TABLES,
    audit_signatures,
    evidence,
    sealed_columns,
    store_meta,
)
from credible.store.store import Store
from credible.store.vault import Vault

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RotationResult:
    old_fingerprint: str
    new_fingerprint: str
    sealed_values: int
    vault_files: int
    signatures: int
    retired_key: Path


def _sealed_tables() -> list[tuple[Table, list[str]]]:
    return [(t, sorted(sealed_columns(t))) for t in AUDITED_TABLES if sealed_columns(t)]


def rotate_key(store: Store, actor: str, progress: Progress | None = None) -> RotationResult:
    old = store.keys
    with store.read() as conn:
        report = verify(conn, public_key=old.public_key)
        index = check_index(conn, store.search)
    if not report.ok:
        raise IntegrityError(
            f"the store does not verify ({report.breaches[0]}): a key rotation would re-seal "
            "and re-sign what may have been altered, so it was not started"
        )
    if not index.ok:
        raise IntegrityError(
            f"the search index does not match the rows ({index.describe()}); run "
            "`credible audit reindex` first"
        )
    new_path = old.path.with_name(old.path.name + ".new")
    if new_path.exists():
        raise ConfigError(
            f"{new_path} exists: an earlier rotation stopped half-way. Check which key opens "
            "the store (`credible key check`), then remove the file that does not"
        )
    new = Keyring.generate(new_path)
    new_vault = Vault(store.vault.root, new.vault_material)
    staged: list[Path] = []
    try:
        staged = _stage_vault(store, new_vault, progress)
        sealed, signatures = _reseal(store, new, actor, progress)
    except BaseException:
        for path in staged:
            path.unlink(missing_ok=True)
        new_path.unlink(missing_ok=True)
        raise
    for path in staged:
        path.replace(path.with_suffix(""))
    retired = old.path.with_name(f"{old.path.name}.retired-{now()[:19].replace(':', '')}")
    os.replace(old.path, retired)
    os.replace(new_path, old.path)
    store.keys = Keyring.load(old.path)
    store.search.keys = store.keys
    store.vault = Vault(store.vault.root, store.keys.vault_material)
    return RotationResult(
        old.fingerprint, new.fingerprint, sealed, len(staged), signatures, retired
    )


def _stage_vault(store: Store, new_vault: Vault, progress: Progress | None) -> list[Path]:
    with store.read() as conn:
        hashes = [h for (h,) in conn.execute(select(evidence.c.sha256).order_by(evidence.c.id))]
    staged = []
    for i, sha in enumerate(hashes, 1):
        target = store.vault.path_for(sha).with_suffix(".rotating")
        new_vault.write_chunks(store.vault.read(sha), target)
        staged.append(target)
        if progress:
            progress("re-encrypting evidence files", i, len(hashes))
    return staged


def _reseal(store: Store, new: Keyring, actor: str, progress: Progress | None) -> tuple[int, int]:
    old = store.keys
    try:
        return _reseal_in(store, old, new, actor, progress)
    except BaseException:
        store.keys = old
        store.search.keys = old
        raise


def _reseal_in(
    store: Store, old: Keyring, new: Keyring, actor: str, progress: Progress | None
) -> tuple[int, int]:
    count = 0
    with store.write(actor) as uow:
        for table, columns in _sealed_tables():
            stmt = select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)
            rows = [r for r in uow.conn.execute(stmt) if any(v is not None for v in r[1:])]
            for i, (row_id, *values) in enumerate(rows, 1):
                changes = {
                    c: new.cipher.encrypt(old.cipher.decrypt(v))
                    for c, v in zip(columns, values, strict=True)
                    if v is not None
                }
                uow.update(table, row_id, **changes)
                count += 1
                if progress:
                    progress(f"re-sealing {table.name}", i, len(rows))
        # From here on the store is the new key's: the index, the signatures, the record.
        store.keys = new
        store.search.keys = new
        rebuild_index(uow.conn, store.search)
        signed = select(
            audit_signatures.c.id, audit_signatures.c.entry_id, audit_signatures.c.entry_hash
        )
        heads = list(uow.conn.execute(signed))
        for sig_id, entry_id, entry_hash in heads:
            uow.conn.execute(
                audit_signatures.update()
                .where(audit_signatures.c.id == sig_id)
                .values(
                    signature=new.sign_head(entry_id, entry_hash),
                    key_fingerprint=new.fingerprint,
                )
            )
        for name, value in ((FINGERPRINT, new.fingerprint), (PUBLIC_KEY, new.public_key.hex())):
            uow.conn.execute(
                store_meta.update().where(store_meta.c.name == name).values(value=value)
            )
        uow.log(
            "key_rotated",
            "store",
            {
                "from_fingerprint": old.fingerprint,
                "to_fingerprint": new.fingerprint,
                "public_key": new.public_key.hex(),
                "sealed_rows": count,
                "signatures": len(heads),
            },
        )
    return count, len(heads)


@dataclass(frozen=True)
class KeyCheck:
    fingerprint: str
    public_key: str
    sealed_values: int
    unreadable: list[tuple[str, int]]  # (table, row id) whose sealed value this key cannot open
    key_file_mode: int


def check_key(store: Store) -> KeyCheck:
    """Open every sealed value with the store's key (opening the store has already matched
    the key's fingerprint)."""
    keys = store.keys
    seen = 0
    unreadable: list[tuple[str, int]] = []
    with store.read() as conn:
        for table, columns in _sealed_tables():
            stmt = select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)
            for row_id, *values in conn.execute(stmt).yield_per(10_000):
                for value in values:
                    if value is None:
                        continue
                    seen += 1
                    try:
                        keys.cipher.decrypt(value)
                    except IntegrityError:
                        unreadable.append((table.name, int(row_id)))
    return KeyCheck(
        keys.fingerprint,
        keys.public_key.hex(),
        seen,
        unreadable,
        keys.path.stat().st_mode & 0o777,
    )
