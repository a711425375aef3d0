"""Full-text search over person names, facility names and evidence text.

SQLite uses FTS5 (``unicode61``, diacritics folded); PostgreSQL a ``tsvector`` with the
``simple`` configuration and a GIN index. Both tokenise Arabic-script and Cyrillic
words natively, but neither segments Chinese, which has no spaces between words: we
put a space between Han characters on both sides (index and query) and search for
phrases, so that 古丽 finds 阿依古丽 and 阿不都 finds 阿不都热依木.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, text

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


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: int
    text: str


class SearchIndex:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def add(self, conn: Connection, kind: str, docs: Iterable[tuple[int, str]]) -> None:
        """Index (ref, text) pairs."""
        pairs = [(ref, body) for ref, body in docs if body]
        if pairs:
            refs, bodies = zip(*pairs, strict=True)
            self.add_column(conn, kind, pa.array(refs, pa.int64()), pa.array(bodies, pa.string()))

    def add_column(self, conn: Connection, kind: str, refs: pa.Array, texts: pa.Array) -> None:
        """Index many texts at once; empty or null texts are skipped."""
        texts = pc.utf8_trim_whitespace(pc.replace_substring_regex(texts, r"\s+", " "))
        keep = pc.and_(pc.is_valid(texts), pc.not_equal(texts, ""))
        refs, texts = pc.filter(refs, keep), pc.filter(texts, keep)
        if not len(texts):
            return
        bodies = searchable_column(texts)
        rows = list(
            zip(
                [kind] * len(texts),
                refs.to_pylist(),
                texts.to_pylist(),
                bodies.to_pylist(),
                strict=True,
            )
        )
        table = "search_docs" if self.dialect == "postgresql" else "search_fts"
        mark = "%s" if self.dialect == "postgresql" else "?"
        conn.exec_driver_sql(
            f"INSERT INTO {table} (kind, ref, display, body) VALUES ({', '.join([mark] * 4)})",
            rows,
        )

    def query(self, conn: Connection, query: str, limit: int = 50) -> list[Hit]:
        terms = _phrase_terms(query)
        if not terms:
            return []
        if self.dialect == "postgresql":
            stmt = text(
                "SELECT kind, ref, display FROM search_docs "
                "WHERE tsv @@ phraseto_tsquery('simple', :q) ORDER BY kind, ref LIMIT :n"
            )
            rows = conn.execute(stmt, {"q": " ".join(terms), "n": limit})
        else:
            # Each word a quoted phrase (Han runs as adjacent-token phrases), all required.
            fts = " ".join('"' + t.replace('"', '""') + '"' for t in _group_han(terms))
            stmt = text(
                "SELECT kind, ref, display FROM search_fts WHERE search_fts MATCH :q "
                "ORDER BY rank LIMIT :n"
            )
            rows = conn.execute(stmt, {"q": fts, "n": limit})
        return [Hit(k, int(r), d) for k, r, d in rows]


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
