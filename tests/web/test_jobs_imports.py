"""Long runs go to the background worker with progress; uploads go through the importer,
size-limited; every write carries the user's name into the audit chain."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import WebCase

from credible.store import schema, verify
from credible.web import WebSettings, create_app

CSV = "name,sex,birth_date\nFICTIONAL Nurbiye Tohti,female,1980\nFICTIONAL Ilham Yasin,male,1975\n"


def _audit_actors(wcase: WebCase, entity: str) -> list[str]:
    a = schema.audit
    with wcase.store.read() as conn:
        return [r[0] for r in conn.execute(select(a.c.actor).where(a.c.entity == entity))]


def test_a_job_runs_in_the_background_with_progress(wcase: WebCase) -> None:
    app = create_app(wcase.settings, WebSettings(jobs=True), store=wcase.store)
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    with TestClient(app) as client:
        r = client.post("/api/v1/jobs", headers=headers, json={"kind": "assess"})
        assert r.status_code == 202
        job = r.json()
        assert job["status"] in ("queued", "running")
        for _ in range(600):
            job = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["progress"] == 1.0 and job["run_id"]
    r_ = schema.runs
    with wcase.store.read() as conn:
        actor = conn.execute(select(r_.c.actor).where(r_.c.id == job["run_id"])).scalar_one()
    assert actor == "analyst1"


def test_a_bad_job_is_refused(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    r = client.post("/api/v1/jobs", headers=headers, json={"kind": "link", "parameters": {"x": 1}})
    assert r.status_code == 422 and "x" in r.text


def test_an_upload_is_imported_once_with_the_users_name(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    files = {"file": ("../../etc/FICTIONAL list.csv", CSV.encode(), "text/csv")}
    data = {"source": "FICTIONAL web upload", "kind": "person_record"}
    r = client.post("/api/v1/imports", headers=headers, files=files, data=data)
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == 2 and not r.json()["already_imported"]
    again = client.post("/api/v1/imports", headers=headers, files=files, data=data)
    assert again.json()["already_imported"]
    assert "analyst1" in _audit_actors(wcase, "imports")
    ev = schema.evidence
    with wcase.store.read() as conn:
        names = [r[0] for r in conn.execute(select(ev.c.original_name))]
    assert "FICTIONAL list.csv" in names  # the path stripped from the uploaded name
    with wcase.store.read() as conn:
        report = verify(conn, public_key=wcase.store.keys.public_key)
    assert report.ok, report.breaches


def test_a_bad_file_is_refused_with_its_row(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    bad = "name,sex,birth_date\nFICTIONAL A,female,1980-13-45\n"
    files = {"file": ("bad.csv", bad.encode(), "text/csv")}
    r = client.post(
        "/api/v1/imports", headers=headers, files=files, data={"source": "FICTIONAL bad"}
    )
    assert r.status_code == 422
    assert "bad.csv:1" in r.text and "Traceback" not in r.text


def test_an_oversized_upload_is_refused(wcase: WebCase) -> None:
    app = create_app(wcase.settings, WebSettings(jobs=False, max_upload_mb=1), store=wcase.store)
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    big = CSV.encode() + b"FICTIONAL X,male,1970\n" * 60_000
    with TestClient(app) as client:
        files = {"file": ("big.csv", big, "text/csv")}
        r = client.post(
            "/api/v1/imports", headers=headers, files=files, data={"source": "FICTIONAL big"}
        )
    assert r.status_code == 413


def test_a_viewer_cannot_upload(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['viewer']}"}
    files = {"file": ("a.csv", CSV.encode(), "text/csv")}
    r = client.post("/api/v1/imports", headers=headers, files=files, data={"source": "x"})
    assert r.status_code == 403


def test_sign_in_is_rate_limited(client: Any, wcase: WebCase) -> None:
    from tests.web.conftest import PASSWORD

    from credible.accounts import add_user

    add_user(wcase.store, "tester", "guessed1", "viewer", PASSWORD)
    for _ in range(5):
        r = client.post("/login", data={"name": "guessed1", "password": "wrong password!"})
        assert r.status_code == 401
    r = client.post("/login", data={"name": "guessed1", "password": "wrong password!"})
    assert r.status_code == 429
    # Even the right password waits now.
    r = client.post("/login", data={"name": "guessed1", "password": PASSWORD})
    assert r.status_code == 429
