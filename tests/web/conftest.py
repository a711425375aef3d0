"""A small FICTIONAL demo store for the web's tests, on SQLite and on PostgreSQL, with
what a viewer must never see: witnesses with names and sealed contact details, in a
confidential source and in a restricted one; users of every role with API tokens."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from credible.accounts import add_user, create_token
from credible.assess import add_source
from credible.config import Settings
from credible.demo import run_demo
from credible.ingest import import_file
from credible.store import Store, open_store

PG_ADMIN_URL = os.environ.get(
    "CREDIBLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROLES = ("viewer", "reviewer", "analyst", "admin")
PASSWORD = "correct horse battery staple"

# Confidential testimony: a viewer sees nothing of it.
CONFIDENTIAL = """external_id,name,role,phone,email
W1,FICTIONAL Zulpiye Qadirova,witness,+90 555 010 0001,zulpiye.fictional@example.org
W2,FICTIONAL Мехмет Аблимит,witness,+31 20 555 0002,m.ablimit.fictional@example.org
"""
# A restricted list that names witnesses: a viewer sees the rows, not who they are.
RESTRICTED = """external_id,name,role,phone,email
X1,FICTIONAL Pätigül Ömerjan,witness,+49 30 5550003,patigul.fictional@example.org
X2,FICTIONAL گۈلنار ئەركىن,witness,+33 1 5550004,gulnar.fictional@example.org
X3,FICTIONAL Abdurehim Tohti,victim,+1 202 5550005,abdurehim.fictional@example.org
"""


@dataclass
class WebCase:
    store: Store
    settings: Settings
    tokens: dict[str, str]
    witness_names: list[str]
    contacts: list[str]
    confidential_names: list[str]
    backend: str
    extra: dict[str, object] = field(default_factory=dict)


def _rows(csv: str) -> list[list[str]]:
    return [line.split(",") for line in csv.strip().splitlines()[1:]]


def _pg_schema() -> str | None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        return schema
    except Exception:
        return None


def _drop_pg_schema(schema: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def build_case(root: Path, backend: str, db: str) -> WebCase:
    settings = Settings.resolve(db, actor="tester")
    run_demo(root / "demo", people=300, seed=5, report=False, settings=settings)
    store = open_store(settings)
    for name, conf, csv in (
        ("FICTIONAL witness statements", "confidential", CONFIDENTIAL),
        ("FICTIONAL NGO witness list", "restricted", RESTRICTED),
    ):
        add_source(store, "tester", name, kind="testimony", reliability="C", confidentiality=conf)
        path = root / f"{name.replace(' ', '_')}.csv"
        path.write_text(csv, encoding="utf-8")
        import_file(store, path, source=name, actor="tester")
    tokens = {}
    for role in ROLES:
        add_user(store, "tester", f"{role}1", role, PASSWORD)
        tokens[role] = create_token(store, "tester", f"{role}1")
    witness = [r[1] for r in _rows(CONFIDENTIAL) + _rows(RESTRICTED) if r[2] == "witness"]
    contacts = [v for r in _rows(CONFIDENTIAL) + _rows(RESTRICTED) for v in r[3:5]]
    confidential = [r[1] for r in _rows(CONFIDENTIAL)]
    return WebCase(store, settings, tokens, witness, contacts, confidential, backend)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def wcase(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebCase]:
    root = tmp_path_factory.mktemp(f"web-{request.param}")
    saved = {k: os.environ.get(k) for k in ("CREDIBLE_HOME", "CREDIBLE_KEY_FILE", "CREDIBLE_DB")}
    os.environ["CREDIBLE_HOME"] = str(root / "home")
    os.environ.pop("CREDIBLE_KEY_FILE", None)
    os.environ.pop("CREDIBLE_DB", None)
    schema = None
    try:
        if request.param == "sqlite":
            db = str(root / "web.db")
        else:
            schema = _pg_schema()
            if schema is None:
                if os.environ.get("CI"):
                    pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
                pytest.skip("PostgreSQL is not reachable")
            db = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
        c = build_case(root, request.param, db)
        yield c
        c.store.close()
    finally:
        if schema:
            _drop_pg_schema(schema)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def app(wcase: WebCase):  # type: ignore[no-untyped-def]
    from credible.web import WebSettings, create_app

    return create_app(wcase.settings, WebSettings(jobs=False), store=wcase.store)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, follow_redirects=False) as c:
        yield c


def bearer(wcase: WebCase, role: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {wcase.tokens[role]}"} if role else {}


def login(client, role: str) -> str:  # type: ignore[no-untyped-def]
    """Sign in through the form; returns the session's CSRF token (read from a page)."""
    import re

    r = client.post("/login", data={"name": f"{role}1", "password": PASSWORD, "next": "/sources"})
    assert r.status_code == 303, r.text
    page = client.get("/sources")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)
