"""Waiting for a real `lydhor serve` process to answer `/ready` (tests and benchmarks)."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx

__all__ = ["wait_until_ready"]


def wait_until_ready(process: subprocess.Popen[Any], base_url: str, seconds: float = 60.0) -> bool:
    """Poll ``base_url``/ready until it answers 200; False when the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/ready", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False
