"""Fixtures: one real service for the session (stopped and started again by the offline test), and a fresh
Chromium profile with the unpacked extension for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.extension.harness import CHROMIUM, CHROMIUM_FLAGS, EXTENSION, Agent, Browser, LydhorServer


@pytest.fixture(scope="session")
def lydhor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LydhorServer]:
    server = LydhorServer(tmp_path_factory.mktemp("lydhor-extension"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def agent(lydhor: LydhorServer) -> Agent:
    assert lydhor.admin("POST", "/api/teams", json={"name": "support", "language": "da"}).status_code == 201
    assert lydhor.admin("POST", "/api/users", json={"name": "anna", "role": "agent", "teams": ["support"]}).status_code == 201
    created = lydhor.admin("POST", "/api/keys", json={"user": "anna", "label": "extension tests"})
    assert created.status_code == 201
    return Agent(name="anna", team="support", key=created.json()["key"])


@pytest.fixture
def server(lydhor: LydhorServer) -> Iterator[LydhorServer]:
    """The session's service, running again after a test that stopped it."""
    if lydhor.process is None:
        lydhor.start()
    yield lydhor
    if lydhor.process is None:
        lydhor.start()


@pytest.fixture
def browser(playwright_driver: Any, tmp_path: Path) -> Iterator[Browser]:
    profile = tmp_path / "profile"
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_FLAGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"],
    )
    try:
        session = Browser(context)
        yield session
        assert session.errors == [], "the extension's pages raised errors"
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
