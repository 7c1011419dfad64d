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
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, Engine, and_, create_engine, event, insert, select

from service.models import Note, NoteRepeat, NoteTag, NoteTheme

__all__ = ["PreparedNote", "Outcome", "NoteWriter", "sync_url"]

log = logging.getLogger("lydhor.writer")

MAX_GROUP = 500
_NOTES = Note.__table__
_THEMES = NoteTheme.__table__
_TAGS = NoteTag.__table__
_REPEATS = NoteRepeat.__table__
_NEGATIVE = ("negative", "mixed")


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


def sync_url(url: str) -> str:
    """The synchronous driver's URL for an async one (the writer runs in a thread)."""
    return url.replace("sqlite+aiosqlite:", "sqlite:").replace("postgresql+asyncpg:", "postgresql+psycopg:")


def _make_sync_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=2, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        cursor = conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


_Item = tuple[PreparedNote, "asyncio.Future[Outcome]", asyncio.AbstractEventLoop]


class NoteWriter:
    """Stores prepared notes from one thread, a group per transaction."""

    def __init__(self, database_url: str, repeat_window_days: int) -> None:
        self._engine = _make_sync_engine(sync_url(database_url))
        self._window = dt.timedelta(days=repeat_window_days)
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="lydhor-note-writer", daemon=True)
        self._failures = 0

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
        return list(await asyncio.gather(*futures))

    def _run(self) -> None:
        running = True
        while running:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
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
                outcomes: list[Outcome | BaseException] = [self._store(conn, note) for note, _, _ in group]
        except Exception as exc:  # one bad note must not take the others with it: store them one by one
            if len(group) > 1:
                for item in group:
                    self._write([item])
                return
            log.exception("storing a note failed")
            outcomes = [exc]
        for (_, future, loop), outcome in zip(group, outcomes):
            loop.call_soon_threadsafe(_resolve, future, outcome)

    def _store(self, conn: Connection, note: PreparedNote) -> Outcome:
        if note.client_key is not None:
            found = conn.execute(
                select(_NOTES.c.id, _NOTES.c.content_hash).where(_NOTES.c.client_key == note.client_key)
            ).first()
            if found is not None:
                same = found.content_hash == note.content_hash
                return Outcome("existing" if same else "conflict", found.id)
        note.repeat_of = self._earlier_complaints(conn, note)
        row = dict(note.row, repeat=bool(note.repeat_of))
        conn.execute(insert(_NOTES), [row])
        if note.themes:
            conn.execute(insert(_THEMES), note.themes)
        if note.tags:
            conn.execute(insert(_TAGS), [{"note_id": row["id"], "tag": t, "position": i} for i, t in enumerate(note.tags)])
        if note.repeat_of:
            conn.execute(insert(_REPEATS), [{"note_id": row["id"], "earlier_id": e} for e in note.repeat_of])
        return Outcome("created", row["id"])

    def _earlier_complaints(self, conn: Connection, note: PreparedNote) -> list[uuid.UUID]:
        """The customer's negative notes on one of this note's themes within the repeat window."""
        row = note.row
        if row["sentiment"] not in _NEGATIVE or not row["customer_ref"] or not note.themes:
            return []
        captured: dt.datetime = row["captured_at"]
        query = (
            select(_NOTES.c.id)
            .where(
                _NOTES.c.customer_ref == row["customer_ref"],
                _NOTES.c.sentiment.in_(_NEGATIVE),
                _NOTES.c.captured_at >= captured - self._window,
                _NOTES.c.captured_at <= captured,
                select(_THEMES.c.note_id)
                .where(and_(_THEMES.c.note_id == _NOTES.c.id, _THEMES.c.theme_id.in_([t["theme_id"] for t in note.themes])))
                .exists(),
            )
            .order_by(_NOTES.c.captured_at)
        )
        return list(conn.execute(query).scalars())


def _resolve(future: asyncio.Future[Outcome], outcome: Outcome | BaseException) -> None:
    if future.done():  # the request went away; the note is stored all the same
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
