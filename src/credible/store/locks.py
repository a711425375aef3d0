"""Who holds the store's write lock, so that a writer kept waiting can say so.

SQLite does not say who holds its lock: a writer leaves a small note beside the database
file (``<file>.writer``: process, actor, what, since when) while its transaction is open.
PostgreSQL knows: the waiting writer asks ``pg_locks`` who holds the audit table.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from credible.errors import StoreError

if TYPE_CHECKING:
    from credible.store.store import Store


class WriterLock:
    def __init__(self, note: Path | None) -> None:
        self.note = note

    @classmethod
    def for_url(cls, url: str) -> WriterLock:
        if url.startswith("sqlite:///"):
            return cls(Path(url.removeprefix("sqlite:///") + ".writer"))
        return cls(None)

    @contextmanager
    def held(self, actor: str, label: str) -> Iterator[None]:
        """Leave the note while the write lock is held (taken by the caller)."""
        if self.note is None:
            yield
            return
        from credible.store.audit import now

        body = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "actor": actor,
            "what": label or "a write",
            "since": now(),
        }
        with suppress(OSError):  # the note is a courtesy; the lock itself is SQLite's
            self.note.write_text(json.dumps(body), encoding="utf-8")
        try:
            yield
        finally:
            with suppress(OSError):
                self.note.unlink()

    def holder(self) -> str | None:
        if self.note is None or not self.note.exists():
            return None
        try:
            info = json.loads(self.note.read_text(encoding="utf-8"))
            return (
                f"{info['what']} by {info['actor']} (process {info['pid']} on {info['host']}, "
                f"since {info['since'][:19].replace('T', ' ')} UTC)"
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _postgres_holder(store: Store) -> str | None:
    stmt = text(
        "SELECT a.application_name, a.pid, a.usename, a.xact_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.relation = 'audit'::regclass AND l.granted AND l.pid <> pg_backend_pid() "
        "LIMIT 1"
    )
    try:
        with store.engine.connect() as conn:
            row = conn.execute(stmt).first()
    except SQLAlchemyError:
        return None
    if row is None:
        return None
    since = row.xact_start.strftime("%Y-%m-%d %H:%M:%S %Z") if row.xact_start else "?"
    who = row.application_name or "a client"
    return f"{who} (server process {row.pid}, user {row.usename}, since {since})"


def _is_busy(exc: DBAPIError) -> bool:
    orig = exc.orig
    message = str(orig).lower()
    return (
        "database is locked" in message
        or "lock timeout" in message
        or getattr(orig, "sqlstate", None) == "55P03"
    )


def busy_error(store: Store, exc: DBAPIError) -> StoreError:
    """The error for a write that could not take the lock: who holds it, what to do."""
    if not _is_busy(exc):
        first = str(exc.orig).strip().splitlines()
        return StoreError(f"cannot write to the store: {first[0] if first else exc}")
    if store.dialect == "postgresql":
        holder = _postgres_holder(store)
    else:
        holder = store._writer_lock.holder()
    who = holder or "another process"
    return StoreError(
        f"the store is busy: {who} is writing to it. Nothing was written; "
        "run the command again when that write has finished."
    )
