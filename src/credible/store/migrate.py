"""Create or upgrade a store with Alembic: `credible init` calls ``upgrade``."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from credible.errors import StoreError


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("credible.store") / "migrations"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def create(engine: Engine) -> str:
    """A new store in one step: every table as the code declares it, the search index,
    and the newest revision stamped (what running every migration gives, checked by
    tests/store/test_migrations.py, without rebuilding tables migration after migration)."""
    from credible.store.schema import metadata
    from credible.store.search import POSTGRES_DDL, SQLITE_DDL

    try:
        with engine.connect() as conn:
            conn.execution_options(credible_write=True)
            with conn.begin():
                metadata.create_all(conn)
                ddl = POSTGRES_DDL if engine.dialect.name == "postgresql" else (SQLITE_DDL,)
                for statement in ddl:
                    conn.exec_driver_sql(statement)
                cfg = _config()
                cfg.attributes["connection"] = conn
                command.stamp(cfg, "head")
    except OperationalError as exc:
        raise StoreError(f"cannot create the store at {engine.url!r}: {exc.orig}") from exc
    return head_revision()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    """Bring the store to ``target`` (the newest schema by default); returns (revision
    before, revision after)."""
    try:
        before = current_revision(engine)
        cfg = _config()
        with engine.connect() as conn:
            conn.execution_options(credible_write=True)
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
    except OperationalError as exc:
        raise StoreError(
            f"cannot create or upgrade the store at {engine.url!r}: {exc.orig}"
        ) from exc
    return before, current_revision(engine) or target
