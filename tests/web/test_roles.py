"""The role matrix: every route of the app x every role (and anonymous) gives the status
the route's declared weakest role implies. The table is checked against the app's own
route list, so a new route without an entry here fails."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Route
from tests.web.conftest import PASSWORD, ROLES, WebCase

from credible.jobs import submit_job
from credible.store import schema

LEVEL = {None: -1, **{r: i for i, r in enumerate(ROLES)}}

# (method, path) -> (weakest role, or None for public; statuses an admitted user may get)
OK = (200,)
TABLE: dict[tuple[str, str], tuple[str | None, tuple[int, ...]]] = {
    ("GET", "/healthz"): (None, OK),
    ("GET", "/login"): (None, OK),
    ("POST", "/login"): (None, (422,)),
    ("GET", "/api/v1/me"): ("viewer", OK),
    ("GET", "/api/v1/search"): ("viewer", OK),
    ("GET", "/api/v1/records"): ("viewer", OK),
    ("GET", "/api/v1/records/{record_id}"): ("viewer", OK),
    ("GET", "/api/v1/persons"): ("viewer", OK),
    ("GET", "/api/v1/persons/{person_id}"): ("viewer", OK),
    ("GET", "/api/v1/sources"): ("viewer", OK),
    ("GET", "/api/v1/sources/{source_id}"): ("viewer", OK),
    ("GET", "/api/v1/facilities"): ("viewer", OK),
    ("GET", "/api/v1/facilities/{facility_id}"): ("viewer", OK),
    ("GET", "/api/v1/basemap"): ("viewer", OK),
    ("GET", "/api/v1/acts"): ("viewer", OK),
    ("GET", "/api/v1/acts/{act_id}"): ("viewer", OK),
    ("GET", "/api/v1/assessment"): ("viewer", OK),
    ("POST", "/api/v1/assessment/judgements"): ("analyst", (422,)),
    ("GET", "/api/v1/runs"): ("viewer", OK),
    ("GET", "/api/v1/review/next"): ("reviewer", OK),
    ("POST", "/api/v1/review/{pair_id}/decision"): ("reviewer", (409,)),
    ("POST", "/api/v1/jobs"): ("analyst", (422,)),
    ("GET", "/api/v1/jobs"): ("analyst", OK),
    ("GET", "/api/v1/jobs/{job_id}"): ("analyst", OK),
    ("POST", "/api/v1/imports"): ("analyst", (422,)),
    ("GET", "/api/v1/users"): ("admin", OK),
    ("POST", "/api/v1/users"): ("admin", (422,)),
    ("GET", "/openapi.json"): ("viewer", OK),
    ("GET", "/"): ("viewer", (303,)),
    ("GET", "/search"): ("viewer", OK),
    ("GET", "/persons/{person_id}"): ("viewer", OK),
    ("GET", "/records/{record_id}"): ("viewer", (200, 303)),
    ("GET", "/sources"): ("viewer", OK),
    ("GET", "/sources/{source_id}"): ("viewer", OK),
    ("GET", "/facilities"): ("viewer", OK),
    ("GET", "/facilities/{facility_id}"): ("viewer", OK),
    ("GET", "/review"): ("reviewer", OK),
    ("POST", "/review/{pair_id}"): ("reviewer", (422,)),
    ("GET", "/acts"): ("viewer", OK),
    ("GET", "/acts/{act_id}"): ("viewer", OK),
    ("POST", "/assessment/judge"): ("analyst", (422,)),
    ("GET", "/runs"): ("viewer", OK),
    ("POST", "/runs/start"): ("analyst", (422,)),
    ("POST", "/report/build"): ("analyst", (422,)),
    ("GET", "/report"): ("viewer", (200, 404)),
    ("GET", "/import"): ("analyst", OK),
    ("POST", "/import"): ("analyst", (422,)),
    ("GET", "/users"): ("admin", OK),
    ("POST", "/users"): ("admin", (422,)),
    ("POST", "/logout"): ("viewer", (303,)),
}


def _walk(routes: list[Any]) -> list[Any]:
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's wrapper of an included router
        if inner is not None:
            out += _walk(inner.routes)
        elif isinstance(r, APIRoute | Route):
            out.append(r)
    return out


def app_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, static files aside."""
    return {(m, r.path) for r in _walk(app.routes) for m in (r.methods or set()) - {"HEAD"}}


def test_every_route_has_an_entry(app: Any) -> None:
    assert app_routes(app) == set(TABLE)


def _ids(wcase: WebCase) -> dict[str, str]:
    """Ids of things a viewer may see (not of a confidential source)."""
    s, pr, a = schema.sources, schema.person_records, schema.acts
    with wcase.store.read() as conn:
        open_ = select(s.c.id).where(s.c.confidentiality != "confidential")
        record = conn.execute(select(pr.c.id).where(pr.c.source_id.in_(open_)).limit(1)).scalar()
        act = conn.execute(select(a.c.id).where(a.c.source_id.in_(open_)).limit(1)).scalar()
        source = conn.execute(open_.limit(1)).scalar()
        person = conn.execute(
            select(schema.person_members.c.person_id).where(
                schema.person_members.c.record_id == record
            )
        ).scalar()
        facility = conn.execute(
            select(schema.facilities.c.id).where(schema.facilities.c.source_id.in_(open_))
        ).scalar()
    job = submit_job(wcase.store, "tester", "assess", {})
    return {
        "record_id": str(record), "act_id": str(act), "source_id": str(source),
        "person_id": str(person), "facility_id": str(facility), "job_id": str(job),
        "pair_id": "1-2",
    }  # fmt: skip


def _request(client: Any, method: str, path: str, headers: dict[str, str], csrf: str) -> Any:
    if path == "/api/v1/search":
        path += "?q=Guli"
    if method == "GET":
        return client.get(path, headers=headers)
    if path == "/api/v1/review/1-2/decision":
        return client.post(path, headers=headers, json={"decision": "unsure"})
    if path.startswith("/api/"):
        return client.post(path, headers=headers, json={})
    if path == "/report/build":
        # Admitted, the form's token checked: refused only for the missing confirmation.
        return client.post(path, data={"csrf_token": csrf})
    return client.post(path, data={"csrf_token": csrf} if csrf else {})


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_matrix(wcase: WebCase, app: Any, role: str | None) -> None:
    from fastapi.testclient import TestClient

    ids = _ids(wcase)
    failures = []
    with TestClient(app, follow_redirects=False) as client:
        csrf = ""
        if role:
            r = client.post("/login", data={"name": f"{role}1", "password": PASSWORD})
            assert r.status_code == 303
            import re

            page = client.get("/search")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        # Sign-out last: it ends the session the pages use.
        for (method, template), (needed, admitted) in sorted(
            TABLE.items(), key=lambda kv: kv[0][1] == "/logout"
        ):
            path = template.format(**ids)
            api = path.startswith("/api/") or path == "/openapi.json"
            headers = {"Authorization": f"Bearer {wcase.tokens[role]}"} if (role and api) else {}
            r = _request(client, method, path, headers, csrf)
            if needed is None:
                want: tuple[int, ...] = admitted
            elif role is None:
                want = (401,) if api else (303,)
            elif LEVEL[role] < LEVEL[needed]:
                want = (403,)
            else:
                want = admitted
            if r.status_code not in want:
                failures.append(f"{method} {path} as {role}: {r.status_code}, wanted {want}")
            elif (
                role is None
                and not api
                and needed is not None
                and not r.headers["location"].startswith("/login")
            ):
                failures.append(f"{method} {path}: redirected elsewhere")
    assert failures == []
