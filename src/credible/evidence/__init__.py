"""Evidence: preserved files (content-addressed, encrypted) and their chain of custody."""

from credible.evidence.service import EvidenceResult, add_evidence, extract_text
from credible.evidence.vault import Vault, file_sha256

__all__ = ["EvidenceResult", "Vault", "add_evidence", "extract_text", "file_sha256"]
