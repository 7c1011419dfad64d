"""Shared fixtures: one Analyzer for the session, and the team's eval files when they are present."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nlp import Analyzer

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = Path(os.environ.get("LYDHOR_EVAL_DIR", ROOT.parent / "shared" / "eval"))


def require_or_skip(reason: str) -> None:
    """Skip, or fail under LYDHOR_REQUIRE_ALL=1 (CI), where a component the test needs is absent."""
    if os.environ.get("LYDHOR_REQUIRE_ALL") == "1":
        pytest.fail(f"required component missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


def _eval_rows(name: str) -> list[dict]:
    path = EVAL_DIR / name
    if not path.exists():
        require_or_skip(f"the shared eval set is not beside the project ({path})")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def dev_remarks() -> list[dict]:
    return _eval_rows("remarks-dev.jsonl")


@pytest.fixture(scope="session")
def dev_pii() -> list[dict]:
    return _eval_rows("pii-dev.jsonl")


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Any]:
    """Playwright driving Debian's Chromium, for one test module at a time: its sync API keeps an event loop
    running in this thread, which the async tests of later modules must not find there."""
    if not CHROMIUM.exists():
        require_or_skip(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        yield driver
