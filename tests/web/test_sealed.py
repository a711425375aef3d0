"""No viewer response, on any route, holds a sealed value (a contact), a witness's name
or anything of a confidential source. The same values are reachable by an analyst (the
check would see them if they leaked)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import PASSWORD, WebCase
from tests.web.test_roles import TABLE

from credible.store import schema

MAX_PAGES = 400


def _all_ids(wcase: WebCase) -> dict[str, list[int]]:
    with wcase.store.read() as conn:
        records = [r[0] for r in conn.execute(select(schema.person_records.c.id))]
        witness_records = [
            r[0]
            for r in conn.execute(
                select(schema.person_records.c.id).where(schema.person_records.c.role == "witness")
            )
        ]
        persons = [
            r[0]
            for r in conn.execute(
                select(schema.person_members.c.person_id).where(
                    schema.person_members.c.record_id.in_(witness_records)
                )
            )
        ]
        sources = [r[0] for r in conn.execute(select(schema.sources.c.id))]
        acts = [r[0] for r in conn.execute(select(schema.acts.c.id).limit(50))]
        facilities = [r[0] for r in conn.execute(select(schema.facilities.c.id).limit(20))]
    return {
        "record_id": witness_records + records[:30] + records[-10:],
        "person_id": persons,
        "source_id": sources,
        "act_id": acts,
        "facility_id": facilities,
    }


def _secrets(wcase: WebCase) -> list[str]:
    return wcase.witness_names + wcase.contacts + wcase.confidential_names


def _urls(wcase: WebCase) -> list[str]:
    ids = _all_ids(wcase)
    urls = []
    for (method, template), (needed, _) in TABLE.items():
        if method != "GET" or needed not in (None, "viewer"):
            continue
        names = re.findall(r"{(\w+)}", template)
        if not names:
            urls.append(template)
            continue
        for value in ids.get(names[0], []):
            urls.append(template.format(**{names[0]: value}))
    for word in ("Zulpiye", "Мехмет", "Pätigül", "گۈلنار", "Abdurehim", "FICTIONAL"):
        urls += [f"/api/v1/search?q={word}", f"/search?q={word}"]
    urls += ["/api/v1/records?limit=500", "/api/v1/facilities?format=geojson"]
    return urls


def _crawl(client: TestClient, start: list[str], headers: dict[str, str]) -> dict[str, str]:
    """GET every start URL and every same-site link found in the pages."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop(0)
        if url in seen:
            continue
        r = client.get(url, headers=headers if url.startswith("/api") else {})
        seen[url] = r.text
        if "text/html" in r.headers.get("content-type", ""):
            for link in re.findall(r'href="(/[^"]*)"', r.text):
                link = link.replace("&amp;", "&")
                if not link.startswith(("/static", "/logout")) and link not in seen:
                    todo.append(link)
    return seen


def _login(client: TestClient, role: str) -> None:
    r = client.post("/login", data={"name": f"{role}1", "password": PASSWORD})
    assert r.status_code == 303


def test_no_viewer_response_holds_a_sealed_value(wcase: WebCase, app: Any) -> None:
    with TestClient(app, follow_redirects=False) as client:
        _login(client, "viewer")
        pages = _crawl(client, _urls(wcase), {"Authorization": f"Bearer {wcase.tokens['viewer']}"})
    assert len(pages) > 100
    leaks = [(url, s) for url, body in pages.items() for s in _secrets(wcase) if s in body]
    assert leaks == []


def test_an_analyst_sees_what_the_viewer_may_not(wcase: WebCase, app: Any) -> None:
    """The positive control: the same crawl as an analyst finds every seeded value."""
    with TestClient(app, follow_redirects=False) as client:
        _login(client, "analyst")
        pages = _crawl(client, _urls(wcase), {"Authorization": f"Bearer {wcase.tokens['analyst']}"})
    found = {s for body in pages.values() for s in _secrets(wcase) if s in body}
    assert found == set(_secrets(wcase))


def test_a_viewer_is_told_a_witness_contact_is_withheld(wcase: WebCase, app: Any) -> None:
    with wcase.store.read() as conn:
        rid = conn.execute(
            select(schema.person_records.c.id).where(schema.person_records.c.external_id == "X1")
        ).scalar_one()
    headers = {"Authorization": f"Bearer {wcase.tokens['viewer']}"}
    with TestClient(app) as client:
        body = client.get(f"/api/v1/records/{rid}", headers=headers).json()
        assert body["withheld"] is True
        assert body["contact"] == "[withheld]" and body["name"] == "[withheld]"
        headers = {"Authorization": f"Bearer {wcase.tokens['reviewer']}"}
        body = client.get(f"/api/v1/records/{rid}", headers=headers).json()
        assert "+49 30 5550003" in body["contact"]


def _pages(client: TestClient, url: str, token: str, limit: int) -> list[list[dict[str, Any]]]:
    pages, offset = [], 0
    while True:
        page = client.get(
            f"{url}?limit={limit}&offset={offset}", headers={"Authorization": f"Bearer {token}"}
        ).json()
        if not page:
            return pages
        pages.append(page)
        offset += limit


def _open_ids(wcase: WebCase, table: Any) -> list[int]:
    s = schema.sources
    with wcase.store.read() as conn:
        stmt = (
            select(table.c.id)
            .join(s, s.c.id == table.c.source_id)
            .where(s.c.confidentiality != "confidential")
            .order_by(table.c.id)
        )
        return [int(i) for (i,) in conn.execute(stmt)]


def test_a_viewers_pages_are_full_and_skip_nothing_it_may_see(wcase: WebCase, app: Any) -> None:
    """Confidential rows are left out before paging: every page but the last is full, and
    the pages together hold exactly the rows of the other sources, in order."""
    limit = 7
    with TestClient(app) as client:
        for url, table in (
            ("/api/v1/records", schema.person_records),
            ("/api/v1/acts", schema.acts),
        ):
            seen = _pages(client, url, wcase.tokens["viewer"], limit)
            assert all(len(p) == limit for p in seen[:-1]), url
            assert [r["id"] for p in seen for r in p] == _open_ids(wcase, table), url
    with wcase.store.read() as conn:  # the check has something to leave out
        s, pr = schema.sources, schema.person_records
        hidden = conn.execute(
            select(pr.c.id)
            .join(s, s.c.id == pr.c.source_id)
            .where(s.c.confidentiality == "confidential")
        ).all()
    assert hidden
