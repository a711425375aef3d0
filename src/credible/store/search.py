"""Full-text search over person names, facility names and evidence text.

SQLite uses FTS5 (``unicode61``, diacritics folded); PostgreSQL a ``tsvector`` with the
``simple`` configuration and a GIN index. Both tokenise Arabic-script and Cyrillic
words natively, but neither segments Chinese, which has no spaces between words: we
put a space between Han characters on both sides (index and query) and search for
phrases, so that 古丽 finds 阿依古丽 and 阿不都 finds 阿不都热依木.

Sealed text (an interview's words) is indexed blind: each word, case and diacritics
folded, becomes a keyed token (``Keyring.index_token``) and the document keeps no
display text. A query's words are turned into tokens the same way, so the text stays
findable by whoever holds the key, and the index alone does not give it away. (It does
show how often each unknown token occurs, and which documents share one.)

The index is derived data: ``expected_documents`` rebuilds it from the rows, so that
``audit verify`` can tell when it was edited, and ``rebuild`` can put it right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, bindparam, select, text

from credible.model.fields import SEARCH_FIELDS

if TYPE_CHECKING:
    from credible.store.keys import Keyring

#: The kind under which sealed text is indexed (its documents carry no display text).
SEALED_KINDS = frozenset({"evidence"})

#: Documents a capability derives from the rows of a kind with code the store cannot run
#: (the store imports no capability): a person record's name keys, which credible.search
#: writes, and an evidence text's word keys, which credible.evidence writes. Their bodies
#: are opaque tokens; ref 0 is the kind's watermark, whose display
#: says up to which row id every row has its document. The store drops a row's derived
#: documents and the watermark whenever the row changes, and a rebuild drops them all;
#: credible.search writes them again, and ``check_index`` holds each to a row.
DERIVED_KINDS: dict[str, str] = {"person_name": "person_record", "evidence_word": "evidence"}

_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df])")
_SEPARATORS = re.compile(r"[·•・‧]")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def searchable(value: str) -> str:
    """Text as indexed: Han characters spaced apart, name-part dots made spaces."""
    return str(searchable_column(pa.array([value], pa.string()))[0])


def searchable_column(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``searchable`` for a whole Arrow column at once (RE2 kernels, no Python loop)."""
    text = pc.replace_substring_regex(values, _SEPARATORS.pattern, " ")
    text = pc.replace_substring_regex(text, r"(\p{Han})", r" \1 ")
    text = pc.replace_substring_regex(text, r"\s+", " ")
    return pc.utf8_trim_whitespace(text)


def _phrase_terms(query: str) -> list[str]:
    return _TOKEN.findall(searchable(query))


def search_text(batch: pa.Table, kind: str) -> pa.Array | None:
    """The text indexed for each row of ``batch``: its name fields joined by a space."""
    fields = [f for f in SEARCH_FIELDS.get(kind, ()) if f in batch.column_names]
    if not fields:
        return None
    parts = [pc.fill_null(batch.column(f).cast(pa.string()), "") for f in fields]
    joined = pc.binary_join_element_wise(*parts, " ")
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def fold(word: str) -> str:
    """A word as the blind index keys it: case and diacritics folded, as FTS5 does."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def blind_body(keys: Keyring, value: str) -> str:
    """Sealed text as its keyed tokens, in order (so that phrases still match)."""
    return " ".join(keys.index_token(fold(w)) for w in _phrase_terms(value))


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: int
    text: str  # as written; empty for sealed text


@dataclass(frozen=True)
class Document:
    kind: str
    ref: int
    display: str
    body: str


class SearchIndex:
    def __init__(self, dialect: str, keys: Keyring) -> None:
        self.dialect = dialect
        self.keys = keys

    @property
    def table(self) -> str:
        return "search_docs" if self.dialect == "postgresql" else "search_fts"

    def insert_documents(self, conn: Connection, rows: list[tuple[str, int, str, str]]) -> None:
        mark = "%s" if self.dialect == "postgresql" else "?"
        conn.exec_driver_sql(
            f"INSERT INTO {self.table} (kind, ref, display, body) VALUES ({', '.join([mark] * 4)})",
            rows,
        )

    def add_sealed(self, conn: Connection, kind: str, ref: int, value: str) -> None:
        """Index sealed text blind: keyed tokens, no display text."""
        body = blind_body(self.keys, value)
        if body:
            self.insert_documents(conn, [(kind, ref, "", body)])

    def add(self, conn: Connection, kind: str, docs: Iterable[tuple[int, str]]) -> None:
        """Index (ref, text) pairs."""
        pairs = [(ref, body) for ref, body in docs if body]
        if pairs:
            refs, bodies = zip(*pairs, strict=True)
            self.add_column(conn, kind, pa.array(refs, pa.int64()), pa.array(bodies, pa.string()))

    def add_column(self, conn: Connection, kind: str, refs: pa.Array, texts: pa.Array) -> None:
        """Index many texts at once; empty or null texts are skipped."""
        rows = [(kind, r, t, b) for r, t, b in documents_of(refs, texts)]
        if rows:
            self.insert_documents(conn, rows)

    def query(self, conn: Connection, query: str, limit: int = 50) -> list[Hit]:
        """Documents holding every word of ``query`` (Han runs as phrases), the plain
        ones first; sealed text is matched through its keyed tokens."""
        terms = _phrase_terms(query)
        if not terms:
            return []
        phrases = _group_han(terms)
        hits = self._match(conn, phrases, limit, sealed=False)
        if len(hits) < limit:
            blind = [blind_body(self.keys, p) for p in phrases]
            hits += self._match(conn, blind, limit - len(hits), sealed=True)
        return hits

    def _match(self, conn: Connection, phrases: list[str], limit: int, sealed: bool) -> list[Hit]:
        test = "IN" if sealed else "NOT IN"
        params: dict[str, object] = {"n": limit, "kinds": sorted(SEALED_KINDS)}
        if self.dialect == "postgresql":
            params.update({f"p{i}": p for i, p in enumerate(phrases)})
            where = " AND ".join(
                f"tsv @@ phraseto_tsquery('simple', :p{i})" for i in range(len(phrases))
            )
            sql = f"SELECT kind, ref, display FROM search_docs WHERE {where} "
            sql += f"AND kind {test} :kinds ORDER BY kind, ref LIMIT :n"
        else:
            # Each word a quoted phrase, all required.
            params["q"] = " ".join('"' + p.replace('"', '""') + '"' for p in phrases)
            sql = "SELECT kind, ref, display FROM search_fts WHERE search_fts MATCH :q "
            sql += f"AND kind {test} :kinds ORDER BY rank LIMIT :n"
        stmt = text(sql).bindparams(bindparam("kinds", expanding=True))
        return [Hit(k, int(r), d) for k, r, d in conn.execute(stmt, params)]

    def find(
        self, conn: Connection, query: str, limit: int = 50, reveal: bool = False
    ) -> list[Hit]:
        """``query``'s hits as a person reads them. A hit in sealed text shows the file it
        is in; with ``reveal``, the passage around the first word found (decrypted)."""
        from credible.store.schema import evidence

        hits = self.query(conn, query, limit)
        sealed = [h.ref for h in hits if h.kind in SEALED_KINDS]
        if not sealed:
            return hits
        rows = {
            int(r.id): r
            for r in conn.execute(
                select(evidence.c.id, evidence.c.original_name, evidence.c.extracted_text).where(
                    evidence.c.id.in_(sealed)
                )
            )
        }
        words = [fold(t) for t in _phrase_terms(query)]
        out = []
        for hit in hits:
            row = rows.get(hit.ref) if hit.kind in SEALED_KINDS else None
            if row is None:
                out.append(hit)
                continue
            shown = f"{row.original_name}: "
            if reveal:
                shown += passage(self.keys.cipher.decrypt(row.extracted_text) or "", words)
            else:
                shown += "[text sealed; --reveal-sensitive shows the passage]"
            out.append(Hit(hit.kind, hit.ref, shown))
        return out

    def refs_matching_sql(self, tokens: list[str]) -> tuple[str, dict[str, object]]:
        """SQL selecting the ``ref`` of every document holding any of ``tokens`` (plain
        alphanumeric tokens, as derived documents are made of), with its parameters."""
        if self.dialect == "postgresql":
            params: dict[str, object] = {f"t{i}": t for i, t in enumerate(tokens)}
            query = " || ".join(f"to_tsquery('simple', :t{i})" for i in range(len(tokens)))
            return f"SELECT ref FROM search_docs WHERE tsv @@ ({query})", params
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        return "SELECT ref FROM search_fts WHERE search_fts MATCH :q", {"q": match}

    def display_of(self, conn: Connection, token: str) -> str | None:
        """The display text of the document holding ``token`` (a watermark's)."""
        sql, params = self.refs_matching_sql([token])
        sql = sql.replace("SELECT ref", "SELECT display", 1)
        # no LIMIT: with one, PostgreSQL may scan the table instead of using the index
        row = conn.execute(text(sql), params).first()
        return None if row is None else str(row[0])

    def refs(self, conn: Connection, kind: str) -> set[int]:
        mark = "%s" if self.dialect == "postgresql" else "?"
        rows = conn.exec_driver_sql(f"SELECT ref FROM {self.table} WHERE kind = {mark}", (kind,))
        return {int(r) for (r,) in rows}

    def documents(self, conn: Connection) -> Iterator[Document]:
        """The index as stored, in (kind, ref, body) order."""
        rows = conn.exec_driver_sql(
            f"SELECT kind, ref, display, body FROM {self.table} ORDER BY kind, ref, body"
        )
        for kind, ref, display, body in rows:
            yield Document(kind, int(ref), display, body)

    def remove(self, conn: Connection, kind: str, ref: int) -> None:
        mark = "%s" if self.dialect == "postgresql" else "?"
        conn.exec_driver_sql(
            f"DELETE FROM {self.table} WHERE kind = {mark} AND ref = {mark}", (kind, ref)
        )

    def remove_kind(self, conn: Connection, kind: str) -> int:
        mark = "%s" if self.dialect == "postgresql" else "?"
        return int(
            conn.exec_driver_sql(f"DELETE FROM {self.table} WHERE kind = {mark}", (kind,)).rowcount
            or 0
        )

    def clear(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql(f"DELETE FROM {self.table}").rowcount or 0)


def passage(text_: str, words: list[str], width: int = 60) -> str:
    """The text around the first of ``words`` (folded) it contains."""
    flat = re.sub(r"\s+", " ", text_)
    folded = fold(flat)
    at = min((i for i in (folded.find(w) for w in words if w) if i >= 0), default=0)
    start, end = max(0, at - width), min(len(flat), at + width)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def documents_of(refs: pa.Array, texts: pa.Array) -> Iterator[tuple[int, str, str]]:
    """(ref, display, body) of the texts worth indexing: whitespace runs made one space,
    empty texts dropped."""
    texts = pc.utf8_trim_whitespace(pc.replace_substring_regex(texts, r"\s+", " "))
    keep = pc.and_(pc.is_valid(texts), pc.not_equal(texts, ""))
    refs, texts = pc.filter(refs, keep), pc.filter(texts, keep)
    if len(texts):
        bodies = searchable_column(texts)
        yield from zip(refs.to_pylist(), texts.to_pylist(), bodies.to_pylist(), strict=True)


def _group_han(terms: list[str]) -> list[str]:
    """Join consecutive single Han characters back into one phrase string ("阿 不 都")."""
    out: list[str] = []
    run: list[str] = []
    for t in terms:
        if len(t) == 1 and _HAN.match(t):
            run.append(t)
            continue
        if run:
            out.append(" ".join(run))
            run = []
        out.append(t)
    if run:
        out.append(" ".join(run))
    return out


SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "kind UNINDEXED, ref UNINDEXED, display UNINDEXED, body, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
POSTGRES_DDL = (
    "CREATE TABLE IF NOT EXISTS search_docs (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, "
    "ref INTEGER NOT NULL, display TEXT NOT NULL, body TEXT NOT NULL, "
    "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)",
    "CREATE INDEX IF NOT EXISTS ix_search_docs_tsv ON search_docs USING GIN (tsv)",
)
