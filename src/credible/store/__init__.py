"""The store: schema, migrations, the audited unit of work, the key, the vault, search.

Other stages use only these names.
"""

from __future__ import annotations

from credible.store import schema
from credible.store.audit import PublishedHead, VerifyReport, now, signed_head, verify
from credible.store.crypto import FieldCipher
from credible.store.export import EXPORT_FORMATS, check_table, export_table, write_rows
from credible.store.index import IndexReport, check_index, rebuild_index, reindex
from credible.store.keys import Keyring, short
from credible.store.lifecycle import init_store, open_store, vault_dir
from credible.store.linked import linked_records
from credible.store.rotation import KeyCheck, RotationResult, check_key, rotate_key
from credible.store.runs import (
    Judgement,
    RunInfo,
    add_judgement,
    finish_run,
    latest_run,
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
    "EXPORT_FORMATS",
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
    "add_judgement",
    "check_index",
    "check_key",
    "check_table",
    "export_table",
    "file_sha256",
    "finish_run",
    "init_store",
    "latest_run",
    "linked_records",
    "live_decisions",
    "live_judgements",
    "make_engine",
    "now",
    "open_store",
    "rebuild_index",
    "reindex",
    "retract_judgement",
    "rotate_key",
    "run_fingerprint",
    "schema",
    "search_text",
    "short",
    "signed_head",
    "start_run",
    "vault_dir",
    "verify",
    "write_rows",
]
