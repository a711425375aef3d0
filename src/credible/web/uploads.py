"""Uploads: streamed to a private temporary file, size-limited, then handed to the same
importer as `credible import` (one transaction, evidence kept in the vault)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import Request, UploadFile
from starlette.concurrency import run_in_threadpool

from credible.errors import InputError, Problem
from credible.ingest import ImportResult, import_file
from credible.web.auth import store_of

CHUNK = 1024 * 1024
_SAFE = re.compile(r"[^\w.\- ]", re.UNICODE)


def safe_name(name: str | None) -> str:
    """The uploaded file's own name, kept as evidence, without any path."""
    base = Path((name or "upload").replace("\\", "/")).name
    base = _SAFE.sub("_", base).strip(" .") or "upload"
    return base[:200]


async def import_upload(
    request: Request, actor: str, file: UploadFile, source: str, kind: str | None
) -> ImportResult:
    limit = request.app.state.web.max_upload_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="credible-upload-") as tmp:
        path = Path(tmp) / safe_name(file.filename)
        size = 0
        with path.open("wb") as out:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputError(
                        [Problem(path.name, None, None, f"a file of at most {limit // CHUNK} MB")],
                        summary="the file is too large; nothing was written",
                    )
                out.write(chunk)
        store = store_of(request)
        return await run_in_threadpool(
            import_file, store, path, source=source, actor=actor, kind=kind or None
        )
