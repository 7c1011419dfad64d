"""The digest page in a real browser (Debian's Chromium through Playwright), served by a real `lydhor serve`:
what a manager sees on a laptop and on a phone. Screenshots land in test-artifacts/ for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.extension.harness import CHROMIUM, CHROMIUM_FLAGS, LydhorServer
from tests.service.digest_history import NEW_PHRASE, history

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LydhorServer, dict[str, Any]]]:
    """A service with a team's nine weeks of notes, and the week-38 digest as JSON."""
    server = LydhorServer(tmp_path_factory.mktemp("lydhor-pages"))
    server.start()
    try:
        assert server.admin("POST", "/api/teams", json={"name": "north"}).status_code == 201
        for name, role in (("agent", "agent"), ("boss", "manager")):
            assert server.admin("POST", "/api/users", json={"name": name, "role": role, "teams": ["north"]}).status_code == 201
        key = server.admin("POST", "/api/keys", json={"user": "agent"}).json()["key"]
        notes = history()
        import httpx

        for start in range(0, len(notes), 200):
            r = httpx.post(f"{server.url}/api/notes/batch", json={"notes": notes[start : start + 200]},
                           headers={"Authorization": f"Bearer {key}"}, timeout=60)
            assert r.status_code == 200
        digest = server.admin("GET", "/api/digests/north/2026-W38").json()
        yield server, digest
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(playwright_driver: Any) -> Iterator[Any]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@contextmanager
def _digest_page(chromium: Any, served: tuple[LydhorServer, dict[str, Any]], width: int, height: int, shot: str) -> Iterator[Any]:
    """The digest opened by its link in a window of this size; on leaving, the page has logged no error
    or warning, and its screenshot is saved as ``shot``."""
    server, digest = served
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        response = page.goto(f"{server.url}/{digest['link'].split('/', 3)[3]}")
        assert response is not None and response.status == 200
        yield page
        assert problems == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    finally:
        context.close()


def test_the_digest_page_shows_themes_quotes_and_the_chart(chromium: Any, served: tuple[LydhorServer, dict[str, Any]]) -> None:
    digest = served[1]
    with _digest_page(chromium, served, 1200, 900, "digest-2026-W38.png") as page:
        assert page.locator("h1").inner_text() == "Ugens kundestemme: north, uge 38"
        top = digest["themes"][0]
        theme = page.locator(f"[data-theme='{top['id']}']")
        assert theme.locator("strong").first.inner_text() == top["label"]
        assert theme.locator("blockquote").count() == len(top["quotes"]) >= 2
        quote = top["quotes"][0]["text"].strip('"')
        assert quote in theme.locator("blockquote").first.inner_text()
        chart = page.locator("svg[data-chart='sentiment']")
        assert chart.is_visible() and chart.locator("rect").count() == 8
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
        assert page.locator("svg[data-chart='themes'] rect").count() == len(digest["themes"])
        assert page.locator(f"[data-emerging*='{NEW_PHRASE}']").count() >= 1
        assert page.locator("script").count() == 0


def test_the_digest_page_reads_on_a_phone(chromium: Any, served: tuple[LydhorServer, dict[str, Any]]) -> None:
    with _digest_page(chromium, served, 390, 844, "digest-2026-W38-phone.png") as page:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # nothing to scroll sideways
        assert page.locator("[data-section='summary'] li").count() == len(served[1]["summary"])


def test_without_a_link_or_key_the_page_asks_to_sign_in(chromium: Any, served: tuple[LydhorServer, dict[str, Any]]) -> None:
    server, digest = served
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(f"{server.url}/digests/north/2026-W38")
        assert page.url.startswith(f"{server.url}/signin?next=")
        page.fill("input[name=key]", server.admin_key)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/digests/north/2026-W38")
        assert page.locator("h1").inner_text() == digest["title"]
    finally:
        context.close()


