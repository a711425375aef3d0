"""A verification bundle: evidence files with everything needed to check them offline.

Layout (every name below is fixed; docs/evidence.md shows how to check each part with
OpenSSL and coreutils alone)::

    manifest.json              what the bundle holds, item by item
    SHA256SUMS                 every other file's SHA-256, as ``sha256sum -c`` reads it
    SHA256SUMS.sig             Ed25519 signature (64 raw bytes) of SHA256SUMS
    key.pem                    the organisation's public key that signs SHA256SUMS, PEM
    keys/<fingerprint>.pem     every public key the custody events name (the same key,
                               unless the store's key was rotated since an event)
    items/<id>/sha256          the file's SHA-256 (hex): what its chain and tokens are for
    items/<id>/file            the evidence file (absent with --hash-only)
    items/<id>/custody.jsonl   its custody chain, one event per line
    items/<id>/custody/NNNN.msg  the bytes event NNNN's signature covers
    items/<id>/custody/NNNN.sig  the signature (64 raw bytes)
    items/<id>/timestamps/N.tsr  an RFC 3161 response, as the TSA sent it
    items/<id>/timestamps/N-roots.pem  the TSA roots it was checked against
    items/<id>/audit.jsonl     the audit entries that concern the item

Making a bundle that carries files is itself a custody event ("exported"), recorded in
the same transaction and shown in the bundle's own chain.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, or_, select

from credible.errors import ConfigError, IntegrityError, NotFoundError
from credible.store import (
    Store,
    UnitOfWork,
    custody_chain,
    file_sha256,
    now,
    public_key_pem,
    record_custody,
    schema,
    signing_keys,
)

FORMAT = "credible evidence bundle 1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SUMS_SIG = "SHA256SUMS.sig"
KEY = "key.pem"


@dataclass(frozen=True)
class BundleResult:
    out: Path
    items: int
    events: int
    tokens: int
    files: int  # evidence files written (0 with --hash-only)
    key_fingerprint: str


def event_name(seq: int) -> str:
    return f"{seq:04d}"


def write_bundle(
    store: Store,
    evidence_ids: Iterable[int],
    out: Path,
    *,
    actor: str,
    hash_only: bool = False,
    reason: str | None = None,
) -> BundleResult:
    """Write a bundle of ``evidence_ids`` to the new folder ``out``: whole or not at all."""
    ids = list(dict.fromkeys(evidence_ids))
    if not ids:
        raise ConfigError("give at least one evidence id")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"--out {out}: expected a new or empty folder; nothing was written")
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: the folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.part-{uuid.uuid4().hex[:8]}")
    try:
        with store.write(actor) as uow:
            result = _write(uow, ids, tmp, hash_only, reason, out)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BundleResult(out, *result)


def _write(
    uow: UnitOfWork,
    ids: list[int],
    tmp: Path,
    hash_only: bool,
    reason: str | None,
    out: Path,
) -> tuple[int, int, int, int, str]:
    conn, store = uow.conn, uow.store
    e = schema.evidence
    rows = {r.id: r for r in conn.execute(select(e).where(e.c.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFoundError(f"no evidence with id {', '.join(missing)}")
    if not hash_only:
        for i in ids:
            record_custody(
                uow, i, "exported", reason=reason, details={"bundle": out.name, "file": True}
            )
    tmp.mkdir()
    keys = signing_keys(conn)
    bundle_key = store.keys.fingerprint
    used = {bundle_key}
    items, n_events, n_tokens = [], 0, 0
    for i in ids:
        item, events, tokens, fps = _write_item(uow, rows[i], tmp, hash_only)
        items.append(item)
        n_events += events
        n_tokens += tokens
        used |= fps
    key_files = {}
    for fp in sorted(used):
        if fp not in keys:
            raise IntegrityError(f"a custody event names a key ({fp[:16]}...) the store never had")
        name = f"keys/{fp[:16]}.pem"
        _put(tmp / name, public_key_pem(keys[fp]))
        key_files[fp] = name
    manifest = {
        "format": FORMAT,
        "created_at": now(),
        "created_by": uow.actor,
        "hash_only": hash_only,
        "key": {"fingerprint": bundle_key, "file": KEY},
        "keys": key_files,
        "items": items,
    }
    _put(tmp / KEY, public_key_pem(keys[bundle_key]))
    _put(tmp / MANIFEST, _json(manifest, indent=2).encode("utf-8") + b"\n")
    sums = _sums(tmp)
    _put(tmp / SUMS, sums)
    _put(tmp / SUMS_SIG, store.keys.sign(sums))
    files = 0 if hash_only else len(ids)
    return len(ids), n_events, n_tokens, files, bundle_key


def _write_item(
    uow: UnitOfWork, row: Any, tmp: Path, hash_only: bool
) -> tuple[dict[str, Any], int, int, set[str]]:
    base = f"items/{row.id}"
    folder = tmp / base
    folder.mkdir(parents=True)
    _put(folder / "sha256", f"{row.sha256}\n".encode("ascii"))
    file_name = None
    if not hash_only:
        file_name = f"{base}/file"
        copy_out(uow.store, row.sha256, tmp / file_name)
    sha, events = custody_chain(uow.conn, row.id)
    lines = []
    for ev in events:
        _put(folder / "custody" / f"{event_name(ev.seq)}.msg", ev.message(sha))
        _put(folder / "custody" / f"{event_name(ev.seq)}.sig", bytes.fromhex(ev.signature))
        lines.append(_json(ev.as_dict()))
    _put(folder / "custody.jsonl", "".join(x + "\n" for x in lines).encode("utf-8"))
    tokens = _write_tokens(uow.conn, row.id, folder, base)
    audit_lines = [_json(entry) for entry in _audit_entries(uow.conn, row)]
    _put(folder / "audit.jsonl", "".join(x + "\n" for x in audit_lines).encode("utf-8"))
    item = {
        "id": row.id,
        "sha256": row.sha256,
        "size": row.size,
        "media_type": row.media_type,
        "original_name": row.original_name,
        "acquired_at": row.acquired_at,
        "acquired_by": row.acquired_by,
        "file": file_name,
        "custody": {
            "file": f"{base}/custody.jsonl",
            "events": len(events),
            "head": events[-1].hash if events else None,
        },
        "timestamps": tokens,
        "audit": f"{base}/audit.jsonl",
    }
    return item, len(events), len(tokens), {ev.key_fingerprint for ev in events}


def copy_out(store: Store, sha256: str, dest: Path) -> None:
    """The file out of the vault, checked against its SHA-256 as it is written."""
    h = hashlib.sha256()
    with dest.open("wb") as fh:
        for chunk in store.vault.read(sha256):
            h.update(chunk)
            fh.write(chunk)
    if h.hexdigest() != sha256:
        raise IntegrityError(
            f"the vault's copy of {sha256} no longer has this SHA-256; nothing was written"
        )


def _write_tokens(conn: Connection, evidence_id: int, folder: Path, base: str) -> list[Any]:
    t = schema.timestamps
    rows = conn.execute(
        select(t).where(t.c.evidence_id == evidence_id, t.c.state == "granted").order_by(t.c.id)
    )
    out = []
    for n, r in enumerate(rows, 1):
        token, roots = f"timestamps/{n}.tsr", f"timestamps/{n}-roots.pem"
        _put(folder / token, bytes(r.token))
        _put(folder / roots, (r.roots or "").encode("ascii", "replace"))
        out.append(
            {
                "token": f"{base}/{token}",
                "roots": f"{base}/{roots}",
                "tsa_url": r.tsa_url,
                "tsa_name": r.tsa_name,
                "gen_time": r.gen_time,
            }
        )
    return out


def _audit_entries(conn: Connection, row: Any) -> list[dict[str, Any]]:
    """The audit entries about the item: its own row, its custody rows, its tokens, and
    the imports that read it (whose entries name its SHA-256)."""
    a, c, t, imp = schema.audit, schema.custody_events, schema.timestamps, schema.imports
    custody_ids = select(c.c.id).where(c.c.evidence_id == row.id)
    token_ids = select(t.c.id).where(t.c.evidence_id == row.id)
    import_ids = select(imp.c.id).where(imp.c.evidence_id == row.id)
    stmt = (
        select(a)
        .where(
            or_(
                (a.c.entity == "evidence") & (a.c.entity_id == row.id),
                (a.c.entity == "custody_events") & a.c.entity_id.in_(custody_ids),
                (a.c.entity == "timestamps") & a.c.entity_id.in_(token_ids),
                (a.c.entity == "imports") & a.c.entity_id.in_(import_ids),
                a.c.detail.contains(row.sha256, autoescape=True),
            )
        )
        .order_by(a.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _json(obj: Any, indent: int | None = None) -> str:
    return json.dumps(
        obj,
        ensure_ascii=False,
        sort_keys=True,
        indent=indent,
        separators=None if indent else (",", ":"),
    )


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _sums(root: Path) -> bytes:
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in (SUMS, SUMS_SIG):
            continue
        lines.append(f"{_sha256(path)}  {rel}\n")
    return "".join(lines).encode("utf-8")


def _sha256(path: Path) -> str:
    return file_sha256(path)[0]
