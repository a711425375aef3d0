"""Evidence: preserved files (content-addressed, encrypted), their signed chain of custody,
trusted timestamps, and bundles that anyone can check offline; their text and metadata,
read again as often as needed (text versions); near-duplicate images across sources."""

from credible.evidence.bundle import BundleResult, write_bundle
from credible.evidence.check import BundleProblem, BundleReport, check_bundle
from credible.evidence.custody import (
    CustodyReport,
    custody_report,
    export_file,
    record_access,
    transfer,
)
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
from credible.evidence.timestamps import (
    StampResult,
    TokenCheck,
    check_token,
    read_roots,
    timestamp_evidence,
)
from credible.evidence.words import cross_script_hits, find_evidence_words, refresh_word_index
from credible.store import Vault, file_sha256

__all__ = [
    "DEFAULT_MAX_DISTANCE",
    "DEFAULT_OCR_LANG",
    "BundleProblem",
    "BundleReport",
    "BundleResult",
    "CustodyReport",
    "DerivedSuggestion",
    "EvidenceResult",
    "ExtractResult",
    "Extraction",
    "NearDuplicate",
    "StampResult",
    "TextVersion",
    "TokenCheck",
    "Vault",
    "VaultReport",
    "add_evidence",
    "check_bundle",
    "check_token",
    "cross_script_hits",
    "custody_report",
    "derived_from_suggestions",
    "export_file",
    "extract_evidence",
    "extract_text",
    "file_sha256",
    "find_evidence_words",
    "near_duplicates",
    "read_file",
    "read_roots",
    "record_access",
    "refresh_word_index",
    "tesseract_version",
    "text_versions",
    "timestamp_evidence",
    "transfer",
    "verify_vault",
    "version_text",
    "write_bundle",
]
