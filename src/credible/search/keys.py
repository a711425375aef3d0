"""The name-key index: each person record's ``credible.names`` keys, as documents of the
store's search index (kind ``person_name``), so that 古丽, گۈلى, Гули and Guli meet.

The keys are derived data, like the rest of the search index, but derived with
``credible.names``, which the store cannot import; so this module writes them: inside
the import's own transaction (``index_new_records``), and again whenever a search finds
the index behind the rows (``refresh``: after ``audit reindex``, or a record changed).
A watermark document (ref 0) says up to which record id every record has its document,
so that telling whether the index is current costs two indexed look-ups.

Beside them, the name-part index (``search_name_keys``: a key token and a name part
written with it; ``search_name_parts``: a name part and a record that writes it), which a
search reads: it decides among the few forms sharing a key with the query which are the
name asked for, then takes their records by index, instead of comparing the names of
every record that shares a key. Both are written and dropped together.

Keys are case-sensitive (``TURsUN``: the lower-case s is sh) and hold ``~``, which
full-text tokenisers fold or drop; each is written as one token of hex digits behind a
letter saying what it is (``k``: a key, ``c``: its cross-script skeleton).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from sqlalchemy import Connection, delete, func, insert, select

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
ID_BATCH = 5_000  # values bound in one statement
ANALYZE_AFTER = 1_000  # records indexed at once that make the statistics stale

pr = schema.person_records
snk, snp = schema.search_name_keys, schema.search_name_parts
NAME_COLUMNS = (pr.c.name, pr.c.given_name, pr.c.father_name, pr.c.family_name)
#: What the writer reads of a record: its id, source, then its names.
INDEXED = (pr.c.id, pr.c.source_id, *NAME_COLUMNS)


def record_name(name: str | None, *parts: str | None) -> str:
    """A record's name as written: the full name, else its parts in written order."""
    if name and name.strip():
        return name.strip()
    return " ".join(p.strip() for p in parts if p and p.strip())


def token(prefix: str, key: str) -> str:
    return prefix + key.encode("utf-8").hex()


def key_tokens(keys: Iterable[str]) -> list[str]:
    """The index tokens of a name's keys: each key, and the skeleton that survives
    Chinese transcription (``credible.names.cross_script_key``) when it has at least
    ``MIN_CROSS_KEY`` letters."""
    out = set()
    for key in keys:
        out.add(token("k", key))
        cross = names.cross_script_key(key)
        if len(cross) >= MIN_CROSS_KEY:
            out.add(token("c", cross))
    return sorted(out)


#: Two-letter skeletons are too coarse to gather forms in one script (Memet, Mahmut,
#: Qanat, Ahmat: NT), but a name transcribed into Chinese characters often keeps no more
#: (Qayrat and 凯拉特: LT; Sérik and 赛力克: SL) and shares no other key with its letters.
#: So they are written marked by the side of that divide, and a part is looked up by the
#: other side's: a query in letters meets forms in characters by them, and the reverse.
SHORT_CROSS_KEY = 2
HAN, LETTERS = "h", "l"


def _short_cross(keys: Iterable[str], prefix: str) -> set[str]:
    crosses = {names.cross_script_key(k) for k in keys}
    return {token(prefix, c) for c in crosses if len(c) == SHORT_CROSS_KEY}


def form_tokens(form: str, keys: Sequence[str]) -> list[str]:
    """The index tokens of a written name part: its keys' (``key_tokens``), and its
    two-letter cross-script skeletons marked by the side of the Chinese divide it is on."""
    side = HAN if names.detect_script(form) == "han" else LETTERS
    return sorted(set(key_tokens(keys)) | _short_cross(keys, side))


def name_tokens(name: str) -> list[str]:
    return key_tokens(names.name_keys(name)) if name.strip() else []


def _full_names(rows: Sequence[Sequence[object]]) -> list[str]:
    return [record_name(*(None if v is None else str(v) for v in row[2:])) for row in rows]


def _documents(rows: Sequence[Sequence[object]]) -> list[tuple[str, int, str, str]]:
    keys = names.name_keys_many(_full_names(rows))
    return [
        (KIND, int(str(row[0])), "", " ".join(key_tokens(k)))
        for row, k in zip(rows, keys, strict=True)
    ]


SEPARATOR = "\u00b7"  # the middle dot of names in Chinese characters


@lru_cache(maxsize=1 << 16)
def parts(name: str) -> tuple[str, ...]:
    """The name parts of a name, as ``credible.names`` splits it (each once, in order).
    A part in Chinese characters of a name of several parts keeps a separator: alone,
    艾里 is read as a family name and a given name (Ai Li), and would be found for Li;
    as a part of 艾里·库儿班 it is one name, Eli, and is keyed so."""
    found = tuple(dict.fromkeys(p.strip() for p in names.split_name(name) if p.strip()))
    if len(found) < 2:
        return found
    return tuple(p + SEPARATOR if names.detect_script(p) == "han" else p for p in found)


@lru_cache(maxsize=1 << 14)
def part_tokens(part: str) -> tuple[str, ...]:
    """The tokens a query's name part is looked up by: its keys', and its two-letter
    skeletons as written by forms on the other side of the Chinese divide."""
    if not part.strip():
        return ()
    keys = names.name_keys(part)
    other = LETTERS if names.detect_script(part) == "han" else HAN
    return tuple(sorted(set(key_tokens(keys)) | _short_cross(keys, other)))


def _part_rows(rows: Sequence[Sequence[object]]) -> list[dict[str, object]]:
    return [
        {"form": form, "record_id": int(str(row[0])), "source_id": int(str(row[1]))}
        for row, name in zip(rows, _full_names(rows), strict=True)
        for form in parts(name)
    ]


def _write_parts(conn: Connection, rows: Sequence[Sequence[object]]) -> None:
    """The records' name parts, and the key tokens of each form not yet indexed."""
    part_rows = _part_rows(rows)
    if not part_rows:
        return
    conn.execute(insert(snp), part_rows)
    forms = sorted({str(r["form"]) for r in part_rows})
    known: set[str] = set()
    for lo in range(0, len(forms), ID_BATCH):
        chunk = forms[lo : lo + ID_BATCH]
        known |= {f for (f,) in conn.execute(select(snk.c.form).where(snk.c.form.in_(chunk)))}
    new = [f for f in forms if f not in known]
    keyed = [
        {"token": t, "form": f}
        for f, keys in zip(new, names.name_keys_many(new), strict=True)
        for t in form_tokens(f, keys)
    ]
    if keyed:
        conn.execute(insert(snk), keyed)


def _write(conn: Connection, store: Store, ids: Sequence[int] | None, lo: int, hi: int) -> int:
    """Index the records with ids in [lo, hi] (and in ``ids`` when given)."""
    stmt = select(*INDEXED).where(pr.c.id >= lo, pr.c.id <= hi).order_by(pr.c.id)
    wanted = None if ids is None else set(ids)
    written = 0
    for chunk in conn.execute(stmt).yield_per(BATCH).partitions():
        rows = [r for r in chunk if wanted is None or int(r[0]) in wanted]
        if rows:
            store.search.insert_documents(conn, _documents(rows))
            if wanted is not None:  # records written again: their old parts go first
                for i in range(0, len(rows), ID_BATCH):
                    some = [int(r[0]) for r in rows[i : i + ID_BATCH]]
                    conn.execute(delete(snp).where(snp.c.record_id.in_(some)))
            _write_parts(conn, rows)
            written += len(rows)
    return written


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A digest of the code and tables that turn a name into index tokens. A store
    indexed under other rules (an upgrade of credible.names or of this module) would be
    searched with tokens the new rules never write, and miss records without a word, so
    the watermark carries the digest and a search rebuilds an index whose digest differs.
    """
    digest = hashlib.sha256()

    def walk(node: Traversable, path: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{path}/{child.name}")
            elif child.name.endswith((".py", ".csv", ".yml", ".yaml", ".json", ".txt")):
                digest.update(f"{path}/{child.name}\0".encode())
                digest.update(child.read_bytes())

    walk(resources.files("credible.names"), "names")
    digest.update(resources.files("credible.search").joinpath("keys.py").read_bytes())
    return digest.hexdigest()[:16]


def _watermark_state(conn: Connection, store: Store) -> tuple[int | None, bool]:
    """Up to which record every record is indexed, and whether under today's rules (an
    index written before the digest was kept counts as written under other rules)."""
    shown = store.search.display_of(conn, WATERMARK) or ""
    upto, _, rules = shown.partition(":")
    return (int(upto) if upto.isdigit() else None), rules == rules_fingerprint()


def _watermark(conn: Connection, store: Store) -> int | None:
    upto, same_rules = _watermark_state(conn, store)
    return upto if same_rules else None


def _set_watermark(conn: Connection, store: Store, upto: int) -> None:
    store.search.remove(conn, KIND, 0)
    store.search.insert_documents(conn, [(KIND, 0, f"{upto}:{rules_fingerprint()}", WATERMARK)])


def _last_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(pr.c.id), 0))).scalar_one())


def index_new_records(uow: UnitOfWork, first_id: int, count: int) -> None:
    """Index the name keys of records just inserted (ids ``first_id`` onwards), in the
    writer's transaction: an import leaves the key index as current as it found it."""
    if count <= 0:
        return
    store, conn = uow.store, uow.conn
    before = _watermark(conn, store)
    _analyze(conn, store, _write(conn, store, None, first_id, first_id + count - 1))
    if before == first_id - 1 or (before is None and first_id == 1):
        _set_watermark(conn, store, first_id + count - 1)


def _analyze(conn: Connection, store: Store, written: int) -> None:
    """PostgreSQL plans the look-ups of a search from the tables' statistics: without
    them (a store just filled) it scans whole tables instead of using the indexes."""
    if store.dialect == "postgresql" and written >= ANALYZE_AFTER:
        conn.exec_driver_sql(f"ANALYZE {snp.name}, {snk.name}")


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
        mark, same_rules = _watermark_state(conn, store)
        if same_rules and mark == last:
            return 0
        if not same_rules and mark is not None:  # written under other rules: all again
            store.search.remove_kind(conn, KIND)
        have = store.search.refs(conn, KIND)
        if not have - {0}:  # every record written again (a rebuilt index): parts too
            conn.execute(delete(snp))
            conn.execute(delete(snk))
        every = [int(r) for (r,) in conn.execute(select(pr.c.id))]
        missing = sorted(set(every) - have)
        written = _write(conn, store, missing, missing[0], missing[-1]) if missing else 0
        _set_watermark(conn, store, last)
        _analyze(conn, store, written)
    return written


def rebuild(store: Store, actor: str = "search") -> int:
    """Drop every name-key document and write them again from the rows."""
    with store.write(actor) as uow:
        store.search.remove_kind(uow.conn, KIND)
        uow.conn.execute(delete(snp))
        uow.conn.execute(delete(snk))
    return refresh(store, actor)


def check(store: Store) -> list[int]:
    """Records whose name-key document or name parts differ from what their names give,
    or are missing though the watermark says they were written (a record beyond the
    watermark is not yet indexed: the next search writes it); and the records writing a
    form whose key tokens were altered (they would be hidden from a search)."""
    with store.read() as conn:
        mark = _watermark(conn, store) or 0
        stored: dict[int, str] = {}
        for ref, body in conn.exec_driver_sql(
            f"SELECT ref, body FROM {store.search.table} WHERE kind = "
            + ("%s" if store.dialect == "postgresql" else "?"),
            (KIND,),
        ):
            stored[int(ref)] = body
        rows = conn.execute(select(*INDEXED).order_by(pr.c.id)).all()
        stored_parts: dict[int, set[tuple[str, int]]] = {}
        for form, rid, sid in conn.execute(select(snp.c.form, snp.c.record_id, snp.c.source_id)):
            stored_parts.setdefault(int(rid), set()).add((form, int(sid)))
        stored_keys: dict[str, set[str]] = {}
        for token, form in conn.execute(select(snk.c.token, snk.c.form)):
            stored_keys.setdefault(form, set()).add(token)
    bad = set()
    for _kind, ref, _display, body in _documents(rows):
        have = stored.get(ref)
        if (have is None and ref <= mark) or (have is not None and have != body):
            bad.add(ref)
    expected_parts: dict[int, set[tuple[str, int]]] = {}
    for r in _part_rows(rows):
        part = (str(r["form"]), int(str(r["source_id"])))
        expected_parts.setdefault(int(str(r["record_id"])), set()).add(part)
    for row in rows:
        ref = int(row[0])
        have_parts = stored_parts.get(ref, set())
        if (ref in stored or ref <= mark) and have_parts != expected_parts.get(ref, set()):
            bad.add(ref)
    forms = sorted({f for fs in stored_parts.values() for f, _ in fs})
    altered = {
        f
        for f, keys in zip(forms, names.name_keys_many(forms), strict=True)
        if stored_keys.get(f, set()) != set(form_tokens(f, keys))
    }
    bad |= {ref for ref, fs in stored_parts.items() if {f for f, _ in fs} & altered}
    return sorted(bad)
