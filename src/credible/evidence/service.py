"""Adding evidence files: preserved in the vault, recorded with custody, text indexed.

Text is extracted from plain-text formats (the encoding detected as for imports); other
formats are preserved and hashed but not yet read.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from sqlalchemy import select

from credible.errors import InputError, NotFoundError, Problem
from credible.evidence.vault import Vault, file_sha256
from credible.store import Store, schema
from credible.store.audit import now

TEXT_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".html", ".htm", ".xml"}
MAX_TEXT_BYTES = 20 << 20  # larger text files are preserved but not indexed


@dataclass(frozen=True)
class EvidenceResult:
    id: int
    sha256: str
    size: int
    already_held: bool
    text_chars: int


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
    store: Store, vault: Vault, path: Path, *, source: str, actor: str, note: str | None = None
) -> EvidenceResult:
    """Preserve a file as evidence of ``source`` (which must exist); a file already held is
    not added twice, but the new acquisition is recorded in its custody log."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "a readable file")], "cannot add evidence")
    sha256, size = file_sha256(path)
    text = extract_text(path)
    e, s = schema.evidence, schema.sources
    with store.write(actor) as uow:
        source_id = uow.conn.execute(select(s.c.id).where(s.c.name == source)).scalar()
        if source_id is None:
            raise NotFoundError(f"no source named {source!r}; sources come from `credible import`")
        held = uow.conn.execute(select(e.c.id).where(e.c.sha256 == sha256)).scalar()
        if held is None:
            vault.put(path, sha256)
            evidence_id = uow.insert(
                e,
                sha256=sha256,
                size=size,
                media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                original_name=path.name,
                source_id=source_id,
                acquired_at=now(),
                acquired_by=actor,
                extracted_text=text,
                metadata=json.dumps({"note": note} if note else {}),
            )
            if text:
                uow.index_for_search("evidence", [(evidence_id, text)])
        else:
            evidence_id = int(held)
        uow.insert(
            schema.custody_events,
            evidence_id=evidence_id,
            at=now(),
            actor=actor,
            action="acquired" if held is None else "acquired_again",
            details=json.dumps({"original_name": path.name, "note": note}),
        )
    return EvidenceResult(evidence_id, sha256, size, held is not None, len(text or ""))
