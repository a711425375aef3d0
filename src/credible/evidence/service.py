"""Adding evidence files: preserved in the vault, recorded with custody, text indexed.

Text is extracted from plain-text formats (the encoding detected as for imports); other
formats are preserved and hashed but not yet read. The text is an interview's words:
it is sealed at rest and indexed blind (``store.search``), never written in clear.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from sqlalchemy import select

from credible.errors import InputError, NotFoundError, Problem
from credible.store import Store, file_sha256, now, record_custody, schema

TEXT_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".html", ".htm", ".xml"}
MAX_TEXT_BYTES = 20 << 20  # larger text files are preserved but not indexed


@dataclass(frozen=True)
class EvidenceResult:
    id: int
    sha256: str
    size: int
    already_held: bool
    text_chars: int  # characters of text indexed by this call (0 when already held)


def extract_text(path: Path) -> str | None:
    if path.suffix.lower() not in TEXT_SUFFIXES or path.stat().st_size > MAX_TEXT_BYTES:
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        return str(best) if best is not None else None


def add_evidence(
    store: Store, path: Path, *, source: str, actor: str, note: str | None = None
) -> EvidenceResult:
    """Preserve a file as evidence of ``source`` (which must exist); a file already held is
    not added twice, but the new acquisition is recorded in its custody log."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "a readable file")], "cannot add evidence")
    sha256, size = file_sha256(path)
    e, s = schema.evidence, schema.sources
    text = None
    with store.write(actor) as uow:
        source_id = uow.conn.execute(select(s.c.id).where(s.c.name == source)).scalar()
        if source_id is None:
            raise NotFoundError(
                f"no source named {source!r}: add it with `credible source add` "
                "(or import a file under that name)"
            )
        held = uow.conn.execute(select(e.c.id).where(e.c.sha256 == sha256)).scalar()
        if held is None:
            text = extract_text(path)
            if store.vault.put(path, sha256):
                uow.on_rollback(lambda: store.vault.discard(sha256))
            evidence_id = uow.insert(
                e,
                sha256=sha256,
                size=size,
                media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                original_name=path.name,
                source_id=source_id,
                acquired_at=now(),
                acquired_by=actor,
                extracted_text=store.cipher.encrypt(text),
                metadata=json.dumps({"note": note} if note else {}),
            )
            if text:
                uow.index_sealed_for_search("evidence", evidence_id, text)
        else:
            evidence_id = int(held)
        record_custody(
            uow,
            evidence_id,
            "acquired" if held is None else "acquired_again",
            reason=note,
            details={"original_name": path.name},
        )
    return EvidenceResult(evidence_id, sha256, size, held is not None, len(text or ""))


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
