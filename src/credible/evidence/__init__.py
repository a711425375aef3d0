"""Evidence: preserved files (content-addressed, encrypted) and their chain of custody."""

from credible.evidence.vault import Vault, file_sha256

__all__ = ["Vault", "file_sha256"]
