"""The migrations build exactly the schema the code declares (on both databases)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from credible.store import Store, schema


def test_migrations_match_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, schema.metadata)
    # The search index is created by raw DDL (FTS5 / tsvector) and is not declared.
    diff = [d for d in diff if "search" not in repr(d)]
    assert diff == []
