"""Text versions: each reading of an evidence file is kept, the newest is searched.

Reading is a step that can be repeated (``extract_evidence``): a better OCR, or another
``--ocr-lang``, adds a version with its method, tool versions, time and actor, and the
older versions stay. ``evidence.extracted_text`` holds a sealed copy of the newest,
which is what the blind search index holds (so ``audit verify`` checks it as before).

The slow part (OCR) runs outside any write transaction; each file's result is then
written in a short one of its own, so a batch stopped half-way keeps what it finished.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from credible.errors import InputError, NotFoundError, Problem
from credible.evidence.extract import DEFAULT_OCR_LANG, Extraction, check_languages, read_file
from credible.evidence.words import index_words
from credible.store import Store, UnitOfWork, now, record_custody, schema

E, T = schema.evidence, schema.evidence_texts


@dataclass(frozen=True)
class TextVersion:
    evidence_id: int
    version: int
    method: str
    tools: dict[str, str]
    ocr_lang: str | None
    chars: int
    problem: str | None
    at: str
    actor: str


@dataclass(frozen=True)
class ExtractResult:
    evidence_id: int
    original_name: str
    version: int | None  # None when no reader fits the file (nothing recorded)
    method: str
    chars: int
    ocr_pages: int
    problem: str | None


def merged_metadata(stored: str | None, found: dict[str, Any]) -> str:
    """The evidence's metadata with what reading the file found: the acquisition note
    and other keys set by people stay; each reader's block is replaced by its newest."""
    try:
        have = json.loads(stored) if stored else {}
    except json.JSONDecodeError:
        have = {"as_stored": stored}
    if not isinstance(have, dict):
        have = {"as_stored": have}
    have.update(found)
    return json.dumps(have, ensure_ascii=False, sort_keys=True)


def evidence_values(
    store: Store, extraction: Extraction, metadata: str | None, phash: str | None
) -> dict[str, Any]:
    """The evidence row's columns that reading the file sets (text sealed)."""
    text = extraction.text if extraction.has_text else None
    values: dict[str, Any] = {"extracted_text": store.cipher.encrypt(text)}
    merged = merged_metadata(metadata, extraction.metadata)
    if merged != metadata:
        values["metadata"] = merged
    if extraction.phash is not None and extraction.phash != phash:
        values["phash"] = extraction.phash
    return values


def record_extraction(
    uow: UnitOfWork,
    evidence_id: int,
    extraction: Extraction,
    actor: str,
    *,
    row_is_current: bool = False,
) -> int | None:
    """Write a new text version of ``evidence_id`` in ``uow``, make it the searched one,
    and record the metadata and perceptual hash found (unless ``row_is_current``: the
    row was just inserted with ``evidence_values``). Returns the version number, or None
    when no reader fitted (nothing to record)."""
    if extraction.method == "none" and not extraction.metadata and extraction.phash is None:
        return None
    conn, store = uow.conn, uow.store
    last = conn.execute(
        select(func.coalesce(func.max(T.c.version), 0)).where(T.c.evidence_id == evidence_id)
    ).scalar_one()
    version = int(last) + 1
    text = extraction.text if extraction.has_text else None
    uow.insert(
        T,
        evidence_id=evidence_id,
        version=version,
        method=extraction.method,
        tools=json.dumps(extraction.tools, sort_keys=True),
        ocr_lang=extraction.ocr_lang,
        chars=len(text or ""),
        problem=extraction.problem,
        at=now(),
        actor=actor,
        text=store.cipher.encrypt(text),
    )
    if not row_is_current:
        row = conn.execute(select(E.c.metadata, E.c.phash).where(E.c.id == evidence_id)).one()
        uow.update(E, evidence_id, **evidence_values(store, extraction, row.metadata, row.phash))
    store.search.remove(conn, "evidence", evidence_id)
    if text:
        uow.index_sealed_for_search("evidence", evidence_id, text)
    index_words(uow, evidence_id, text)
    return version


def text_versions(conn: Connection, evidence_id: int) -> list[TextVersion]:
    rows = conn.execute(
        select(T).where(T.c.evidence_id == evidence_id).order_by(T.c.version)
    ).mappings()
    return [
        TextVersion(
            evidence_id,
            int(r["version"]),
            r["method"],
            json.loads(r["tools"] or "{}"),
            r["ocr_lang"],
            int(r["chars"]),
            r["problem"],
            r["at"],
            r["actor"],
        )
        for r in rows
    ]


def version_text(store: Store, evidence_id: int, version: int) -> str | None:
    """The text of one version, decrypted (the caller records the reveal)."""
    with store.read() as conn:
        sealed = conn.execute(
            select(T.c.text).where(T.c.evidence_id == evidence_id, T.c.version == version)
        ).first()
    if sealed is None:
        raise NotFoundError(f"evidence {evidence_id} has no text version {version}")
    return store.cipher.decrypt(sealed[0])


def _targets(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str, str]]:
    stmt = select(E.c.id, E.c.sha256, E.c.original_name).order_by(E.c.id)
    if ids:
        stmt = stmt.where(E.c.id.in_(list(ids)))
    rows = [(int(i), str(h), str(n or "")) for i, h, n in conn.execute(stmt)]
    missing = sorted(set(ids) - {r[0] for r in rows})
    if missing:
        raise InputError(
            [Problem("ID", None, None, f"an evidence id (no evidence {m})") for m in missing],
            f"no evidence with id {', '.join(map(str, missing))}",
        )
    return rows


def _copy_out(store: Store, sha256: str, name: str, folder: Path) -> Path:
    """The original bytes in a private temporary file named like the original (readers
    look at the suffix), for the readers that need a path."""
    suffix = Path(name).suffix
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""
    dest = folder / f"evidence{suffix}"
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in store.vault.read(sha256):
            out.write(chunk)
    return dest


def extract_evidence(
    store: Store,
    ids: Sequence[int] = (),
    *,
    actor: str,
    ocr_lang: str = DEFAULT_OCR_LANG,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[ExtractResult], None] | None = None,
) -> list[ExtractResult]:
    """Read again the text of the evidence ``ids`` (every item when empty), from the
    vault; each reading becomes a new text version. Reading a sealed file is itself a
    custody event, recorded with the version it produced."""
    check_languages(ocr_lang)
    with store.read() as conn:
        targets = _targets(conn, ids)
    if on_start:
        on_start(len(targets))
    results = []
    for evidence_id, sha256, name in targets:
        with tempfile.TemporaryDirectory(prefix="credible-extract-") as tmp:
            extraction = read_file(_copy_out(store, sha256, name, Path(tmp)), ocr_lang)
        with store.write(actor) as uow:
            version = record_extraction(uow, evidence_id, extraction, actor)
            record_custody(
                uow,
                evidence_id,
                "accessed",
                reason="text extraction",
                details={"text_version": version},
            )
        text = extraction.text if extraction.has_text else ""
        result = ExtractResult(
            evidence_id,
            name,
            version,
            extraction.method,
            len(text or ""),
            extraction.ocr_pages,
            extraction.problem,
        )
        results.append(result)
        if on_done:
            on_done(result)
    return results
