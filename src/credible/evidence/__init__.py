"""Evidence: preserved files (content-addressed, encrypted), their signed chain of custody,
trusted timestamps, and bundles that anyone can check offline."""

from credible.evidence.bundle import BundleResult, write_bundle
from credible.evidence.check import BundleProblem, BundleReport, check_bundle
from credible.evidence.custody import (
    CustodyReport,
    custody_report,
    export_file,
    record_access,
    transfer,
)
from credible.evidence.service import (
    EvidenceResult,
    VaultReport,
    add_evidence,
    extract_text,
    verify_vault,
)
from credible.evidence.timestamps import (
    StampResult,
    TokenCheck,
    check_token,
    read_roots,
    timestamp_evidence,
)
from credible.store import Vault, file_sha256

__all__ = [
    "BundleProblem",
    "BundleReport",
    "BundleResult",
    "CustodyReport",
    "EvidenceResult",
    "StampResult",
    "TokenCheck",
    "Vault",
    "VaultReport",
    "add_evidence",
    "check_bundle",
    "check_token",
    "custody_report",
    "export_file",
    "extract_text",
    "file_sha256",
    "read_roots",
    "record_access",
    "timestamp_evidence",
    "transfer",
    "verify_vault",
    "write_bundle",
]
