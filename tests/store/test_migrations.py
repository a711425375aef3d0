"""The migrations build exactly the schema the code declares (on both databases)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from credible.config import Settings
from credible.store import make_engine, schema
from credible.store.migrate import head_revision, upgrade


def test_migrations_match_the_declared_schema(settings: Settings) -> None:
    """A new store is created from the declared schema in one step; an old one is
    upgraded migration by migration. Both must give the same tables."""
    engine = make_engine(settings.db_url)
    assert upgrade(engine, "head")[1] == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, schema.metadata)
    # The search index is created by raw DDL (FTS5 / tsvector) and is not declared.
    diff = [d for d in diff if "search" not in repr(d)]
    assert diff == []
    engine.dispose()
