"""Adding evidence files: preserved in the vault, recorded with custody, text indexed.

Text and metadata are read by ``credible.evidence.extract`` (PDF, OCR of images and
scans, DOCX, HTML, e-mail, plain text) and kept as the file's first text version
(``texts``). The text is an interview's words: it is sealed at rest and indexed blind
(``store.search``), never written in clear.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from credible.errors import InputError, NotFoundError, Problem
from credible.evidence.extract import DEFAULT_OCR_LANG, Extraction, check_languages, read_file
from credible.evidence.texts import evidence_values, record_extraction
from credible.store import Store, now, record_custody, schema


@dataclass(frozen=True)
class EvidenceResult:
    id: int
    sha256: str
    size: int
    already_held: bool
    text_chars: int  # characters of text indexed by this call (0 when already held)
    method: str = "none"  # how the text was read (see Extraction.method)
    problem: str | None = None  # what could not be read, and why


def extract_text(path: Path, ocr_lang: str = DEFAULT_OCR_LANG) -> str | None:
    """The text of a file, however it has to be read; None when none could be."""
    found = read_file(Path(path), ocr_lang)
    return found.text if found.has_text else None


def _no_source(source: str) -> NotFoundError:
    return NotFoundError(
        f"no source named {source!r}: add it with `credible source add` "
        "(or import a file under that name)"
    )


def add_evidence(
    store: Store,
    path: Path,
    *,
    source: str,
    actor: str,
    note: str | None = None,
    ocr_lang: str = DEFAULT_OCR_LANG,
) -> EvidenceResult:
    """Preserve a file as evidence of ``source`` (which must exist); a file already held is
    not added twice, but the new acquisition is recorded in its custody log."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "a readable file")], "cannot add evidence")
    check_languages(ocr_lang)
    e, s = schema.evidence, schema.sources
    with store.read() as conn:
        if conn.execute(select(s.c.id).where(s.c.name == source)).scalar() is None:
            raise _no_source(source)
    # One read of the file hashes it and keeps its encrypted copy (a 1 GB file is read
    # once, not twice); the copy goes again if anything below fails.
    sha256, size, wrote = store.vault.put_hashing(path)
    try:
        with store.read() as conn:
            known = conn.execute(select(e.c.id).where(e.c.sha256 == sha256)).scalar()
        # Read (OCR may take minutes) before the write lock is taken; a file already held
        # is not read again (`credible evidence extract` does that on request).
        found = read_file(path, ocr_lang) if known is None else Extraction(None, "none")
        with store.write(actor) as uow:
            source_id = uow.conn.execute(select(s.c.id).where(s.c.name == source)).scalar()
            if source_id is None:
                raise _no_source(source)
            held = uow.conn.execute(select(e.c.id).where(e.c.sha256 == sha256)).scalar()
            if held is None:
                evidence_id = uow.insert(
                    e,
                    sha256=sha256,
                    size=size,
                    media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                    original_name=path.name,
                    source_id=source_id,
                    acquired_at=now(),
                    acquired_by=actor,
                    **evidence_values(
                        store, found, json.dumps({"note": note} if note else {}), None
                    ),
                )
                record_extraction(uow, evidence_id, found, actor, row_is_current=True)
            else:
                evidence_id = int(held)
            record_custody(
                uow,
                evidence_id,
                "acquired" if held is None else "acquired_again",
                reason=note,
                details={"original_name": path.name},
            )
    except BaseException:
        if wrote:
            store.vault.discard(sha256)
        raise
    chars = len(found.text or "") if held is None and found.has_text else 0
    return EvidenceResult(
        evidence_id, sha256, size, held is not None, chars, found.method, found.problem
    )


@dataclass(frozen=True)
class VaultReport:
    checked: int
    bad: list[tuple[str, str]]  # (sha256, what is wrong)
    orphans: list[str]  # vault file names no evidence record accounts for


def verify_vault(store: Store) -> VaultReport:
    """Every recorded evidence file against its SHA-256, and the vault's stray files."""
    with store.read() as conn:
        hashes = [h for (h,) in conn.execute(select(schema.evidence.c.sha256))]
    bad = [(h, why) for h in hashes if (why := store.vault.problem(h)) is not None]
    known = set(hashes)
    orphans = [name for name in store.vault.files() if name not in known]
    return VaultReport(len(hashes), bad, orphans)
