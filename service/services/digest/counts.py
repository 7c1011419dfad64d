"""Running counts per scope and ISO week, kept up to date as notes arrive, change or go.

A digest reads these instead of the notes: volume by channel and language, sentiment, agents, themes and
their polarity, and the key phrases that emerging topics are found in. Scope is a team id, or ``COMPANY``
(0) for the whole company, whose weeks follow the company's time zone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, bindparam, delete, select

from service.db import upsert_insert
from service.models import Note, NoteTheme, Team, WeekCount
from service.services.digest.weeks import week_of

__all__ = ["COMPANY", "CountKey", "Zones", "note_counts", "apply_counts", "count_rows", "upsert_statement", "counts_of_notes", "rebuild_counts", "ensure_counts"]

COMPANY = 0
MAX_VALUE = 160  # longest stored value; longer key phrases are not counted (they never recur anyway)
CountKey = tuple[int, str, dt.date, str]  # scope, dim, week (Monday), value
KEY = ("scope", "dim", "week", "value")
_TABLE = WeekCount.__table__


class Zones:
    """The time zone of each team (and of the company), read once and refreshed when a team is new."""

    def __init__(self, company_tz: str) -> None:
        self.company_tz = company_tz
        self._teams: dict[int, str] = {}

    def of(self, conn: Connection, team_id: int) -> str:
        tz = self._teams.get(team_id)
        if tz is None:
            self._teams = {team_id: tz for team_id, tz in conn.execute(select(Team.id, Team.timezone))}
            tz = self._teams.get(team_id, self.company_tz)
        return tz


def note_counts(
    row: Mapping[str, Any], theme_ids: Iterable[str], team_tz: str, company_tz: str, sign: int = 1
) -> Counter[CountKey]:
    """What one note adds to the counts (``sign=-1``: what removing it takes away)."""
    captured: dt.datetime = row["captured_at"]
    sentiment = row["sentiment"]
    values: list[tuple[str, str]] = [
        ("notes", ""),
        ("channel", row["channel"]),
        ("lang", row["lang"]),
        ("sentiment", sentiment),
        ("agent", str(row["agent_id"])),
    ]
    for theme in set(theme_ids):
        values.append(("theme", theme))
        if sentiment in ("negative", "positive"):
            values.append((f"theme_{sentiment}", theme))
    values.extend(("lemma", k) for k in set(row.get("keyphrases") or ()) if len(k) <= MAX_VALUE)
    counts: Counter[CountKey] = Counter()
    for scope, tz in ((row["team_id"], team_tz), (COMPANY, company_tz)):
        week = week_of(captured, tz).monday
        for dim, value in values:
            counts[(scope, dim, week, value)] += sign
    return counts


def count_rows(counts: Counter[CountKey]) -> list[dict[str, Any]]:
    """``counts`` as rows for ``upsert_statement``, in key order: concurrent writers then lock rows in the
    same order and cannot deadlock each other."""
    return [{"scope": s, "dim": d, "week": w, "value": v, "n": n} for (s, d, w, v), n in sorted(counts.items()) if n]


def upsert_statement(dialect: Dialect) -> Insert:
    """The statement that adds a row's ``n`` to the stored count (inserting it when new)."""
    statement = upsert_insert(dialect, _TABLE)
    statement = statement.values({c.name: bindparam(c.name, type_=c.type) for c in _TABLE.c})
    return statement.on_conflict_do_update(index_elements=list(KEY), set_={"n": _TABLE.c.n + statement.excluded.n})


def apply_counts(conn: Connection, counts: Counter[CountKey]) -> None:
    """Add ``counts`` to the table in one statement."""
    rows = count_rows(counts)
    if rows:
        conn.execute(upsert_statement(conn.dialect), rows)


def counts_of_notes(conn: Connection, note_ids: Sequence[uuid.UUID], zones: Zones, sign: int) -> Counter[CountKey]:
    """What the stored notes ``note_ids`` contribute to the counts, as they are now."""
    counts: Counter[CountKey] = Counter()
    if not note_ids:
        return counts
    columns = [Note.id, Note.team_id, Note.agent_id, Note.channel, Note.lang, Note.sentiment, Note.keyphrases, Note.captured_at]
    themes: dict[uuid.UUID, list[str]] = {}
    for note_id, theme_id in conn.execute(select(NoteTheme.note_id, NoteTheme.theme_id).where(NoteTheme.note_id.in_(note_ids))):
        themes.setdefault(note_id, []).append(theme_id)
    for row in conn.execute(select(*columns).where(Note.id.in_(note_ids))).mappings():
        counts.update(note_counts(row, themes.get(row["id"], ()), zones.of(conn, row["team_id"]), zones.company_tz, sign))
    return counts


def rebuild_counts(conn: Connection, company_tz: str, batch: int = 5000) -> int:
    """Recount everything from the notes (after a change of taxonomy, or for a database from before the
    counts existed). Answers how many notes were counted."""
    zones = Zones(company_tz)
    if conn.dialect.name == "postgresql":
        # Note writers wait until the recount is committed; their notes are then counted once, by them.
        conn.exec_driver_sql("LOCK TABLE week_counts IN EXCLUSIVE MODE")
    conn.execute(delete(WeekCount))
    total = 0
    last: uuid.UUID | None = None
    while True:
        query = select(Note.id).order_by(Note.id).limit(batch)
        if last is not None:
            query = query.where(Note.id > last)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return total
        apply_counts(conn, counts_of_notes(conn, ids, zones, 1))
        total += len(ids)
        last = ids[-1]


def ensure_counts(conn: Connection, company_tz: str) -> int:
    """Count the notes of a database from before the week counts existed (once: an empty table with notes
    present). Answers how many notes were counted."""
    has_counts = conn.execute(select(WeekCount.scope).limit(1)).first() is not None
    if has_counts or conn.execute(select(Note.id).limit(1)).first() is None:
        return 0
    return rebuild_counts(conn, company_tz)
