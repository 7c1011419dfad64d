"""`lydhor serve` starts the real server on the embedded default and prints the first admin's key once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.serving import wait_until_ready

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_on_sqlite_and_accepts_a_note(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "LYDHOR_DATA_DIR": str(tmp_path), "LYDHOR_DATABASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]  # type: ignore[union-attr]
        assert "first admin" in lines[0]
        key = lines[1].strip()
        base = f"http://127.0.0.1:{port}"
        assert wait_until_ready(proc, base, seconds=20)
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.post(f"{base}/api/teams", json={"name": "t"}, headers=headers).status_code == 201
        note = httpx.post(f"{base}/api/notes", json={"text": "Hurtig levering, tak", "agent": "x"}, headers=headers)
        assert note.status_code == 404  # no agent x: the server answers with the structured error
        assert note.json()["error"] == "not_found"
        assert (tmp_path / "lydhor.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # A second start finds the admin and prints no key.
    again = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(_free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    try:
        assert "Lydhør on http://" in again.stdout.readline()  # type: ignore[union-attr]
    finally:
        again.terminate()
        again.wait(timeout=20)
