"""The Store: the one way in and out of the database, and its unit of work.

Every write happens inside ``with store.write(actor) as uow:`` — one transaction,
serialised against other writers, each change leaving an audit entry chained to the
previous one. Nothing is half-written: an exception inside the block rolls it all back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from credible.errors import NotFoundError, StoreError
from credible.store import audit as audit_log
from credible.store import bulk
from credible.store.crypto import FieldCipher
from credible.store.schema import EXPORTABLE, audit
from credible.store.search import SearchIndex


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let the store, not pysqlite, decide when transactions begin (BEGIN IMMEDIATE).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


class Store:
    def __init__(self, engine: Engine, cipher: FieldCipher | None = None) -> None:
        self.engine = engine
        self.cipher = cipher
        self.dialect = engine.dialect.name
        self.search = SearchIndex(self.dialect)

    @classmethod
    def open(cls, url: str, key_file: Path | None = None, *, must_exist: bool = True) -> Store:
        if url.startswith("sqlite:///") and must_exist:
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                raise StoreError(f"no store at {path}: create one with `credible init`")
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
        except OperationalError as exc:
            raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from exc
        if must_exist and "audit" not in tables:
            raise StoreError(f"{engine.url!r} is not an initialised store: run `credible init`")
        cipher = FieldCipher.from_key_file(key_file) if key_file else None
        return cls(engine, cipher)

    def close(self) -> None:
        self.engine.dispose()

    # ---- reading -------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

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
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # One writer at a time keeps the audit chain linear.
                    conn.execute(text("LOCK TABLE audit IN EXCLUSIVE MODE"))
                yield UnitOfWork(self, conn, actor)
        except SQLAlchemyError as exc:
            raise StoreError(f"the store refused the write, nothing was written: {exc}") from exc


class UnitOfWork:
    """Writes within one transaction; each leaves an audit entry."""

    def __init__(self, store: Store, conn: Connection, actor: str) -> None:
        self.store = store
        self.conn = conn
        self.actor = actor
        self._head_id, self._head_hash = audit_log.head(conn)

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

    def _row(self, table: Table, row_id: int) -> Sequence[Any]:
        row = self.conn.execute(select(table).where(table.c.id == row_id)).first()
        if row is None:
            raise NotFoundError(f"no {table.name} row with id {row_id}")
        return tuple(row)

    def insert(self, table: Table, **values: Any) -> int:
        key = self.conn.execute(table.insert().values(**values)).inserted_primary_key
        assert key is not None
        row_id = key[0]
        row = self._row(table, row_id)
        self._log(
            "insert",
            table.name,
            row_id,
            {
                "row_hash": audit_log.row_hash(row),
                "values": {
                    c.name: audit_log.canonical_value(v)
                    for c, v in zip(table.c, row, strict=True)
                    if not isinstance(v, bytes | memoryview)
                },
            },
        )
        return int(row_id)

    def update(self, table: Table, row_id: int, **changes: Any) -> None:
        before = self._row(table, row_id)
        self.conn.execute(table.update().where(table.c.id == row_id).values(**changes))
        after = self._row(table, row_id)
        self._log(
            "update",
            table.name,
            row_id,
            {
                "before_hash": audit_log.row_hash(before),
                "row_hash": audit_log.row_hash(after),
                "changes": {
                    k: audit_log.canonical_value(v)
                    for k, v in changes.items()
                    if not isinstance(v, bytes)
                },
            },
        )

    def delete(self, table: Table, row_id: int) -> None:
        before = self._row(table, row_id)
        self.conn.execute(table.delete().where(table.c.id == row_id))
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
