"""Evidence: preserved files (content-addressed, encrypted) and their chain of custody;
their text and metadata, read again as often as needed (text versions); near-duplicate
images across sources."""

from credible.evidence.extract import DEFAULT_OCR_LANG, Extraction, read_file, tesseract_version
from credible.evidence.service import (
    EvidenceResult,
    VaultReport,
    add_evidence,
    extract_text,
    verify_vault,
)
from credible.evidence.similar import (
    DEFAULT_MAX_DISTANCE,
    DerivedSuggestion,
    NearDuplicate,
    derived_from_suggestions,
    near_duplicates,
)
from credible.evidence.texts import (
    ExtractResult,
    TextVersion,
    extract_evidence,
    text_versions,
    version_text,
)
from credible.evidence.words import cross_script_hits, find_evidence_words, refresh_word_index
from credible.store import Vault, file_sha256

__all__ = [
    "DEFAULT_MAX_DISTANCE",
    "DEFAULT_OCR_LANG",
    "DerivedSuggestion",
    "EvidenceResult",
    "ExtractResult",
    "Extraction",
    "NearDuplicate",
    "TextVersion",
    "Vault",
    "VaultReport",
    "add_evidence",
    "cross_script_hits",
    "derived_from_suggestions",
    "extract_evidence",
    "extract_text",
    "file_sha256",
    "find_evidence_words",
    "near_duplicates",
    "read_file",
    "refresh_word_index",
    "tesseract_version",
    "text_versions",
    "verify_vault",
    "version_text",
]
