"""The organisation's key: one secret in one file, from which every other key derives.

The key file holds a Fernet key (32 random bytes, URL-safe base64) and lives outside the
database. From it come:
- the field cipher that seals sensitive values (Fernet: AES-128-CBC + HMAC-SHA256);
- the vault key for evidence files (HKDF-SHA256 over the file's bytes, as before);
- an Ed25519 signing key that signs the audit chain's head at every write, each custody
  event (store/custody.py) and each bundle's list of files;
- an HMAC key for the keyed search index of sealed text.

A store records the fingerprint of the key it was made with (the SHA-256 of the Ed25519
public key). The key file is created only by ``credible init`` on a new store; every
other command refuses a missing key file, or one whose fingerprint is not the store's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from credible.errors import ConfigError
from credible.store.crypto import FieldCipher

SIGNATURE_CONTEXT = b"credible audit head v1\n"
#: What a signed custody event's bytes start with (store/custody.py).
CUSTODY_CONTEXT = b"credible custody event v1\n"
# A bundle's list of files, as ``sha256sum`` writes and checks it: nothing else matches.
_SUMS_LINE = re.compile(rb"[0-9a-f]{64}  [^\n]+")


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def public_key_fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def short(fingerprint: str) -> str:
    """The first 16 hex digits in groups of four, as people compare them by eye."""
    return ":".join(fingerprint[i : i + 4] for i in range(0, 16, 4))


def head_message(entry_id: int, entry_hash: str) -> bytes:
    return SIGNATURE_CONTEXT + f"{entry_id}\n{entry_hash}".encode("ascii")


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (64 raw bytes) signs ``message`` with ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_pem(public_key: bytes) -> bytes:
    """The raw Ed25519 public key as PEM (SubjectPublicKeyInfo), as OpenSSL reads it."""
    return Ed25519PublicKey.from_public_bytes(public_key).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_from_pem(pem: bytes) -> bytes:
    """The raw 32 bytes of an Ed25519 public key in PEM; ValueError for anything else."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_head(public_key: bytes, entry_id: int, entry_hash: str, signature: str) -> bool:
    """Whether ``signature`` (hex) signs audit entry ``entry_id`` ending in ``entry_hash``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(signature), head_message(entry_id, entry_hash)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Keyring:
    """Everything derived from one key file. ``path`` is where it was read from."""

    path: Path
    material: bytes = field(repr=False)

    @classmethod
    def generate(cls, path: Path) -> Keyring:
        """A new key in a new file (mode 0600). Never overwrites an existing file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        material = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise ConfigError(f"key file {path} already exists; it is never overwritten") from None
        except OSError as exc:
            raise ConfigError(f"cannot create the key file {path}: {exc.strerror}") from exc
        with os.fdopen(fd, "wb") as fh:
            fh.write(material)
            fh.flush()
            os.fsync(fh.fileno())
        return cls(path, material)

    @classmethod
    def load(cls, path: Path) -> Keyring:
        """Read an existing key file; ConfigError if it is missing or not a key."""
        if not path.exists():
            raise ConfigError(
                f"no key file at {path}. This store's sensitive fields, evidence files and "
                "signed audit chain need the key it was created with: restore the key file "
                "from your backup, or point CREDIBLE_KEY_FILE (or CREDIBLE_HOME) at it. "
                "A new key is made only by `credible init` on a new store."
            )
        if path.is_dir():
            raise ConfigError(f"the key file {path} is a directory, not a key file")
        try:
            material = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read the key file {path}: {exc.strerror}") from exc
        keyring = cls(path, material)
        try:
            keyring.secret  # noqa: B018 - validates the content
        except ValueError:
            raise ConfigError(
                f"{path} is not a credible key file (expected 44 characters of URL-safe base64)"
            ) from None
        return keyring

    @cached_property
    def secret(self) -> bytes:
        """The 32 random bytes the file encodes (ValueError if it encodes none)."""
        raw = base64.urlsafe_b64decode(self.material.strip())
        if len(raw) != 32:
            raise ValueError("a key is 32 bytes")
        return raw

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.material.strip())

    @property
    def vault_material(self) -> bytes:
        # The vault has always derived its key from the file's bytes as they are.
        return self.material

    @cached_property
    def _signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(_derive(self.secret, b"credible-audit-signing"))

    @cached_property
    def public_key(self) -> bytes:
        return self._signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        return public_key_fingerprint(self.public_key)

    def sign_head(self, entry_id: int, entry_hash: str) -> str:
        return self._signing_key.sign(head_message(entry_id, entry_hash)).hex()

    def sign(self, message: bytes) -> bytes:
        """Sign a custody event or a bundle's list of file hashes (the two other kinds of
        message the key signs). Anything else is refused, so that no signature made here
        can be passed off as an audit head's or as another kind's."""
        lines = message.rstrip(b"\n").split(b"\n")
        if not (
            message.startswith(CUSTODY_CONTEXT)
            or (message.endswith(b"\n") and all(_SUMS_LINE.fullmatch(x) for x in lines))
        ):
            raise ValueError("the organisation's key signs custody events and file lists only")
        return self._signing_key.sign(message)

    @cached_property
    def _index_key(self) -> bytes:
        return _derive(self.secret, b"credible-search-index")

    def index_token(self, word: str) -> str:
        """A keyed token for a word of sealed text: equal words give equal tokens, and
        without the key a token says nothing about its word. 80 bits: no collisions in
        any text a team holds, and short enough to keep the index small."""
        return hmac.new(self._index_key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
