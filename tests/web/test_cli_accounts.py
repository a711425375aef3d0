"""`credible user`, `credible token` and `credible serve` as a team's admin uses them:
real processes, a real server."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.test_cli import run

pytestmark = pytest.mark.slow  # a dozen real processes of the CLI


@pytest.fixture
def db(tmp_path: Path, home: Path) -> Path:
    path = tmp_path / "web.db"
    run("--db", str(path), "init", env_home=home)
    return path


def _add(db: Path, home: Path, name: str, role: str, password: str, check: bool = True):  # type: ignore[no-untyped-def]
    env = dict(os.environ, CREDIBLE_HOME=str(home))
    env.pop("CREDIBLE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "credible.cli", "--db", str(db), "user", "add", name,
         "--role", role, "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, env=env, check=check,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(db: Path, home: Path) -> Iterator[tuple[str, list[str]]]:
    """`credible serve` as a process, once it answers /healthz: its base URL, and (after
    the block) what it printed."""
    port = _free_port()
    env = dict(os.environ, CREDIBLE_HOME=str(home))
    env.pop("CREDIBLE_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "credible.cli", "--db", str(db), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    printed: list[str] = []
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, printed
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
        printed.append(out)


def test_users_and_tokens(db: Path, home: Path) -> None:
    _add(db, home, "amina", "analyst", "a long enough passphrase")
    out = run("--db", str(db), "user", "list", env_home=home).stdout
    assert "amina" in out and "analyst" in out
    bad = _add(db, home, "bo", "owner", "a long enough passphrase", check=False)
    assert bad.returncode == 6 and "admin, analyst" not in bad.stdout
    assert "one of viewer, reviewer, analyst, admin" in bad.stderr
    short = _add(db, home, "cy", "viewer", "short", check=False)
    assert short.returncode == 6 and "short" not in short.stderr.replace("too short", "")
    created = run("--db", str(db), "token", "create", "amina", env_home=home).stdout
    token = created.strip().splitlines()[-1]
    assert token.startswith("cred_") and len(token) > 40
    listed = run("--db", str(db), "token", "list", env_home=home).stdout
    assert "amina" in listed and token not in listed
    # Only the token's hash is in the store.
    import sqlite3

    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert token not in dump and "a long enough passphrase" not in dump
    run("--db", str(db), "token", "revoke", "1", env_home=home)
    assert "revoked" in run("--db", str(db), "token", "revoke", "1", env_home=home).stdout
    run("--db", str(db), "user", "disable", "amina", env_home=home)
    assert "no " in run("--db", str(db), "user", "list", env_home=home).stdout
    missing = run("--db", str(db), "user", "disable", "nobody", env_home=home, check=False)
    assert missing.returncode == 4
    # Every change is in the audit chain, and the chain verifies.
    run("--db", str(db), "audit", "verify", env_home=home)


def test_serve_answers_health_and_refuses_the_anonymous(db: Path, home: Path) -> None:
    _add(db, home, "vera", "viewer", "a long enough passphrase")
    token = run("--db", str(db), "token", "create", "vera", env_home=home).stdout.split()[-1]
    with _serving(db, home) as (base, _):
        r = httpx.get(f"{base}/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok"
        assert httpx.get(f"{base}/api/v1/sources").status_code == 401
        page = httpx.get(f"{base}/search")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        ok = httpx.get(f"{base}/api/v1/sources", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json() == []
        csp = ok.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert ok.headers["x-content-type-options"] == "nosniff"


def test_serve_writes_a_stale_name_index_before_the_first_request(
    db: Path, home: Path, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "fictional,given_name,father_name\nFICTIONAL,Tursun,Ehmet\nFICTIONAL,Гүлнар,Мәмәт\n",
        encoding="utf-8",
    )
    run("--db", str(db), "import", str(people), "--source", "FICTIONAL list", env_home=home)
    with sqlite3.connect(db) as conn:  # as an older credible leaves it: other rules
        conn.execute(
            "UPDATE search_fts SET display = '2:0ld' WHERE kind = 'person_name' AND ref = 0"
        )
    with _serving(db, home) as (_, printed):
        pass
    assert "names of 2 records written again" in printed[0]
