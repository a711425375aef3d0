"""Evidence: preserved files (content-addressed, encrypted) and their chain of custody."""

from credible.evidence.service import (
    EvidenceResult,
    VaultReport,
    add_evidence,
    extract_text,
    verify_vault,
)
from credible.store import Vault, file_sha256

__all__ = [
    "EvidenceResult",
    "Vault",
    "VaultReport",
    "add_evidence",
    "extract_text",
    "file_sha256",
    "verify_vault",
]
