"""The Store: the one way in and out of the database, and its unit of work.

Every write happens inside ``with store.write(actor) as uow:`` — one transaction,
serialised against other writers, each change leaving an audit entry chained to the
previous one, the chain's new head signed with the organisation's key. Nothing is
half-written: an exception inside the block rolls it all back, vault copies included.

Reads never wait for a writer: SQLite runs in WAL mode and only writes take its write
lock (``BEGIN IMMEDIATE``); PostgreSQL serialises writers on the audit table alone.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from credible.errors import CredibleError, InputError, NotFoundError, Problem, StoreError
from credible.model.fields import SEARCH_FIELDS
from credible.store import audit as audit_log
from credible.store import bulk
from credible.store.crypto import FieldCipher
from credible.store.keys import Keyring
from credible.store.locks import WriterLock, busy_error
from credible.store.schema import (
    EXPORTABLE,
    KIND_FOR_TABLE,
    audit,
    audit_signatures,
    person_records,
    sealed_columns,
    search_name_parts,
)
from credible.store.search import DERIVED_KINDS, SearchIndex, search_text
from credible.store.vault import Vault
from credible.store.versions import DataVersion, VersionedCache

#: How long a writer waits for another writer before it gives up and says who holds the lock.
LOCK_TIMEOUT_SECONDS = 60.0


#: Connections one process keeps open, and may open beyond that under load: enough for
#: the web server's request threads (``credible.web`` runs at most WEB_THREADS at once).
POOL_SIZE = 8
POOL_OVERFLOW = 16


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Engine:
    if url.startswith("sqlite"):
        in_memory = url.rstrip("/") == "sqlite:" or ":memory:" in url
        pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        engine = create_engine(url, future=True, connect_args={"timeout": lock_timeout}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let the store, not pysqlite, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # A reader takes no lock and sees the last committed state; a writer takes the
            # write lock up front, so that it never fails half-way on a lock upgrade.
            writing = conn.get_execution_options().get("credible_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine
    return create_engine(
        url, future=True, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
    )


def _short(exc: SQLAlchemyError) -> str:
    """The database's own complaint, without the SQL statement and its parameters (which
    may hold sealed bytes or a witness's name)."""
    orig = getattr(exc, "orig", None)
    text_ = str(orig if orig is not None else exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__


def _refused(exc: SQLAlchemyError, what: str) -> CredibleError:
    """A database error as the user's: a value PostgreSQL cannot hold (a NUL character in
    text) is bad input, not a store that is down."""
    if "NUL (0x00)" in _short(exc):
        return InputError(
            [Problem("input", None, None, "text without NUL (0x00) characters")],
            summary=f"{what}: a value holds a NUL character",
        )
    return StoreError(f"{what}: {_short(exc)}")


class Store:
    def __init__(
        self,
        engine: Engine,
        keys: Keyring,
        vault_root: Path,
        label: str = "",
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    ) -> None:
        self.engine = engine
        self.lock_timeout = lock_timeout
        self.keys = keys
        self.dialect = engine.dialect.name
        self.search = SearchIndex(self.dialect, keys)
        self.vault = Vault(vault_root, keys.vault_material)
        self.label = label  # what is writing, for whoever finds the store busy
        self._writer_lock = WriterLock.for_url(str(engine.url))
        self.versions = DataVersion()
        self._caches: dict[str, VersionedCache[Any, Any]] = {}
        self._caches_lock = threading.Lock()

    @property
    def cipher(self) -> FieldCipher:
        return self.keys.cipher

    def close(self) -> None:
        self.engine.dispose()

    # ---- reading -------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise _refused(exc, "cannot read the store") from exc

    def version(self, conn: Connection) -> int:
        """The version of the record as ``conn`` sees it (``credible.store.versions``)."""
        return self.versions.read(conn)

    def cache(self, name: str, size: int = 1024) -> VersionedCache[Any, Any]:
        """This store's cache ``name`` of values derived from the record, each kept
        while the record's version is the one it was computed at."""
        with self._caches_lock:
            if name not in self._caches:
                self._caches[name] = VersionedCache(size)
            return self._caches[name]

    def table(self, name: str) -> Table:
        try:
            return EXPORTABLE[name]
        except KeyError:
            raise NotFoundError(f"no table {name!r}; tables are: {', '.join(EXPORTABLE)}") from None

    def count(self, table: Table, **where: Any) -> int:
        stmt = select(func.count()).select_from(table)
        for col, val in where.items():
            stmt = stmt.where(table.c[col] == val)
        with self.read() as conn:
            return int(conn.execute(stmt).scalar_one())

    # ---- writing -------------------------------------------------------------------

    @contextmanager
    def write(self, actor: str) -> Iterator[UnitOfWork]:
        uow: UnitOfWork | None = None
        try:
            with self.engine.connect() as conn:
                conn.execution_options(credible_write=True)
                try:
                    tx = conn.begin()
                except DBAPIError as exc:
                    raise busy_error(self, exc) from exc
                with tx, self._writer_lock.held(actor, self.label):
                    if self.dialect == "postgresql":
                        self._lock_postgres(conn, actor)
                    uow = UnitOfWork(self, conn, actor)
                    yield uow
                    uow.sign_head()
        except SQLAlchemyError as exc:
            if uow is not None:
                uow.undo_outside_effects()
            raise _refused(exc, "the store refused the write, nothing was written") from exc
        except BaseException:
            if uow is not None:
                uow.undo_outside_effects()
            raise

    @contextmanager
    def working(self) -> Iterator[Connection]:
        """A transaction on the web's working tables (sessions, sign-in attempts, jobs,
        review leases): state of the service, not of the record, so not in the audit
        chain. SQLite takes its write lock up front, as ``write`` does."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(credible_write=True)
                with conn.begin():
                    yield conn
        except DBAPIError as exc:
            raise _refused(exc, "the store refused the change") from exc

    def _lock_postgres(self, conn: Connection, actor: str) -> None:
        # One writer at a time keeps the audit chain linear. The name is what another
        # writer, kept waiting, is told.
        conn.execute(
            text("SELECT set_config('application_name', :n, true)"),
            {"n": f"credible {self.label or 'write'} by {actor}"[:63]},
        )
        conn.execute(text(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'"))
        try:
            conn.execute(text("LOCK TABLE audit IN EXCLUSIVE MODE"))
        except DBAPIError as exc:
            raise busy_error(self, exc) from exc


class UnitOfWork:
    """Writes within one transaction; each leaves an audit entry."""

    def __init__(self, store: Store, conn: Connection, actor: str) -> None:
        self.store = store
        self.conn = conn
        self.actor = actor
        self._head_id, self._head_hash = audit_log.head(conn)
        self._first_id = self._head_id
        self._undo: list[Callable[[], None]] = []

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Undo an effect outside the database (a vault file) if the write fails."""
        self._undo.append(undo)

    def undo_outside_effects(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def sign_head(self) -> None:
        """Sign the chain's new head, if this write added to it."""
        if self._head_id == self._first_id:
            return
        keys = self.store.keys
        self.conn.execute(
            audit_signatures.insert().values(
                entry_id=self._head_id,
                entry_hash=self._head_hash,
                signature=keys.sign_head(self._head_id, self._head_hash),
                key_fingerprint=keys.fingerprint,
                at=audit_log.now(),
            )
        )

    def _log(self, action: str, entity: str, entity_id: int | None, detail: dict[str, Any]) -> None:
        at = audit_log.now()
        body = audit_log.canonical_json(detail)
        h = audit_log.entry_hash(self._head_hash, at, self.actor, action, entity, entity_id, body)
        self._head_id += 1
        self.conn.execute(
            audit.insert().values(
                id=self._head_id,
                at=at,
                actor=self.actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=body,
                prev_hash=self._head_hash,
                hash=h,
            )
        )
        self._head_hash = h

    def log(self, action: str, entity: str, detail: dict[str, Any]) -> None:
        """An audit entry for an act that changes no audited row (a key rotation)."""
        self._log(action, entity, None, detail)

    def _row(self, table: Table, row_id: int) -> Sequence[Any]:
        row = self.conn.execute(select(table).where(table.c.id == row_id)).first()
        if row is None:
            raise NotFoundError(f"no {table.name} row with id {row_id}")
        return tuple(row)

    @staticmethod
    def _shown(table: Table, values: dict[str, Any]) -> dict[str, Any]:
        """Values as the audit detail may hold them: sealed columns never appear."""
        hidden = sealed_columns(table)
        return {
            k: audit_log.canonical_value(v)
            for k, v in values.items()
            if k not in hidden and not isinstance(v, bytes | memoryview)
        }

    def _reindex(self, table: Table, row_id: int, deleted: bool = False) -> None:
        """Keep a searchable row's document in step with the row."""
        kind = KIND_FOR_TABLE.get(table.name)
        if kind is None or kind not in SEARCH_FIELDS:
            return
        self.store.search.remove(self.conn, kind, row_id)
        for derived, parent in DERIVED_KINDS.items():
            if parent == kind:  # written again by the capability that derives them
                self.store.search.remove(self.conn, derived, row_id)
                self.store.search.remove(self.conn, derived, 0)
        if table is person_records:  # its name parts, likewise derived
            self.conn.execute(
                search_name_parts.delete().where(search_name_parts.c.record_id == row_id)
            )
        if not deleted:
            fields = SEARCH_FIELDS[kind]
            row = self.conn.execute(
                select(*(table.c[f] for f in fields)).where(table.c.id == row_id)
            ).one()
            self.index_for_search(kind, [(row_id, " ".join(v or "" for v in row))])

    def insert(self, table: Table, **values: Any) -> int:
        key = self.conn.execute(table.insert().values(**values)).inserted_primary_key
        assert key is not None
        row_id = key[0]
        self._reindex(table, row_id)
        row = self._row(table, row_id)
        self._log(
            "insert",
            table.name,
            row_id,
            {
                "row_hash": audit_log.row_hash(row),
                "values": self._shown(table, dict(zip(table.c.keys(), row, strict=True))),
            },
        )
        return int(row_id)

    def update(self, table: Table, row_id: int, **changes: Any) -> None:
        before = self._row(table, row_id)
        self.conn.execute(table.update().where(table.c.id == row_id).values(**changes))
        self._reindex(table, row_id)
        after = self._row(table, row_id)
        self._log(
            "update",
            table.name,
            row_id,
            {
                "before_hash": audit_log.row_hash(before),
                "row_hash": audit_log.row_hash(after),
                "changes": self._shown(table, changes),
            },
        )

    def update_sql(
        self, table: str, row_id: int, sql: str, params: dict[str, Any], note: dict[str, Any]
    ) -> None:
        """An audited update written in SQL, for a migration step whose columns the
        current schema no longer names. ``note`` says what changed (never a value)."""
        read = text(f"SELECT * FROM {table} WHERE id = :i")
        before = tuple(self.conn.execute(read, {"i": row_id}).one())
        self.conn.execute(text(sql), params)
        after = tuple(self.conn.execute(read, {"i": row_id}).one())
        self._log(
            "update",
            table,
            row_id,
            {
                "before_hash": audit_log.row_hash(before),
                "row_hash": audit_log.row_hash(after),
                "changes": note,
            },
        )

    def delete(self, table: Table, row_id: int) -> None:
        before = self._row(table, row_id)
        self.conn.execute(table.delete().where(table.c.id == row_id))
        self._reindex(table, row_id, deleted=True)
        self._log("delete", table.name, row_id, {"before_hash": audit_log.row_hash(before)})

    def next_id(self, table: Table) -> int:
        return (
            int(self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        )

    def bulk_insert(
        self,
        table: Table,
        batches: Iterable[pa.Table],
        detail: dict[str, Any] | None = None,
    ) -> tuple[int, int]:
        """Insert Arrow tables of rows (columns named as the table's, without ``id``),
        giving them contiguous ids. Returns (first_id, count).

        One audit entry covers all rows through a digest of their hashes in id order;
        ``detail`` adds context (the import, the file) to that entry.
        """
        first = self.next_id(table)
        order = [c.name for c in table.c]
        kind = KIND_FOR_TABLE.get(table.name)
        running = hashlib.sha256()
        next_id = first
        for batch in batches:
            n = batch.num_rows
            if not n:
                continue
            ids = pa.array(range(next_id, next_id + n), pa.int64())
            data = batch.add_column(0, "id", ids)
            for row_digest in bulk.row_digests(data, order):
                running.update(row_digest)
            bulk.insert_table(self.conn, table, data)
            texts = search_text(data, kind) if kind else None
            if kind and texts is not None:
                self.store.search.add_column(self.conn, kind, ids, texts)
            next_id += n
        count = next_id - first
        self._log(
            "bulk_insert",
            table.name,
            None,
            {
                **(detail or {}),
                "first_id": first,
                "last_id": first + count - 1,
                "count": count,
                "digest": running.hexdigest(),
            },
        )
        if self.store.dialect == "postgresql" and count:
            self.conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :v)"),
                {"v": first + count - 1},
            )
        return first, count

    def index_for_search(self, kind: str, docs: Iterable[tuple[int, str]]) -> None:
        self.store.search.add(self.conn, kind, docs)

    def index_sealed_for_search(self, kind: str, ref: int, text_: str) -> None:
        self.store.search.add_sealed(self.conn, kind, ref, text_)
