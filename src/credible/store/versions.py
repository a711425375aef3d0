"""Which version of the record a process last saw, so that what it derives from the
record (a search's hits, the confidential sources) can be kept between requests and
dropped the moment the record changes.

Every change to the record leaves an audit entry, in the same transaction, and writers
take the audit table one at a time: audit ids grow in commit order. So the id of the
last audit entry that touched a table a view reads is a version of that view. The
entries that touch none of them (review decisions, accounts, evidence and custody, the
assessment's judgements) are skipped, so that a team reviewing pairs does not make
every search start afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Connection, func, select

from credible.store.schema import audit

#: Audited tables that no view of people, sources, facilities or linkage reads.
UNRELATED = frozenset(
    {
        "judgements", "act_judgements", "element_judgements", "assessments",
        "users", "api_tokens", "web_sessions", "login_attempts", "web_jobs",
        "review_leases", "evidence", "evidence_texts", "custody_events", "timestamps",
        "audit_signatures", "source_grades", "import_problems", "match_scores",
    }
)  # fmt: skip


class DataVersion:
    """The id of the last audit entry that changed the record (0: none yet). Costs one
    look-up of the audit table's last id; when entries were added since the last call,
    one more over those entries alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._head: int | None = None  # the last audit id seen
        self._version = 0

    def read(self, conn: Connection) -> int:
        head = int(conn.execute(select(func.coalesce(func.max(audit.c.id), 0))).scalar_one())
        with self._lock:
            if head == self._head:
                return self._version
            since = self._head if self._head is not None and self._head < head else None
            stmt = select(func.max(audit.c.id)).where(
                audit.c.id <= head, audit.c.entity.not_in(sorted(UNRELATED))
            )
            if since is not None:
                stmt = stmt.where(audit.c.id > since)
            found = conn.execute(stmt).scalar()
            if found is not None:
                self._version = int(found)
            elif since is None:  # first look, or the audit table shrank (a restored store)
                self._version = 0
            self._head = head
            return self._version


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VersionedCache(Generic[K, V]):
    """Values computed from the record at a version, the most recently used kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[K, tuple[int, V]] = OrderedDict()

    def get(self, key: K, version: int, compute: Callable[[], V]) -> V:
        with self._lock:
            held = self._items.get(key)
            if held is not None and held[0] == version:
                self._items.move_to_end(key)
                return held[1]
        value = compute()
        with self._lock:
            self._items[key] = (version, value)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
