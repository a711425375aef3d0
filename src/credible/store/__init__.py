"""The store: schema, migrations, the audited unit of work, the key, the vault, search.

Other stages use only these names.
"""

from __future__ import annotations

from credible.store import schema
from credible.store.audit import PublishedHead, VerifyReport, now, verify
from credible.store.crypto import FieldCipher
from credible.store.index import IndexReport, check_index, rebuild_index
from credible.store.keys import Keyring, short
from credible.store.lifecycle import init_store, open_store, vault_dir
from credible.store.search import Hit, search_text
from credible.store.store import Store, UnitOfWork, make_engine
from credible.store.vault import Vault, file_sha256

__all__ = [
    "FieldCipher",
    "Hit",
    "IndexReport",
    "Keyring",
    "PublishedHead",
    "Store",
    "UnitOfWork",
    "Vault",
    "VerifyReport",
    "check_index",
    "file_sha256",
    "init_store",
    "make_engine",
    "now",
    "open_store",
    "rebuild_index",
    "schema",
    "search_text",
    "short",
    "vault_dir",
    "verify",
]
