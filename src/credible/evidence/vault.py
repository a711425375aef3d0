"""A content-addressed vault for evidence files, encrypted at rest.

A file is identified by the SHA-256 of its original bytes and kept once, at
``<root>/<first two hex>/<sha256>``, encrypted in 1 MiB chunks with AES-256-GCM (each
chunk authenticated, its index bound in as associated data so chunks cannot be
reordered or dropped). The key is derived with HKDF from the store's key file.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from credible.errors import IntegrityError, NotFoundError

CHUNK = 1 << 20
MAGIC = b"CRDV1"


def file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class Vault:
    def __init__(self, root: Path, key_material: bytes) -> None:
        self.root = root
        self._aead = AESGCM(
            HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"credible-vault").derive(
                key_material
            )
        )

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, src: Path, sha256: str) -> Path:
        """Keep an encrypted copy of ``src`` (whose hash the caller computed) if not kept yet."""
        dest = self.path_for(sha256)
        if dest.exists():
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".tmp")
        with src.open("rb") as fin, tmp.open("wb") as fout:
            fout.write(MAGIC)
            index = 0
            while True:
                chunk = fin.read(CHUNK)
                last = len(chunk) < CHUNK
                nonce = os.urandom(12)
                aad = struct.pack(">Q?", index, last)
                sealed = self._aead.encrypt(nonce, chunk, aad)
                fout.write(struct.pack(">I", len(sealed)) + nonce + sealed)
                index += 1
                if last:
                    break
        os.chmod(tmp, 0o400)
        tmp.replace(dest)
        return dest

    def read(self, sha256: str) -> Iterator[bytes]:
        """The original bytes, chunk by chunk; raises IntegrityError if tampered with."""
        path = self.path_for(sha256)
        if not path.exists():
            raise NotFoundError(f"evidence {sha256} is not in the vault at {self.root}")
        with path.open("rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise IntegrityError(f"vault file {path} is not a credible vault file")
            index = 0
            while True:
                head = fh.read(4)
                if len(head) < 4:
                    raise IntegrityError(f"vault file {path} is truncated")
                (length,) = struct.unpack(">I", head)
                nonce = fh.read(12)
                sealed = fh.read(length)
                plain = None
                for last in (False, True):
                    try:
                        plain = self._aead.decrypt(nonce, sealed, struct.pack(">Q?", index, last))
                    except InvalidTag:
                        continue
                    yield plain
                    break
                if plain is None:
                    raise IntegrityError(f"vault file {path} was altered (chunk {index})")
                if last:
                    return
                index += 1

    def verify(self, sha256: str) -> bool:
        h = hashlib.sha256()
        for chunk in self.read(sha256):
            h.update(chunk)
        return h.hexdigest() == sha256
