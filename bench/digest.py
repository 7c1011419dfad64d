"""Build time of a weekly digest with 1,000,000 notes in the database, on SQLite and on PostgreSQL.

    python bench/digest.py [--notes 1000000] [--engines sqlite,postgresql]

Fills a fresh, migrated database with notes over 12 ISO weeks (2026-W35 to W46) for 20 teams (the texts,
themes, sentiment and key phrases are real analyses of the project's labelled remarks, sampled), plus the
week counts the service keeps as notes arrive (computed with the service's own counting function), a few
thousand follow-ups and repeat complaints. Then builds the digest of the last week for every team and for
the whole company, as the service does (one connection, a worker thread), and prints the time per digest.
PostgreSQL is started from the installed server binaries (as the tests do).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from nlp import Analyzer, Taxonomy  # noqa: E402
from service.db import make_engine, make_sync_engine  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from service.services.digest.build import Scope, build_digest  # noqa: E402
from service.services.digest.counts import COMPANY, CountKey, note_counts  # noqa: E402
from service.services.digest.render import render_page  # noqa: E402
from service.services.digest.weeks import parse_week  # noqa: E402

TEAMS = 20
WEEKS = [parse_week("2026-W35").shift(k) for k in range(12)]
TZ = "Europe/Copenhagen"


def _pool() -> list[dict[str, Any]]:
    """Analyses of the labelled remarks the model is trained on: realistic texts, themes and phrases."""
    analyzer = Analyzer()
    pool = []
    for path in sorted((ROOT / "nlp" / "data" / "training").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                a = analyzer.analyze(json.loads(line)["text"])
                pool.append({"text": a.redacted, "lang": a.lang, "sentiment": a.sentiment, "score": a.sentiment_score,
                             "keyphrases": a.keyphrases, "themes": [(t.id, t.score) for t in a.themes]})
    return pool


def _generate(total: int, pool: list[dict[str, Any]]) -> tuple[list[tuple], list[tuple], Counter[CountKey], list[tuple]]:
    rng = random.Random(11)
    notes, themes, follow_ups = [], [], []
    counts: Counter[CountKey] = Counter()
    for i in range(total):
        team = 1 + i % TEAMS
        agent = 100 + (team - 1) * 10 + rng.randrange(10)
        week = WEEKS[rng.randrange(len(WEEKS))]
        start, _ = week.bounds(TZ)
        captured = start + dt.timedelta(seconds=rng.randrange(7 * 86400))
        p = pool[rng.randrange(len(pool))]
        note_id = uuid.UUID(int=rng.getrandbits(128))
        repeat = p["sentiment"] == "negative" and rng.random() < 0.03
        row = {"id": note_id, "team_id": team, "agent_id": agent, "customer_ref": f"C-{rng.randrange(150_000)}",
               "channel": rng.choice(("phone", "email", "chat", "store")), "verbatim": rng.random() < 0.7,
               "text": p["text"], "lang": p["lang"], "sentiment": p["sentiment"], "sentiment_score": p["score"],
               "keyphrases": p["keyphrases"], "captured_at": captured, "repeat": repeat}
        notes.append(row)
        for theme, score in p["themes"]:
            themes.append((note_id, theme, "nlp", score))
        counts.update(note_counts(row, [t for t, _ in p["themes"]], TZ, TZ))
        if rng.random() < 0.005:
            due = (captured + dt.timedelta(days=rng.randrange(2, 10))).date()
            closed = captured + dt.timedelta(days=3) if rng.random() < 0.6 else None
            follow_ups.append((note_id, team, agent, due, "done" if closed else "open", captured, closed))
    return [_note_tuple(n) for n in notes], themes, counts, follow_ups


def _note_tuple(n: dict[str, Any]) -> tuple:
    return (n["id"], n["team_id"], n["agent_id"], n["customer_ref"], n["channel"], n["verbatim"], n["text"], n["lang"],
            n["sentiment"], n["sentiment_score"], json.dumps(n["keyphrases"]), None, n["captured_at"], n["captured_at"],
            "import", None, "-", n["repeat"], n["agent_id"])


NOTE_COLUMNS = ("id, team_id, agent_id, customer_ref, channel, verbatim, text, lang, sentiment, sentiment_score, keyphrases, "
                "mood, captured_at, received_at, source, client_key, content_hash, repeat, created_by")


def _people(engine: Engine) -> None:
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with engine.begin() as conn:
        for t in range(1, TEAMS + 1):
            conn.execute(text("INSERT INTO teams (id, name, language, timezone, created_at) VALUES (:i, :n, 'da', :tz, :s)"),
                         {"i": t, "n": f"team{t}", "tz": TZ, "s": stamp})
            for a in range(10):
                uid = 100 + (t - 1) * 10 + a
                conn.execute(text("INSERT INTO users (id, name, role, active, created_at) VALUES (:i, :n, 'agent', true, :s)"),
                             {"i": uid, "n": f"agent{t}-{a}", "s": stamp})
                conn.execute(text("INSERT INTO memberships (user_id, team_id) VALUES (:u, :t)"), {"u": uid, "t": t})


def _fill(engine: Engine, data: tuple[list[tuple], list[tuple], Counter[CountKey], list[tuple]]) -> None:
    notes, themes, counts, follow_ups = data
    count_rows = [(s, d, w, v, n) for (s, d, w, v), n in counts.items()]
    fu_columns = "note_id, team_id, assignee_id, due, status, created_at, closed_at"
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cur:  # type: ignore[attr-defined]
                for table, columns, rows in (("notes", NOTE_COLUMNS, notes), ("note_themes", "note_id, theme_id, source, score", themes),
                                             ("week_counts", "scope, dim, week, value, n", count_rows), ("follow_ups", fu_columns, follow_ups)):
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                cur.execute("ANALYZE")
        else:
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.executemany(f"INSERT INTO notes ({NOTE_COLUMNS}) VALUES ({','.join('?' * 19)})",
                            [tuple(str(v).replace("-", "") if isinstance(v, uuid.UUID) else v.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
                                   if isinstance(v, dt.datetime) else v for v in r) for r in notes])
            cur.executemany("INSERT INTO note_themes (note_id, theme_id, source, score) VALUES (?,?,?,?)",
                            [(r[0].hex, r[1], r[2], r[3]) for r in themes])
            cur.executemany("INSERT INTO week_counts (scope, dim, week, value, n) VALUES (?,?,?,?,?)",
                            [(s, d, w.isoformat(), v, n) for s, d, w, v, n in count_rows])
            cur.executemany(f"INSERT INTO follow_ups ({fu_columns}) VALUES (?,?,?,?,?,?,?)",
                            [(r[0].hex, r[1], r[2], r[3].isoformat(), r[4], r[5].astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
                              r[6].astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") if r[6] else None) for r in follow_ups])
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _measure(engine: Engine, label: str) -> None:
    taxonomy = Taxonomy.default()
    scopes = [Scope(id=t, team=f"team{t}", timezone=TZ, language="da") for t in range(1, TEAMS + 1)]
    scopes.append(Scope(id=COMPANY, team=None, timezone=TZ, language="da"))
    week = WEEKS[-1]
    now = dt.datetime.now(dt.timezone.utc)
    times: dict[str, list[float]] = {"cold": [], "warm": [], "render": []}
    for round_ in ("cold", "warm"):
        for scope in scopes:
            with engine.connect() as conn:
                t0 = time.perf_counter()
                digest = build_digest(conn, scope=scope, week=week, taxonomy=taxonomy, link="", note_link="/notes/{id}",
                                      repeat_days=30, now=now)
                times[round_].append(time.perf_counter() - t0)
            if round_ == "warm":
                t0 = time.perf_counter()
                render_page(digest)
                times["render"].append(time.perf_counter() - t0)
    team_warm = times["warm"][:-1]
    print(f"{label}: digest of {week} per team: median {1000 * statistics.median(team_warm):.0f} ms, "
          f"max {1000 * max(team_warm):.0f} ms (first build in this process: median {1000 * statistics.median(times['cold'][:-1]):.0f} ms, "
          f"max {1000 * max(times['cold'][:-1]):.0f} ms)")
    print(f"{label}: whole-company digest: {1000 * times['warm'][-1]:.0f} ms (first build {1000 * times['cold'][-1]:.0f} ms); "
          f"rendering the page: median {1000 * statistics.median(times['render']):.1f} ms")
    print(f"{label}: last digest: {digest.volume.notes} notes, {len(digest.themes)} themes, {len(digest.emerging)} emerging topics, "
          f"{len(digest.repeat_complaints)} repeat complaints, {digest.follow_ups.open} open follow-ups")


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    await engine.dispose()


def _fill_and_measure(url: str, label: str, data: tuple[list[tuple], list[tuple], Counter[CountKey], list[tuple]]) -> None:
    asyncio.run(_migrate(url))
    engine = make_sync_engine(url)
    _people(engine)
    t0 = time.perf_counter()
    _fill(engine, data)
    print(f"{label}: filled in {time.perf_counter() - t0:.0f} s")
    _measure(engine, label)
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--sqlite-file", type=Path, help="keep the SQLite database here; an existing one is measured as it is")
    args = parser.parse_args()
    engines = args.engines.split(",")
    if args.sqlite_file and args.sqlite_file.exists() and engines == ["sqlite"]:
        engine = make_sync_engine(f"sqlite:///{args.sqlite_file}")
        _measure(engine, "sqlite")
        return 0
    t0 = time.perf_counter()
    pool = _pool()
    data = _generate(args.notes, pool)
    print(f"generated {args.notes:,} notes from {len(pool):,} analysed remarks, {len(data[2]):,} week counts, "
          f"{len(data[3]):,} follow-ups in {time.perf_counter() - t0:.0f} s")
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory() as folder:
            _fill_and_measure(f"sqlite+aiosqlite:///{args.sqlite_file or Path(folder) / 'bench.db'}", "sqlite", data)
    if "postgresql" in engines:
        from tests.pg import pg_bin, postgres_server

        bin_dir = pg_bin()
        if bin_dir is None:
            print("postgresql: skipped, no PostgreSQL server binaries installed")
            return 0
        with postgres_server(bin_dir) as dsn:
            _fill_and_measure(dsn.replace("postgresql://", "postgresql+asyncpg://"), "postgresql", data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
