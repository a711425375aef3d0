"""The pages in a real browser: Debian's chromium driven by Playwright (no browser
download). Sign in, search one name in several scripts, open a Person, review a pair with
the keyboard, and a viewer denied a witness's contact."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.web.conftest import PASSWORD, WebCase

from credible.store import schema

CHROMIUM = os.environ.get("CREDIBLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's chromium is not installed (apt-get install chromium; "
        "`make test` installs it)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(app: Any) -> Iterator[str]:
    """The app under uvicorn, in a thread of this process."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser: Any, server: str, role: str) -> Any:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/search")
    assert "/login" in page.url  # anonymous: sent to sign in
    page.fill("input[name=name]", f"{role}1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/search"))
    return page


def _record_links(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "table.hits a[href^='/records/']", "els => els.map(e => e.getAttribute('href'))"
        )
    )


def test_search_in_three_scripts_finds_the_same_records(browser: Any, server: str) -> None:
    page = _page(browser, server, "analyst")
    found = []
    for query in ("Tursun", "تۇرسۇن", "吐尔逊", "Турсун"):
        page.fill("input[name=q]", query)
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state()
        found.append(_record_links(page))
    assert found[0] and all(f == found[0] for f in found)
    # Names in Arabic script are laid out right to left.
    assert page.locator("table.hits bdi[dir=rtl]").count() > 0
    page.context.close()


def test_a_person_shows_each_source_side_by_side(browser: Any, server: str) -> None:
    page = _page(browser, server, "analyst")
    page.goto("/search?q=Tursun")
    person = page.locator("table.hits a[href^='/persons/']").first
    person.click()
    page.wait_for_url(re.compile(r".*/persons/\d+"))
    assert page.locator("article.record").count() >= 1
    assert page.locator("article.record dd").first.inner_text() != ""
    page.context.close()


def test_reviewing_a_pair_with_the_keyboard(browser: Any, server: str, wcase: WebCase) -> None:
    page = _page(browser, server, "reviewer")
    page.goto("/review")
    form = page.locator("form#decide")
    if form.count() == 0:
        pytest.skip("the review queue was emptied by the tests before")
    pair = form.get_attribute("action").rsplit("/", 1)[-1]
    page.keyboard.press("n")
    page.keyboard.type("same birth year, same county")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    page.wait_for_url(re.compile(r".*/review\?decided=.*"))
    lo, hi = (int(x) for x in pair.split("-"))
    j = schema.judgements
    with wcase.store.read() as conn:
        row = conn.execute(
            select(j.c.decision, j.c.note, j.c.actor).where(j.c.record_l == lo, j.c.record_r == hi)
        ).one()
    assert tuple(row) == ("negative", "same birth year, same county", "reviewer1")
    page.context.close()


def test_a_viewer_is_denied_a_witness_contact(browser: Any, server: str, wcase: WebCase) -> None:
    with wcase.store.read() as conn:
        rid = conn.execute(
            select(schema.person_records.c.id).where(schema.person_records.c.external_id == "X1")
        ).scalar_one()
    page = _page(browser, server, "viewer")
    page.goto(f"/records/{rid}")
    body = page.content()
    assert "+49 30 5550003" not in body and "Pätigül" not in body
    assert page.locator("dd.contact .tag").inner_text() == "withheld"
    page.goto("/review")
    assert "403" in page.title()
    page.context.close()
    page = _page(browser, server, "analyst")
    page.goto(f"/records/{rid}")
    assert "+49 30 5550003" in page.locator("dd.contact").inner_text()
    page.context.close()
