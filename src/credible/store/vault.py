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

    def put(self, src: Path, sha256: str) -> bool:
        """Keep an encrypted copy of ``src`` (whose hash the caller computed) if not kept
        yet; True if this call wrote it (and so may remove it again, see ``discard``)."""
        dest = self.path_for(sha256)
        if dest.exists():
            return False
        with src.open("rb") as fin:
            self.write_chunks(iter(lambda: fin.read(CHUNK), b""), dest)
        return True

    def put_hashing(self, src: Path) -> tuple[str, int, bool]:
        """Keep an encrypted copy of ``src`` while hashing it, in one read of the file:
        (sha256, size, whether this call wrote the copy). A file already kept is not
        kept twice; its new copy is dropped."""
        h = hashlib.sha256()
        size = 0

        def chunks() -> Iterator[bytes]:
            nonlocal size
            with src.open("rb") as fin:
                while chunk := fin.read(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
                    yield chunk

        # "in" has two letters, so a copy left by a killed process is one of files()'s
        # orphans, which `credible evidence verify` names.
        incoming = self.root / "in" / f"{os.getpid()}-{os.urandom(6).hex()}"
        self.write_chunks(chunks(), incoming)
        sha256 = h.hexdigest()
        dest = self.path_for(sha256)
        if dest.exists():
            incoming.unlink()
            return sha256, size, False
        dest.parent.mkdir(parents=True, exist_ok=True)
        incoming.replace(dest)
        return sha256, size, True

    def write_chunks(self, chunks: Iterator[bytes], dest: Path) -> None:
        """Encrypt the bytes ``chunks`` yield into ``dest`` (written whole or not at all)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        with tmp.open("wb") as fout:
            fout.write(MAGIC)
            index = 0
            buffer = b""

            def seal(data: bytes | memoryview, last: bool) -> None:
                nonce = os.urandom(12)
                sealed = self._aead.encrypt(nonce, data, struct.pack(">Q?", index, last))
                # header and body written apart: joining them would copy each MiB again
                fout.write(struct.pack(">I", len(sealed)) + nonce)
                fout.write(sealed)

            for piece in chunks:
                buffer = buffer + piece if buffer else piece
                view, start = memoryview(buffer), 0
                while len(buffer) - start >= CHUNK:
                    seal(view[start : start + CHUNK], False)
                    start += CHUNK
                    index += 1
                buffer = bytes(view[start:]) if start else buffer
                view.release()
            seal(buffer, True)  # shorter than a chunk, maybe empty: marks the end
        os.chmod(tmp, 0o400)
        tmp.replace(dest)

    def discard(self, sha256: str) -> None:
        """Remove a copy whose write was rolled back (the store never recorded it)."""
        self.path_for(sha256).unlink(missing_ok=True)

    def files(self) -> list[str]:
        """Names of every file in the vault (a sha256, or a leftover ``.tmp``)."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.glob("??/*") if p.is_file())

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
                    break
                if plain is None:
                    raise IntegrityError(f"vault file {path} was altered (chunk {index})")
                if last and fh.read(1):
                    raise IntegrityError(f"vault file {path} has bytes after its last chunk")
                yield plain
                if last:
                    return
                index += 1

    def verify(self, sha256: str) -> bool:
        return self.problem(sha256) is None

    def problem(self, sha256: str) -> str | None:
        """What is wrong with the kept copy of ``sha256``, or None if it is intact."""
        h = hashlib.sha256()
        try:
            for chunk in self.read(sha256):
                h.update(chunk)
        except NotFoundError:
            return "missing from the vault"
        except IntegrityError as exc:
            return str(exc).removeprefix(f"vault file {self.path_for(sha256)} ")
        if h.hexdigest() != sha256:
            return "its content no longer has this SHA-256"
        return None
