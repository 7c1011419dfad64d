"""Latency of `GET /api/notes` with 1,000,000 notes in the embedded SQLite database.

    python bench/list_queries.py [--notes 1000000] [--requests 200]

Fills a fresh database through the migrations' schema (20 teams, 200 agents, 12 weeks, themes, tags,
customers), starts `lydhor serve` (one worker) on it, and times each kind of list query a manager or
agent makes (newest page, a team, a theme, a tag, a customer, a sentiment, a period, free text, the next
page by cursor) one request at a time from a client on loopback. Prints p50 and p99 per query in ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import free_port, start  # noqa: E402
THEMES = ["delivery", "price", "billing", "product_quality", "availability", "returns", "subscription",
          "wait_time", "staff", "communication", "digital", "store"]
TEXTS = [
    "Pakken kom først efter ti dage", "Fakturaen er forkert, trukket to gange", "Sød og hjælpsom medarbejder",
    "Ventet 40 minutter i telefonkøen", "Appen logger meg ut hele tiden", "Prisen har gått opp igjen",
    "Pakka kom aldri fram", "Vil returnere skoene", "Udsolgt i min størrelse", "Vil opsige abonnementet",
]


def _lydhor(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def _people(db: Path) -> None:
    """20 teams of 10 agents, and a manager of team3."""
    con = sqlite3.connect(db)
    stamp = "2026-01-01 00:00:00.000000"
    for t in range(20):
        con.execute("INSERT INTO teams (id, name, language, timezone, created_at) VALUES (?,?,?,?,?)",
                    (t + 1, f"team{t}", "da", "Europe/Copenhagen", stamp))
    users = [(f"agent{t}-{a}", "agent", t + 1) for t in range(20) for a in range(10)] + [("boss", "manager", 4)]
    for i, (name, role, team) in enumerate(users, start=100):
        con.execute("INSERT INTO users (id, name, role, active, created_at) VALUES (?,?,?,?,?)", (i, name, role, 1, stamp))
        con.execute("INSERT INTO memberships (user_id, team_id) VALUES (?,?)", (i, team))
    con.commit()
    con.close()


def _fill(db: Path, notes: int) -> None:
    """Bulk rows straight into the migrated schema (the API would take hours for a million)."""
    rng = random.Random(7)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    now = dt.datetime.now(dt.timezone.utc)
    agents = [(r[0], r[1]) for r in con.execute(
        "SELECT u.id, m.team_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.role = 'agent'")]
    batch = 20_000
    for first in range(0, notes, batch):
        rows, themes, tags = [], [], []
        for i in range(first, min(notes, first + batch)):
            agent, team = agents[i % len(agents)]
            note_id = uuid.UUID(int=rng.getrandbits(128)).hex
            captured = (now - dt.timedelta(seconds=rng.randrange(84 * 86400))).strftime("%Y-%m-%d %H:%M:%S.%f")
            sentiment = rng.choice(["negative"] * 5 + ["positive"] * 2 + ["neutral", "mixed"])
            rows.append((note_id, team, agent, f"C-{rng.randrange(200_000)}", rng.choice(["phone", "chat", "email"]),
                         1, rng.choice(TEXTS) + f" ({i})", "da", sentiment, -0.5, "[]", None, captured, captured,
                         "api", None, "x", 0, agent))
            for theme in rng.sample(THEMES, rng.choice([0, 1, 1, 1, 2])):
                themes.append((note_id, theme, "nlp", 0.8))
            if rng.random() < 0.3:
                tags.append((note_id, rng.choice(["ordre", "vip", "app", "tv"]), 0))
        con.executemany(
            "INSERT INTO notes (id, team_id, agent_id, customer_ref, channel, verbatim, text, lang, sentiment, "
            "sentiment_score, keyphrases, mood, captured_at, received_at, source, client_key, content_hash, repeat, "
            "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        con.executemany("INSERT INTO note_themes (note_id, theme_id, source, score) VALUES (?,?,?,?)", themes)
        con.executemany("INSERT INTO note_tags (note_id, tag, position) VALUES (?,?,?)", tags)
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="lydhor-list-"))
    env = {**os.environ, "LYDHOR_DATA_DIR": str(data), "LYDHOR_DATABASE_URL": "", "LYDHOR_LOG_LEVEL": "WARNING"}
    admin_key = _lydhor(env, "db", "upgrade").splitlines()[-1].strip()
    _people(data / "lydhor.db")
    manager = _lydhor(env, "keys", "create", "--user", "boss")
    agent = _lydhor(env, "keys", "create", "--user", "agent3-1")
    t0 = time.perf_counter()
    _fill(data / "lydhor.db", args.notes)
    print(f"filled {args.notes:,} notes in {time.perf_counter() - t0:.0f} s")
    # The notes were written around the service: count them for the digests now, as a service would
    # do once at its first start (which would otherwise outlast the wait for it to become ready).
    t0 = time.perf_counter()
    _lydhor(env, "digest", "recount")
    print(f"counted them for the digests in {time.perf_counter() - t0:.0f} s")
    port = free_port()
    server = start(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)).isoformat()
        queries = {
            "admin: newest page": (admin_key, {}),
            "manager: own team": (manager, {}),
            "admin: team filter": (admin_key, {"team": "team5"}),
            "manager: theme": (manager, {"theme": "delivery"}),
            "manager: tag": (manager, {"tag": "vip"}),
            "admin: customer": (admin_key, {"customer": "C-4711"}),
            "manager: sentiment": (manager, {"sentiment": "positive"}),
            "manager: last 7 days": (manager, {"from": since}),
            "agent: own notes": (agent, {}),
            "manager: free text": (manager, {"q": "telefonkøen"}),
        }
        with httpx.Client(base_url=base, timeout=30) as client:
            for name, (key, params) in queries.items():
                headers = {"Authorization": f"Bearer {key}"}
                timings = []
                cursor = None
                for _ in range(args.requests):
                    t = time.perf_counter()
                    r = client.get("/api/notes", params=params | ({"cursor": cursor} if cursor else {}), headers=headers)
                    timings.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                    cursor = r.json()["next"]
                timings.sort()
                p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
                print(f"{name:24s} p50 {statistics.median(timings):7.1f} ms   p99 {p99:7.1f} ms  (pages followed by cursor)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if os.environ.get("LYDHOR_BENCH_KEEP"):
            print(f"database kept in {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)  # close to a gigabyte
    return 0


if __name__ == "__main__":
    sys.exit(main())
