"""Encryption at rest for sensitive fields (witness contact details and the like).

A Fernet key (AES-128-CBC + HMAC-SHA256, from ``cryptography``) lives in a key file
outside the database, created with mode 0600 on first use. Losing the key loses the
sensitive fields, never the rest of the store; the database alone reveals nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from credible.errors import ConfigError, IntegrityError


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_key_file(cls, path: Path, create: bool = True) -> FieldCipher:
        if not path.exists():
            if not create:
                raise ConfigError(
                    f"key file {path} does not exist; sensitive fields cannot be read"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        try:
            return cls(path.read_bytes().strip())
        except (ValueError, OSError) as exc:
            raise ConfigError(f"key file {path} is not a valid key: {exc}") from exc

    def encrypt(self, text: str | None) -> bytes | None:
        return None if text is None else self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken as exc:
            raise IntegrityError("an encrypted field cannot be read with this key file") from exc
