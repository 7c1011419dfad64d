"""Ingest speed of a real `lydhor serve` (one worker, SQLite) on loopback.

    python bench/ingest.py [--seconds 10] [--connections 32] [--workers 1]

Prints notes/s and latency p50/p99 for `POST /api/notes` at 32 concurrent connections (wrk, from
Debian's package, with a Lua script that gives every request its own text and client_key), the batch
endpoint's notes/s (500 notes a request, 4 at a time), and in the same run the requests/s of the trivial
`GET /health` JSON endpoint on the same server, with the ratio between the two. Each phase also prints
the server's CPU time per request or note: on a shared machine it moves less than the rates do.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import cpu_seconds, free_port, start  # noqa: E402

_LUA_NOTES = r"""
local texts = {
  "Pakken kom først efter ti dage, kunden er meget utilfreds",
  "Fakturaen er forkert, vi er blevet trukket to gange",
  "Medarbejderen i butikken var utrolig sød og hjælpsom",
  "Har ventet 40 minutter i telefonkøen uden at få svar",
  "Appen logger meg ut hver gang jeg bytter skjerm",
  "Prisen på abonnementet har gått opp igjen uten varsel",
  "Pakka kom aldri fram, sjølv om sporinga seier levert",
  "Vil returnere skoene, de var for små",
}
local counter = 0
local thread_tag = 0
-- Every wrk thread has its own Lua state with the same random sequence: seed each apart.
init = function(args)
  thread_tag = tonumber(string.sub(tostring({}), -8), 16) or os.time()
  math.randomseed(os.time() + thread_tag)
end
request = function()
  counter = counter + 1
  local key = string.format("%08x-%04x-4%03x-8%03x-%012x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), counter + math.random(0, 0xffffff) * 4096)
  local body = '{"text": "' .. texts[(counter % #texts) + 1] .. ' (' .. counter .. ')", "channel": "phone", '
    .. '"customer_ref": "C-' .. thread_tag .. '-' .. (counter % 5000) .. '", "client_key": "' .. key .. '"}'
  return wrk.format("POST", "/api/notes", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("LYDHOR_KEY")}, body)
end
"""


def _lydhor(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _wrk(url: str, seconds: int, connections: int, script: str | None, env: dict[str, str]) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = {}
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if m:
            value = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
            latency[pct] = value
    return {"rps": rps, "p50": latency.get("50", 0.0), "p99": latency.get("99", 0.0), "errors": float(non2xx.group(1)) if non2xx else 0.0}


def _batches(base: str, key: str, batches: int, parallel: int) -> float:
    def one(i: int) -> int:
        notes = [
            {"text": f"Leveringen tog for lang tid, ordre {i}-{j}", "client_key": str(uuid.uuid4()), "channel": "email"}
            for j in range(500)
        ]
        r = httpx.post(f"{base}/api/notes/batch", json={"notes": notes}, headers={"Authorization": f"Bearer {key}"}, timeout=120)
        r.raise_for_status()
        return int(r.json()["created"])

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        created = sum(pool.map(one, range(batches)))
    return created / (time.perf_counter() - t0)


class _CpuMeter:
    """The server's CPU time from now on, per request or note (empty where it cannot be read)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = cpu_seconds(pid)

    def per(self, count: float, what: str) -> str:
        end = cpu_seconds(self.pid)
        if self.start is None or end is None or count <= 0:
            return ""
        return f"; server CPU {(end - self.start) / count * 1000:.2f} ms a {what}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (the targets are for one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    data = tempfile.mkdtemp(prefix="lydhor-bench-")
    # The per-key rate limit (6,000 a minute by default) would answer 429 within seconds at these rates;
    # set high rather than off, so that its check is still part of every request measured.
    env = {
        **os.environ, "LYDHOR_DATA_DIR": data, "LYDHOR_DATABASE_URL": "", "LYDHOR_LOG_LEVEL": "WARNING",
        "LYDHOR_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    _lydhor(env, "db", "upgrade")
    _lydhor(env, "teams", "create", "bench")
    _lydhor(env, "users", "create", "agent", "--role", "agent", "--team", "bench")
    key = _lydhor(env, "keys", "create", "--user", "agent")
    port = free_port()
    server = start(env, port, log=open(os.path.join(data, "server.log"), "w"), workers=args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_LUA_NOTES)
        wrk_env = {**env, "LYDHOR_KEY": key}
        _wrk(f"{base}/health", 2, args.connections, None, wrk_env)  # warm up
        cpu = _CpuMeter(server.pid)
        trivial = _wrk(f"{base}/health", args.seconds, args.connections, None, wrk_env)
        print(
            f"trivial GET /health      {trivial['rps']:,.0f} requests/s (p50 {trivial['p50']:.1f} ms, "
            f"p99 {trivial['p99']:.1f} ms){cpu.per(trivial['rps'] * args.seconds, 'request')}"
        )
        cpu = _CpuMeter(server.pid)
        notes = _wrk(base, args.seconds, args.connections, script.name, wrk_env)
        print(
            f"POST /api/notes          {notes['rps']:,.0f} notes/s at {args.connections} connections, "
            f"p50 {notes['p50']:.1f} ms, p99 {notes['p99']:.1f} ms, non-2xx {notes['errors']:.0f}"
            f"{cpu.per(notes['rps'] * args.seconds, 'note')}"
        )
        print(f"ratio                    {notes['rps'] / trivial['rps']:.2f} of the trivial endpoint's rate", flush=True)
        cpu = _CpuMeter(server.pid)
        batch_rate = _batches(base, key, batches=args.batches, parallel=args.parallel)
        print(
            f"POST /api/notes/batch    {batch_rate:,.0f} notes/s (500 a request, 4 in parallel)"
            f"{cpu.per(args.batches * 500, 'note')}"
        )
        print(json.dumps({"trivial_rps": trivial["rps"], "notes_rps": notes["rps"], "p99_ms": notes["p99"], "batch_nps": batch_rate}))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if os.environ.get("LYDHOR_BENCH_KEEP"):
            print(f"server log: {data}/server.log")
        else:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
