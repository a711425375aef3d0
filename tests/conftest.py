"""Shared fixtures: real stores on SQLite files and on the local PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from credible.config import Settings
from credible.store import Store, init_store

PG_ADMIN_URL = os.environ.get(
    "CREDIBLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> bool:
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


PG_OK = _pg_available()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated CREDIBLE_HOME (key file, vault) per test."""
    h = tmp_path / "home"
    monkeypatch.setenv("CREDIBLE_HOME", str(h))
    monkeypatch.delenv("CREDIBLE_DB", raising=False)
    monkeypatch.delenv("CREDIBLE_KEY_FILE", raising=False)
    monkeypatch.setenv("CREDIBLE_ACTOR", "tester")
    return h


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, home: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def settings(db_url: str, home: Path) -> Settings:
    return Settings.resolve(db_url, actor="tester")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s, _, _ = init_store(settings)
    yield s
    s.close()
