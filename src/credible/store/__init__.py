"""The store: schema, migrations, the audited unit of work, the key, the vault, search.

Other stages use only these names.
"""

from __future__ import annotations

from credible.store import schema
from credible.store.audit import (
    PublishedHead,
    VerifyReport,
    entry_hash,
    now,
    signed_head,
    verify,
)
from credible.store.crypto import FieldCipher
from credible.store.custody import (
    ACTIONS as CUSTODY_ACTIONS,
)
from credible.store.custody import (
    ChainProblem,
    CustodyEvent,
    check_chain,
    custody_chain,
    record_custody,
    sign_unsigned_custody,
    signing_keys,
)
from credible.store.export import EXPORT_FORMATS, check_table, export_table, write_rows
from credible.store.index import IndexReport, check_index, rebuild_index, reindex
from credible.store.keys import (
    Keyring,
    public_key_fingerprint,
    public_key_from_pem,
    public_key_pem,
    short,
    verify_signature,
)
from credible.store.lifecycle import init_store, open_store, vault_dir
from credible.store.linked import linked_records
from credible.store.rotation import KeyCheck, RotationResult, check_key, rotate_key
from credible.store.runs import (
    Judgement,
    RunInfo,
    add_audit_answer,
    add_judgement,
    finish_run,
    latest_run,
    live_audit_answers,
    live_decisions,
    live_judgements,
    retract_judgement,
    start_run,
)
from credible.store.runs import fingerprint as run_fingerprint
from credible.store.search import Hit, search_text
from credible.store.store import Store, UnitOfWork, make_engine
from credible.store.vault import Vault, file_sha256

__all__ = [
    "CUSTODY_ACTIONS",
    "EXPORT_FORMATS",
    "ChainProblem",
    "CustodyEvent",
    "FieldCipher",
    "Hit",
    "IndexReport",
    "Judgement",
    "KeyCheck",
    "Keyring",
    "PublishedHead",
    "RotationResult",
    "RunInfo",
    "Store",
    "UnitOfWork",
    "Vault",
    "VerifyReport",
    "add_audit_answer",
    "add_judgement",
    "check_chain",
    "check_index",
    "check_key",
    "check_table",
    "custody_chain",
    "entry_hash",
    "export_table",
    "file_sha256",
    "finish_run",
    "init_store",
    "latest_run",
    "linked_records",
    "live_audit_answers",
    "live_decisions",
    "live_judgements",
    "make_engine",
    "now",
    "open_store",
    "public_key_fingerprint",
    "public_key_from_pem",
    "public_key_pem",
    "rebuild_index",
    "record_custody",
    "reindex",
    "retract_judgement",
    "rotate_key",
    "run_fingerprint",
    "schema",
    "search_text",
    "short",
    "sign_unsigned_custody",
    "signed_head",
    "signing_keys",
    "start_run",
    "vault_dir",
    "verify",
    "verify_signature",
    "write_rows",
]
