"""The note writer: one thread that stores notes in groups, each group in one transaction.

Capturing a note is the hot path. Requests prepare their notes (validation, analysis) concurrently and
hand them to this writer; it takes whatever has queued up, checks idempotency keys, links repeat complaints,
inserts, commits once, and only then answers each request. One commit for many notes is what lets an
embedded SQLite database take thousands of notes a second, and a note is answered only once it is committed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from collections import Counter
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, Dialect, bindparam, insert, select

from service.db import DriverStatement, make_sync_engine
from service.models import Note, NoteRepeat, NoteTag, NoteTheme
from service.services.digest.counts import CountKey, Zones, count_rows, note_counts, upsert_statement

__all__ = ["PreparedNote", "Outcome", "NoteWriter"]

log = logging.getLogger("lydhor.writer")

MAX_GROUP = 500
GROUP_LINGER = 0.001  # seconds to wait for company when a note arrives alone: one commit then serves many
MAX_LINKS = 10  # a repeat complaint links to the customer's most recent earlier complaints
_NOTES = Note.__table__
_THEMES = NoteTheme.__table__
_TAGS = NoteTag.__table__
_REPEATS = NoteRepeat.__table__
_NEGATIVE = ("negative", "mixed")
_V = TypeVar("_V")


@dataclass
class PreparedNote:
    """A validated, analysed note, ready to insert: its row, theme rows and tags."""

    row: dict[str, Any]
    themes: list[dict[str, Any]]
    tags: list[str]
    client_key: uuid.UUID | None
    content_hash: str
    repeat_of: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What happened to a submitted note: stored, already there (same content), or a key conflict."""

    status: Literal["created", "existing", "conflict"]
    note_id: uuid.UUID


_Item = tuple[PreparedNote, "asyncio.Future[Outcome]", asyncio.AbstractEventLoop]


class NoteWriter:
    """Stores prepared notes from one thread, a group per transaction."""

    def __init__(self, database_url: str, repeat_window_days: int, company_tz: str) -> None:
        self._engine = make_sync_engine(database_url, writes=True)
        self._zones = Zones(company_tz)
        self._window = dt.timedelta(days=repeat_window_days)
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="lydhor-note-writer", daemon=True)
        self._sql = _Statements(self._engine.dialect)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._engine.dispose()

    async def submit(self, notes: list[PreparedNote]) -> list[Outcome]:
        """Store ``notes``; answers when they are committed, in order."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Outcome]] = [loop.create_future() for _ in notes]
        for note, future in zip(notes, futures):
            self._queue.put((note, future, loop))
        if len(futures) == 1:  # a single note (most requests): no gathering task
            return [await futures[0]]
        return list(await asyncio.gather(*futures))

    def _run(self) -> None:
        running = True
        while running:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            if self._queue.empty():
                time.sleep(GROUP_LINGER)
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    running = False
                    break
                group.append(item)
            self._write(group)

    def _write(self, group: list[_Item]) -> None:
        try:
            with self._engine.begin() as conn:
                outcomes: list[Outcome | BaseException] = list(self._store(conn, [note for note, _, _ in group]))
        except Exception as exc:  # one bad note must not take the others with it: store them one by one
            if len(group) > 1:
                for item in group:
                    self._write([item])
                return
            log.exception("storing a note failed")
            outcomes = [exc]
        # One wake-up of the event loop for the whole group, not one per note.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Outcome], Outcome | BaseException]]] = {}
        for (_, future, loop), outcome in zip(group, outcomes):
            by_loop.setdefault(loop, []).append((future, outcome))
        for loop, results in by_loop.items():
            loop.call_soon_threadsafe(_resolve_all, results)

    def _store(self, conn: Connection, notes: list[PreparedNote]) -> list[Outcome]:
        """Insert a group of notes with one statement per table; answers an outcome per note."""
        keys = [n.client_key for n in notes if n.client_key is not None]
        known = {key: (note_id, content_hash) for note_id, key, content_hash in self._sql.by_keys(conn, keys)} if keys else {}
        outcomes: list[Outcome] = []
        stored: list[PreparedNote] = []
        by_customer: dict[str, list[PreparedNote]] = {}  # the group's notes stored so far, per customer
        for note in notes:
            seen = known.get(note.client_key) if note.client_key is not None else None
            if seen is not None:
                outcomes.append(Outcome("existing" if seen[1] == note.content_hash else "conflict", seen[0]))
                continue
            ref = note.row["customer_ref"]
            earlier = by_customer.get(ref, ()) if ref else ()
            note.repeat_of = self._earlier_complaints(conn, note) + [
                e.row["id"] for e in earlier if _repeats(note, e, self._window)
            ]
            stored.append(note)
            if ref:
                by_customer.setdefault(ref, []).append(note)
            if note.client_key is not None:
                known[note.client_key] = (note.row["id"], note.content_hash)
            outcomes.append(Outcome("created", note.row["id"]))
        if stored:
            sql = self._sql
            sql.insert_notes.run_many(conn, [dict(n.row, repeat=bool(n.repeat_of)) for n in stored])
            themes = [t for n in stored for t in n.themes]
            tags = [{"note_id": n.row["id"], "tag": t, "position": i} for n in stored for i, t in enumerate(n.tags)]
            repeats = [{"note_id": n.row["id"], "earlier_id": e} for n in stored for e in n.repeat_of]
            for statement, rows in ((sql.insert_themes, themes), (sql.insert_tags, tags), (sql.insert_repeats, repeats)):
                if rows:
                    statement.run_many(conn, rows)
            # The digest's counts change in the same transaction as the notes: they can never disagree.
            counts: Counter[CountKey] = Counter()
            for n in stored:
                team_tz = self._zones.of(conn, n.row["team_id"])
                counts.update(note_counts(n.row, [t["theme_id"] for t in n.themes], team_tz, self._zones.company_tz))
            rows = count_rows(counts)
            if rows:
                sql.add_counts.run_many(conn, rows)
        return outcomes

    def _earlier_complaints(self, conn: Connection, note: PreparedNote) -> list[uuid.UUID]:
        """The customer's negative notes on one of this note's themes within the repeat window."""
        row = note.row
        if row["sentiment"] not in _NEGATIVE or not row["customer_ref"] or not note.themes:
            return []
        captured: dt.datetime = row["captured_at"]
        rows = self._sql.complaints(conn, row["customer_ref"], captured - self._window, captured, [t["theme_id"] for t in note.themes])
        return [note_id for (note_id,) in reversed(rows)]


class _Statements:
    """The writer's statements, compiled once for its database and run on the driver (``DriverStatement``):
    per note, SQLAlchemy's own work per execution cost more than the inserts. An IN list is one parameter
    per value, compiled for lengths rounded up to a power of two; the last value fills the rest."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self.insert_notes, self.insert_themes, self.insert_tags, self.insert_repeats = (
            DriverStatement(insert(t).values({c.name: bindparam(c.name, type_=c.type) for c in t.c}), dialect)
            for t in (_NOTES, _THEMES, _TAGS, _REPEATS)
        )
        # Built once: building the counts' upsert for every group cost more than the group's inserts.
        self.add_counts = DriverStatement(upsert_statement(dialect), dialect)
        self._by_keys: dict[int, DriverStatement] = {}
        self._complaints: dict[int, DriverStatement] = {}

    def by_keys(self, conn: Connection, keys: list[uuid.UUID]) -> list[tuple[Any, ...]]:
        """(id, client_key, content_hash) of the stored notes with one of these client keys."""
        values = _padded(keys)
        statement = self._by_keys.get(len(values))
        if statement is None:
            key = _NOTES.c.client_key
            query = select(_NOTES.c.id, key, _NOTES.c.content_hash).where(
                key.in_([bindparam(f"k{i}", type_=key.type) for i in range(len(values))])
            )
            statement = self._by_keys[len(values)] = DriverStatement(query, self._dialect)
        return statement.rows(conn, {f"k{i}": k for i, k in enumerate(values)})

    def complaints(
        self, conn: Connection, ref: str, since: dt.datetime, until: dt.datetime, themes: list[str]
    ) -> list[tuple[Any, ...]]:
        """The ids of a customer's latest negative notes (``MAX_LINKS`` at most, newest first) captured
        within [since, until] that share a theme with ``themes``."""
        values = _padded(themes)
        statement = self._complaints.get(len(values))
        if statement is None:
            notes, theme_id = _NOTES.c, _THEMES.c.theme_id
            query = (
                select(notes.id)
                .where(
                    notes.customer_ref == bindparam("ref"),
                    notes.sentiment.in_([bindparam(f"s{i}", value) for i, value in enumerate(_NEGATIVE)]),
                    notes.captured_at >= bindparam("since", type_=notes.captured_at.type),
                    notes.captured_at <= bindparam("until", type_=notes.captured_at.type),
                    select(_THEMES.c.note_id)
                    .where(
                        _THEMES.c.note_id == notes.id,
                        theme_id.in_([bindparam(f"t{i}", type_=theme_id.type) for i in range(len(values))]),
                    )
                    .exists(),
                )
                .order_by(notes.captured_at.desc())
                .limit(MAX_LINKS)
            )
            statement = self._complaints[len(values)] = DriverStatement(query, self._dialect)
        params: dict[str, Any] = {f"t{i}": t for i, t in enumerate(values)}
        params.update(ref=ref, since=since, until=until)
        return statement.rows(conn, params)


def _padded(values: list[_V]) -> list[_V]:
    """``values`` lengthened to a power of two by repeating the last one (the same IN list, fewer shapes)."""
    size = 1 << (len(values) - 1).bit_length()
    return values + [values[-1]] * (size - len(values))


def _repeats(note: PreparedNote, earlier: PreparedNote, window: dt.timedelta) -> bool:
    """Whether ``earlier`` (stored in the same group) is a complaint that ``note`` repeats."""
    a, b = note.row, earlier.row
    if a["sentiment"] not in _NEGATIVE or b["sentiment"] not in _NEGATIVE or not a["customer_ref"]:
        return False
    if a["customer_ref"] != b["customer_ref"] or not (a["captured_at"] - window <= b["captured_at"] <= a["captured_at"]):
        return False
    return bool({t["theme_id"] for t in note.themes} & {t["theme_id"] for t in earlier.themes})


def _resolve_all(results: list[tuple[asyncio.Future[Outcome], Outcome | BaseException]]) -> None:
    for future, outcome in results:
        if future.done():  # the request went away; the note is stored all the same
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
