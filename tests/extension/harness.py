"""The pieces the extension tests drive: a real `lydhor serve`, and Chromium with the extension loaded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.serving import wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LydhorServer:
    """`lydhor serve` with its own data folder; can be stopped and started again on the same port and data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        self.admin_key = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "LYDHOR_DATA_DIR": str(self.data_dir), "LYDHOR_DATABASE_URL": "", "LYDHOR_LOG_LEVEL": "WARNING"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        if not wait_until_ready(self.process, self.url):
            exited = self.process.poll() is not None
            self.stop()
            raise RuntimeError(f"lydhor serve {'exited' if exited else 'did not become ready'}:\n{self.log.read_text(errors='replace')}")
        if not self.admin_key:
            lines = self.log.read_text(errors="replace").splitlines()
            self.admin_key = lines[lines.index(next(l for l in lines if "first admin" in l)) + 1].strip()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.admin_key}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=10, **kwargs)

    def notes_of(self, customer: str) -> list[dict[str, Any]]:
        answer = self.admin("GET", "/api/notes", params={"customer": customer, "limit": 200})
        answer.raise_for_status()
        return answer.json()["items"]  # type: ignore[no-any-return]


@dataclass
class Agent:
    name: str
    team: str
    key: str


class Browser:
    """Chromium with the extension, its service worker, and helpers to open its pages."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        self.extension_id = self.worker.url.split("/")[2]
        self.errors: list[str] = []

    def page(self, name: str) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(f"chrome-extension://{self.extension_id}/{name}")
        if name == "popup.html":
            # The popup fills its fields from storage after loading; typing before that would race it.
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=10_000)
        return page

    def evaluate(self, script: str) -> Any:
        return self.worker.evaluate(script)

    def connect(self, server: LydhorServer, agent: Agent) -> None:
        """Settings as the options page stores them after a successful check."""
        settings = {"serverUrl": server.url, "apiKey": agent.key, "agent": agent.name, "teams": [agent.team]}
        self.evaluate(f"chrome.storage.local.set({json.dumps(settings)})")

    def badge(self) -> str:
        return str(self.evaluate("chrome.action.getBadgeText({})"))
