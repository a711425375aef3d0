"""Evidence text found across scripts, as names are: Турсун, تۇرسۇن and Tursun meet.

Each word of an evidence text (Arabic script, Cyrillic, Latin) gets the name keys of
``credible.names`` (the keys that make 古丽, گۈلى, Гули and Guli one name); the keys are
written to the search index as documents of kind ``evidence_word``, each key as a keyed
token (``Keyring.index_token``), so the index stays blind: it holds no word and no key
in clear. A query's words are keyed the same way; a file is found when, for every word
of the query, one of its keys is among the file's.

Chinese prose has no word boundaries. A name in it is written with the characters of
the transcription standard (``names.transcription_runs``): each maximal run of those
characters is keyed as a name, and so is the run with one character trimmed at either
end (a neighbouring word such as 和 "and" may use a transcription character too). So
Tursun finds 吐尔逊 inside 他说吐尔逊被带走了, and a query in Chinese characters is keyed
the same way, so 阿依古丽 finds Aygul, Айгүл and ئايگۈل. The runs overreach into
ordinary words that happen to use those characters; their keys only make a text found
for a query with the same keys, a cost in precision that the word search accepts.

The documents are derived data the store cannot write itself (it imports no
capability): ``refresh_word_index`` writes those that are missing, as
``credible.search`` does for name keys, and runs before each search.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text

from credible import names
from credible.store import Store, UnitOfWork, schema

KIND = "evidence_word"
#: Consonant skeletons (``~GL``) shorter than this match too many unrelated words.
MIN_SKELETON = 3
#: Distinct words keyed per text: a book-length text keeps its first this many.
MAX_WORDS = 20_000
#: A transcribed name has two characters or more (古丽 Gül).
MIN_HAN_RUN = 2
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _keys_of_words(words: list[str]) -> set[str]:
    out: set[str] = set()
    for keys in names.name_keys_many(words):
        for key in keys:
            if key.startswith("~") and len(key) - 1 < MIN_SKELETON:
                continue
            out.add(key)
    return out


def _han_words(word: str) -> list[str]:
    out = []
    for run in names.transcription_runs(word):
        out.append(run)
        if len(run) > MIN_HAN_RUN:
            out += [run[1:], run[:-1]]
        if len(run) > MIN_HAN_RUN + 1:
            out.append(run[1:-1])
    return out


def text_words(value: str) -> list[str]:
    """The distinct words of a text that get keys, in order; in Chinese characters, the
    runs that could be a transcribed name."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(value):
        for w in _han_words(word) if _HAN.search(word) else [word.casefold()]:
            seen.setdefault(w, None)
        if len(seen) >= MAX_WORDS:
            break
    return list(seen)


def word_body(store: Store, value: str) -> str:
    tokens = {store.search.keys.index_token("w" + k) for k in _keys_of_words(text_words(value))}
    return " ".join(sorted(tokens))


def index_words(uow: UnitOfWork, evidence_id: int, value: str | None) -> None:
    """Replace the word-key document of ``evidence_id`` with that of ``value``."""
    uow.store.search.remove(uow.conn, KIND, evidence_id)
    body = word_body(uow.store, value) if value else ""
    if body:
        uow.store.search.insert_documents(uow.conn, [(KIND, evidence_id, "", body)])


def refresh_word_index(store: Store, actor: str = "search") -> int:
    """Write the word-key document of every evidence text that has none (after
    ``audit reindex``, or texts read before this index existed); returns how many."""
    e = schema.evidence
    with store.read() as conn:
        have = store.search.refs(conn, KIND)
        ids = [
            int(i)
            for (i,) in conn.execute(select(e.c.id).where(e.c.extracted_text.is_not(None)))
            if int(i) not in have
        ]
    if not ids:
        return 0
    with store.write(actor) as uow:
        for evidence_id in ids:
            sealed = uow.conn.execute(
                select(e.c.extracted_text).where(e.c.id == evidence_id)
            ).scalar()
            index_words(uow, evidence_id, store.cipher.decrypt(sealed) if sealed else None)
    return len(ids)


def _query_tokens(store: Store, query: str) -> list[list[str]]:
    """Per word of the query, the keyed tokens of its keys (a word without keys dropped)."""
    out = []
    for word in _WORD.findall(query):
        keys = _keys_of_words([word])
        if keys:
            out.append(sorted(store.search.keys.index_token("w" + k) for k in keys))
    return out


def find_evidence_words(store: Store, query: str, limit: int = 50) -> list[int]:
    """Evidence ids whose text holds, for every word of ``query``, a word with one of
    its name keys, in any script."""
    per_word = _query_tokens(store, query)
    if not per_word:
        return []
    refresh_word_index(store)
    found: set[int] | None = None
    with store.read() as conn:
        for tokens in per_word:
            sql, params = store.search.refs_matching_sql(tokens)
            rows = conn.execute(text(f"{sql} AND kind = :kind"), {**params, "kind": KIND})
            refs = {int(r) for (r,) in rows}
            found = refs if found is None else found & refs
            if not found:
                return []
    return sorted(found or ())[:limit]


def cross_script_hits(
    store: Store, query: str, limit: int = 50, skip: frozenset[int] = frozenset()
) -> list[tuple[int, str]]:
    """(evidence id, file name) of the files ``find_evidence_words`` finds, less ``skip``
    (those the ordinary search found already)."""
    ids = [i for i in find_evidence_words(store, query, limit + len(skip)) if i not in skip]
    if not ids:
        return []
    e = schema.evidence
    with store.read() as conn:
        rows = dict(conn.execute(select(e.c.id, e.c.original_name).where(e.c.id.in_(ids))).all())
    return [(i, str(rows.get(i) or "")) for i in ids[:limit]]
