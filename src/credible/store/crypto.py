"""Encryption at rest for sensitive fields (witness contact details and the like).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under the organisation's key
(``store.keys``). Losing the key loses the sealed values, never the rest of the store;
the database alone reveals none of them.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from credible.errors import IntegrityError


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, text: str | None) -> bytes | None:
        return None if text is None else self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken as exc:
            raise IntegrityError("an encrypted field cannot be read with this key file") from exc
