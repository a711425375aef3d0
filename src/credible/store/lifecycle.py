"""Opening and creating a store, and the key it is bound to.

``init_store`` is the only place a key file is ever created: on a store that does not
exist yet. It records the key's fingerprint in the store; ``open_store`` (every other
command) refuses a missing key file, or one whose fingerprint differs, before anything
is read or written, so that nothing is ever sealed with the wrong key.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DatabaseError, OperationalError

from credible.config import Settings
from credible.errors import ConfigError, StoreError
from credible.store import migrate
from credible.store.custody import sign_unsigned_custody
from credible.store.keys import Keyring, short
from credible.store.schema import person_records, store_meta
from credible.store.store import Store, UnitOfWork, make_engine

FINGERPRINT = "key_fingerprint"
PUBLIC_KEY = "public_key"
STORE_ID = "store_id"


def vault_dir(settings: Settings, store_id: str | None = None) -> Path:
    """Where evidence files are kept: beside an SQLite file; for a server store, under
    CREDIBLE_HOME in a folder of the store's own (so that two stores never share one)."""
    if settings.is_sqlite:
        db = _sqlite_path(settings)
        return db.with_name(db.name + ".vault")
    return settings.home / "vault" / (store_id or "unknown")


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.db_url.removeprefix("sqlite:///"))


def _tables(engine: Engine) -> set[str]:
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    except DatabaseError as exc:
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)} is not a credible store "
            f"(the database says: {str(exc.orig).strip().splitlines()[0]})"
        ) from exc
    except OperationalError as exc:
        raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from exc


def _meta(engine: Engine, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(store_meta.c.value).where(store_meta.c.name == name)).scalar()


def stored_fingerprint(engine: Engine) -> str | None:
    return _meta(engine, FINGERPRINT)


def _check_key(keys: Keyring, recorded: str, where: str) -> None:
    if keys.fingerprint != recorded:
        raise ConfigError(
            f"the key file {keys.path} (fingerprint {short(keys.fingerprint)}) is not the key "
            f"of the store at {where} (fingerprint {short(recorded)}). Nothing was read or "
            "written. Point CREDIBLE_KEY_FILE (or CREDIBLE_HOME) at the store's key."
        )


def open_store(settings: Settings, label: str = "") -> Store:
    """Open an initialised store with its own key; refuse anything else."""
    where = _where(settings)
    if settings.is_sqlite:
        path = _sqlite_path(settings)
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a store")
        if not path.exists():
            raise StoreError(f"no store at {path}: create one with `credible init`")
    engine = make_engine(settings.db_url, settings.lock_timeout)
    try:
        tables = _tables(engine)
        if "audit" not in tables:
            raise StoreError(f"{where} is not an initialised store: run `credible init`")
        revision = migrate.current_revision(engine)
        if revision != migrate.head_revision():
            raise StoreError(
                f"the store at {where} has schema {revision}; this version of credible "
                f"needs {migrate.head_revision()}: run `credible init` to upgrade it"
            )
        recorded = stored_fingerprint(engine)
        if recorded is None:
            raise StoreError(f"the store at {where} records no key: run `credible init`")
        keys = Keyring.load(settings.key_file)
        _check_key(keys, recorded, where)
    except BaseException:
        engine.dispose()
        raise
    vault = vault_dir(settings, _meta(engine, STORE_ID))
    return Store(engine, keys, vault, label, settings.lock_timeout)


def init_store(settings: Settings) -> tuple[Store, str | None, str]:
    """Create the store, or upgrade it to the newest schema. Returns (store, before, after).

    A new store takes the key file if one exists (one key may serve several stores) and
    creates it otherwise; an existing store must be opened with its own key.
    """
    where = _where(settings)
    if settings.is_sqlite:
        path = _sqlite_path(settings)
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a store")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for {path}: {exc.strerror}") from exc
    engine = make_engine(settings.db_url, settings.lock_timeout)
    try:
        tables = _tables(engine)
        is_new = "audit" not in tables
        if tables and is_new and tables - {"alembic_version"}:
            raise StoreError(
                f"{where} holds other tables ({', '.join(sorted(tables)[:5])}...) and is not "
                "a credible store: give credible a database of its own"
            )
        recorded = None if is_new or "store_meta" not in tables else stored_fingerprint(engine)
        keys = _key_for_init(settings, recorded, is_new, where)
        before = migrate.current_revision(engine)
        if is_new:
            migrate.create(engine)
        else:
            migrate.upgrade(engine, "0002")
        store_id = (_meta(engine, STORE_ID) if recorded else None) or uuid.uuid4().hex
        store = Store(engine, keys, vault_dir(settings, store_id), "init", settings.lock_timeout)
        if recorded is None:
            if not is_new:
                _check_legacy_key(store, where)
            _record_key(store, settings.actor, store_id)
        _seal_clear_evidence_text(store, settings.actor)
        after = migrate.upgrade(engine, "head")[1] if not is_new else migrate.head_revision()
        sign_unsigned_custody(store, settings.actor)
    except BaseException:
        engine.dispose()
        raise
    return store, before, after


def _where(settings: Settings) -> str:
    if settings.is_sqlite:
        return str(_sqlite_path(settings))
    from sqlalchemy.engine import make_url

    return make_url(settings.db_url).render_as_string(hide_password=True)


def _key_for_init(settings: Settings, recorded: str | None, is_new: bool, where: str) -> Keyring:
    path = settings.key_file
    if recorded is not None:
        keys = Keyring.load(path)
        _check_key(keys, recorded, where)
        return keys
    if path.exists():
        return Keyring.load(path)
    if not is_new:
        # A store made before keys were recorded: its key is somewhere; never replace it.
        raise ConfigError(
            f"no key file at {path}, and the store at {where} already exists. Its sensitive "
            "fields and evidence files are sealed with the key it was created with: point "
            "CREDIBLE_KEY_FILE at that key. A new key is made only for a new store."
        )
    return Keyring.generate(path)


def _check_legacy_key(store: Store, where: str) -> None:
    """Before adopting a key for an older store, check it opens what the store sealed."""
    with store.read() as conn:
        sealed = conn.execute(
            select(person_records.c.contact).where(person_records.c.contact.is_not(None)).limit(1)
        ).scalar()
    if sealed is not None:
        try:
            store.cipher.decrypt(sealed)
        except Exception as exc:
            raise ConfigError(
                f"the key file {store.keys.path} does not open the sealed fields of the store "
                f"at {where}: it is not that store's key"
            ) from exc


def _record_key(store: Store, actor: str, store_id: str) -> None:
    with store.write(actor) as uow:
        for name, value in (
            (FINGERPRINT, store.keys.fingerprint),
            (PUBLIC_KEY, store.keys.public_key.hex()),
            (STORE_ID, store_id),
        ):
            uow.conn.execute(store_meta.delete().where(store_meta.c.name == name))
            uow.conn.execute(store_meta.insert().values(name=name, value=value))
        uow.log(
            "key",
            "store",
            {
                "fingerprint": store.keys.fingerprint,
                "public_key": store.keys.public_key.hex(),
                "store_id": store_id,
            },
        )


def _seal_clear_evidence_text(store: Store, actor: str) -> None:
    """Older versions kept an evidence file's text in clear: seal it, audited, and index
    it blind instead."""
    with store.read() as conn:
        if "extracted_text_sealed" not in {
            c["name"] for c in inspect(conn).get_columns("evidence")
        }:
            return
        rows = conn.execute(
            text("SELECT id, extracted_text FROM evidence WHERE extracted_text IS NOT NULL")
        ).all()
    if not rows:
        return
    with store.write(actor) as uow:
        for row_id, clear in rows:
            _seal_text(uow, int(row_id), clear)
            store.search.remove(uow.conn, "evidence", int(row_id))
            uow.index_sealed_for_search("evidence", int(row_id), clear)


def _seal_text(uow: UnitOfWork, row_id: int, clear: str) -> None:
    # In SQL: the newest schema no longer has the clear column this moves from.
    uow.update_sql(
        "evidence",
        row_id,
        "UPDATE evidence SET extracted_text_sealed = :s, extracted_text = NULL WHERE id = :i",
        {"s": uow.store.cipher.encrypt(clear), "i": row_id},
        note={"extracted_text": "sealed"},
    )
