"""The search index, derived from the rows: what it should hold, the check that it does,
and its rebuild.

The index sits outside the audit chain (it is derived data, and FTS tables cannot be
hashed row by row), so nothing else would notice a person deleted from it and hidden
from every search. ``check_index`` rebuilds every document from the audited rows and
compares, kind by kind, in id order, without holding the index in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

import pyarrow as pa
from sqlalchemy import Connection, select

from credible.model.fields import SEARCH_FIELDS
from credible.store.keys import Keyring
from credible.store.schema import TABLE_FOR_KIND, evidence
from credible.store.search import (
    DERIVED_KINDS,
    SEALED_KINDS,
    SearchIndex,
    blind_body,
    documents_of,
    search_text,
)
from credible.store.store import Store

BATCH = 50_000
Doc = tuple[int, str, str]  # ref, display, body


def _row_documents(conn: Connection, kind: str) -> Iterator[Doc]:
    table = TABLE_FOR_KIND[kind]
    columns = [table.c.id, *(table.c[f] for f in SEARCH_FIELDS[kind])]
    result = conn.execute(select(*columns).order_by(table.c.id)).yield_per(BATCH)
    for chunk in result.partitions():
        batch = pa.table(
            {
                c.name: pa.array([row[i] for row in chunk], pa.int64() if i == 0 else pa.string())
                for i, c in enumerate(columns)
            }
        )
        texts = search_text(batch, kind)
        if texts is not None:
            yield from documents_of(batch.column("id").combine_chunks(), texts)


def _sealed_documents(conn: Connection, keys: Keyring) -> Iterator[Doc]:
    stmt = (
        select(evidence.c.id, evidence.c.extracted_text)
        .where(evidence.c.extracted_text.is_not(None))
        .order_by(evidence.c.id)
    )
    for ref, sealed in conn.execute(stmt):
        body = blind_body(keys, keys.cipher.decrypt(sealed) or "")
        if body:
            yield int(ref), "", body


def expected_documents(conn: Connection, keys: Keyring) -> dict[str, Iterator[Doc]]:
    """Per kind, the documents the rows call for, in ref order."""
    docs: dict[str, Iterator[Doc]] = {kind: _row_documents(conn, kind) for kind in SEARCH_FIELDS}
    for kind in SEALED_KINDS:
        docs[kind] = _sealed_documents(conn, keys)
    return docs


@dataclass
class IndexReport:
    documents: int = 0
    missing: list[tuple[str, int]] = field(default_factory=list)  # (kind, ref)
    altered: list[tuple[str, int]] = field(default_factory=list)
    unexpected: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.unexpected)

    def describe(self) -> str:
        parts = []
        for label, items in (
            ("missing", self.missing),
            ("altered", self.altered),
            ("not backed by any row", self.unexpected),
        ):
            if items:
                shown = ", ".join(f"{k} {r}" for k, r in items[:5])
                more = f" and {len(items) - 5} more" if len(items) > 5 else ""
                parts.append(f"{len(items)} document(s) {label} ({shown}{more})")
        return "; ".join(parts)


def _stored(conn: Connection, index: SearchIndex, kind: str) -> Iterator[Doc]:
    rows = conn.exec_driver_sql(
        f"SELECT ref, display, body FROM {index.table} WHERE kind = "
        + ("%s" if index.dialect == "postgresql" else "?")
        + " ORDER BY ref",
        (kind,),
    )
    for ref, display, body in rows:
        yield int(ref), display, body


def _grouped(docs: Iterator[Doc]) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    for ref, group in groupby(docs, key=lambda d: d[0]):
        yield ref, sorted((d[1], d[2]) for d in group)


def check_index(conn: Connection, index: SearchIndex) -> IndexReport:
    """Compare the stored index with the one the rows call for."""
    report = IndexReport()
    expected = expected_documents(conn, index.keys)
    for kind, want_docs in expected.items():
        want = _grouped(want_docs)
        have = _grouped(_stored(conn, index, kind))
        w, h = next(want, None), next(have, None)
        while w is not None or h is not None:
            if h is None or (w is not None and w[0] < h[0]):
                assert w is not None
                report.missing.append((kind, w[0]))
                w = next(want, None)
                continue
            report.documents += len(h[1])
            if w is None or h[0] < w[0]:
                report.unexpected.append((kind, h[0]))
            elif w[1] != h[1]:
                report.altered.append((kind, w[0]))
            if w is not None and w[0] == h[0]:
                w = next(want, None)
            h = next(have, None)
    known = sorted(expected) + sorted(DERIVED_KINDS)
    other = conn.exec_driver_sql(
        f"SELECT kind, ref FROM {index.table} WHERE kind NOT IN "
        f"({', '.join(repr(k) for k in known)}) ORDER BY kind, ref"
    )
    report.unexpected += [(k, int(r)) for k, r in other]
    report.unexpected += _orphans(conn, index)
    return report


def _orphans(conn: Connection, index: SearchIndex) -> list[tuple[str, int]]:
    """Derived documents with no row behind them (ref 0 is a kind's watermark). Their
    bodies are checked by the capability that derives them."""
    out = []
    for derived, parent in DERIVED_KINDS.items():
        table = {**TABLE_FOR_KIND, "evidence": evidence}[parent]
        rows = {int(r) for (r,) in conn.execute(select(table.c.id))}
        out += [(derived, r) for r in sorted(index.refs(conn, derived) - rows) if r != 0]
    return out


def rebuild_index(conn: Connection, index: SearchIndex) -> int:
    """Empty the index and fill it again from the rows; returns the documents written."""
    index.clear(conn)
    written = 0
    for kind, docs in expected_documents(conn, index.keys).items():
        batch: list[tuple[str, int, str, str]] = []
        for ref, display, body in docs:
            batch.append((kind, ref, display, body))
            if len(batch) >= BATCH:
                index.insert_documents(conn, batch)
                written += len(batch)
                batch = []
        if batch:
            index.insert_documents(conn, batch)
            written += len(batch)
    return written


def reindex(store: Store, actor: str) -> int:
    """Rebuild the index from the rows, as one audited write."""
    with store.write(actor) as uow:
        written = rebuild_index(uow.conn, store.search)
        uow.log("reindex", "search", {"documents": written})
    return written
