"""Starting a real `lydhor serve` for a benchmark and waiting until it is ready."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

from tests.serving import wait_until_ready

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process and its worker processes have used so far; None where /proc is
    not there to ask."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(child) for child in f.read().split()]
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) or 0.0 for child in children)


def start(
    env: dict[str, str], port: int, log: IO[str] | int = subprocess.DEVNULL, workers: int = 1
) -> subprocess.Popen[bytes]:
    """`lydhor serve` with ``workers`` worker processes on ``port``; returns once `/ready` answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )
    if wait_until_ready(server, f"http://127.0.0.1:{port}", seconds=30):
        return server
    server.terminate()
    raise RuntimeError("lydhor serve did not become ready")
