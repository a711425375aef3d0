"""The name-key index: each person record's ``credible.names`` keys, as documents of the
store's search index (kind ``person_name``), so that 古丽, گۈلى, Гули and Guli meet.

The keys are derived data, like the rest of the search index, but derived with
``credible.names``, which the store cannot import; so this module writes them: inside
the import's own transaction (``index_new_records``), and again whenever a search finds
the index behind the rows (``refresh``: after ``audit reindex``, or a record changed).
A watermark document (ref 0) says up to which record id every record has its document,
so that telling whether the index is current costs two indexed look-ups.

Keys are case-sensitive (``TURsUN``: the lower-case s is sh) and hold ``~``, which
full-text tokenisers fold or drop; each is written as one token of hex digits behind a
letter saying what it is (``k``: a key, ``c``: its cross-script skeleton).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select

from credible import names
from credible.store import Store, UnitOfWork, schema

KIND = "person_name"
WATERMARK = "wmpersonname"
#: Cross-script skeletons shorter than this (Guli: L; Memet: NT) would gather a large
#: share of the store for every query (measured on one seed: with them, Latin queries
#: found 1-3 points more of the records in Chinese characters, at 6-8 points less
#: precision there, and searches took longer).
MIN_CROSS_KEY = 3
BATCH = 20_000

pr = schema.person_records
NAME_COLUMNS = (pr.c.name, pr.c.given_name, pr.c.father_name, pr.c.family_name)


def record_name(name: str | None, *parts: str | None) -> str:
    """A record's name as written: the full name, else its parts in written order."""
    if name and name.strip():
        return name.strip()
    return " ".join(p.strip() for p in parts if p and p.strip())


def _token(prefix: str, key: str) -> str:
    return prefix + key.encode("utf-8").hex()


def key_tokens(keys: Iterable[str]) -> list[str]:
    """The index tokens of a name's keys: each key, and the skeleton that survives
    Chinese transcription (``credible.names.cross_script_key``) when it has at least
    ``MIN_CROSS_KEY`` letters."""
    out = set()
    for key in keys:
        out.add(_token("k", key))
        cross = names.cross_script_key(key)
        if len(cross) >= MIN_CROSS_KEY:
            out.add(_token("c", cross))
    return sorted(out)


def name_tokens(name: str) -> list[str]:
    return key_tokens(names.name_keys(name)) if name.strip() else []


def _documents(rows: Sequence[Sequence[object]]) -> list[tuple[str, int, str, str]]:
    full = [record_name(*(None if v is None else str(v) for v in row[1:])) for row in rows]
    keys = names.name_keys_many(full)
    return [
        (KIND, int(str(row[0])), "", " ".join(key_tokens(k)))
        for row, k in zip(rows, keys, strict=True)
    ]


def _write(conn: Connection, store: Store, ids: Sequence[int] | None, lo: int, hi: int) -> int:
    """Index the records with ids in [lo, hi] (and in ``ids`` when given)."""
    stmt = select(pr.c.id, *NAME_COLUMNS).where(pr.c.id >= lo, pr.c.id <= hi).order_by(pr.c.id)
    wanted = None if ids is None else set(ids)
    written = 0
    for chunk in conn.execute(stmt).yield_per(BATCH).partitions():
        rows = [r for r in chunk if wanted is None or int(r[0]) in wanted]
        if rows:
            store.search.insert_documents(conn, _documents(rows))
            written += len(rows)
    return written


def _watermark(conn: Connection, store: Store) -> int | None:
    shown = store.search.display_of(conn, WATERMARK)
    return int(shown) if shown and shown.isdigit() else None


def _set_watermark(conn: Connection, store: Store, upto: int) -> None:
    store.search.remove(conn, KIND, 0)
    store.search.insert_documents(conn, [(KIND, 0, str(upto), WATERMARK)])


def _last_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(pr.c.id), 0))).scalar_one())


def index_new_records(uow: UnitOfWork, first_id: int, count: int) -> None:
    """Index the name keys of records just inserted (ids ``first_id`` onwards), in the
    writer's transaction: an import leaves the key index as current as it found it."""
    if count <= 0:
        return
    store, conn = uow.store, uow.conn
    before = _watermark(conn, store)
    _write(conn, store, None, first_id, first_id + count - 1)
    if before == first_id - 1 or (before is None and first_id == 1):
        _set_watermark(conn, store, first_id + count - 1)


def is_current(conn: Connection, store: Store) -> bool:
    return _watermark(conn, store) == _last_id(conn)


def refresh(store: Store, actor: str = "search") -> int:
    """Write the documents of every record that has none; returns how many. Costs two
    indexed look-ups when the index is current."""
    with store.read() as conn:
        if is_current(conn, store):
            return 0
    with store.write(actor) as uow:  # serialised with imports: no record indexed twice
        conn = uow.conn
        last = _last_id(conn)
        mark = _watermark(conn, store)
        if mark == last:
            return 0
        have = store.search.refs(conn, KIND)
        every = [int(r) for (r,) in conn.execute(select(pr.c.id))]
        missing = sorted(set(every) - have)
        written = _write(conn, store, missing, missing[0], missing[-1]) if missing else 0
        _set_watermark(conn, store, last)
    return written


def rebuild(store: Store, actor: str = "search") -> int:
    """Drop every name-key document and write them again from the rows."""
    with store.write(actor) as uow:
        store.search.remove_kind(uow.conn, KIND)
    return refresh(store, actor)


def check(store: Store) -> list[int]:
    """Records whose name-key document differs from what their names give, or is
    missing though the watermark says it was written (a record beyond the watermark
    is not yet indexed: the next search writes it)."""
    with store.read() as conn:
        mark = _watermark(conn, store) or 0
        stored: dict[int, str] = {}
        for ref, body in conn.exec_driver_sql(
            f"SELECT ref, body FROM {store.search.table} WHERE kind = "
            + ("%s" if store.dialect == "postgresql" else "?"),
            (KIND,),
        ):
            stored[int(ref)] = body
        rows = conn.execute(select(pr.c.id, *NAME_COLUMNS).order_by(pr.c.id)).all()
    bad = []
    for _kind, ref, _display, body in _documents(rows):
        have = stored.get(ref)
        if (have is None and ref <= mark) or (have is not None and have != body):
            bad.append(ref)
    return bad
