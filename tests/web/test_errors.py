"""Errors a client can cause get a status and a message, never a 5xx or a trace: a NUL
character (which PostgreSQL cannot store), unknown ids, malformed bodies."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import WebCase


def test_a_nul_character_is_bad_input_not_a_server_error(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    for url in ("/api/v1/acts?type=a%00b", "/api/v1/runs?stage=%00", "/api/v1/search?q=Tur%00"):
        r = client.get(url, headers=headers)
        assert r.status_code in (200, 422), (url, r.status_code, r.text)
        if wcase.backend == "postgresql" and r.status_code != 200:
            assert "NUL" in r.json()["detail"]
    body = {"element": "underlying_act", "met": "no", "rationale": "a\x00b"}
    r = client.post("/api/v1/assessment/judgements", headers=headers, json=body)
    assert r.status_code in (201, 422), r.text
    r = client.post("/login", data={"name": "x\x00y", "password": "whatever it is"})
    assert r.status_code in (401, 422)


def test_unknown_and_malformed_requests(client: Any, wcase: WebCase) -> None:
    headers = {"Authorization": f"Bearer {wcase.tokens['analyst']}"}
    r = client.get("/api/v1/records/2000000000", headers=headers)
    assert r.status_code == 404 and r.json()["detail"].startswith("no person record")
    r = client.post(
        "/api/v1/jobs",
        headers={**headers, "content-type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422
    for r in (
        client.get("/api/v1/persons/0", headers=headers),
        client.get("/api/v1/acts?limit=100000", headers=headers),
    ):
        assert r.status_code == 422 and "Traceback" not in r.text
