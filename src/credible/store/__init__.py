"""The store: schema, migrations, the audited unit of work, search.

Other stages use only these names.
"""

from __future__ import annotations

from pathlib import Path

from credible.config import Settings
from credible.store import schema
from credible.store.audit import VerifyReport, verify
from credible.store.crypto import FieldCipher
from credible.store.migrate import upgrade
from credible.store.store import Store, UnitOfWork, make_engine

__all__ = [
    "FieldCipher",
    "Store",
    "UnitOfWork",
    "VerifyReport",
    "init_store",
    "open_store",
    "schema",
    "vault_dir",
    "verify",
]


def init_store(settings: Settings) -> tuple[Store, str | None, str]:
    """Create the store, or upgrade it to the newest schema. Returns (store, before, after)."""
    if settings.is_sqlite:
        Path(settings.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    before, after = upgrade(engine)
    # The key is created with the store, so that nothing sensitive is ever written unsealed.
    return Store(engine, FieldCipher.from_key_file(settings.key_file)), before, after


def open_store(settings: Settings) -> Store:
    return Store.open(settings.db_url, settings.key_file)


def vault_dir(settings: Settings) -> Path:
    """Where evidence files are kept: beside an SQLite file, or under CREDIBLE_HOME."""
    if settings.is_sqlite:
        db = Path(settings.db_url.removeprefix("sqlite:///"))
        return db.with_name(db.name + ".vault")
    return settings.home / "vault"
