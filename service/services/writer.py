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
from typing import Any, Literal

from collections import Counter

from sqlalchemy import Connection, and_, bindparam, insert, select

from service.db import make_sync_engine
from service.models import Note, NoteRepeat, NoteTag, NoteTheme
from service.services.digest.counts import CountKey, Zones, apply_counts, note_counts

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
        # Statements built once: building SQLAlchemy expressions per note costs more than running them.
        self._by_keys = select(_NOTES.c.id, _NOTES.c.client_key, _NOTES.c.content_hash).where(
            _NOTES.c.client_key.in_(bindparam("keys", expanding=True))
        )
        self._complaints = (
            select(_NOTES.c.id)
            .where(
                _NOTES.c.customer_ref == bindparam("ref"),
                _NOTES.c.sentiment.in_(_NEGATIVE),
                _NOTES.c.captured_at >= bindparam("since", type_=_NOTES.c.captured_at.type),
                _NOTES.c.captured_at <= bindparam("until", type_=_NOTES.c.captured_at.type),
                select(_THEMES.c.note_id)
                .where(and_(_THEMES.c.note_id == _NOTES.c.id, _THEMES.c.theme_id.in_(bindparam("themes", expanding=True))))
                .exists(),
            )
            .order_by(_NOTES.c.captured_at.desc())
            .limit(MAX_LINKS)
        )
        self._insert_note = insert(_NOTES)
        self._insert_themes = insert(_THEMES)
        self._insert_tags = insert(_TAGS)
        self._insert_repeats = insert(_REPEATS)

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
        known = {row.client_key: (row.id, row.content_hash) for row in conn.execute(self._by_keys, {"keys": keys})} if keys else {}
        outcomes: list[Outcome] = []
        stored: list[PreparedNote] = []
        for note in notes:
            seen = known.get(note.client_key) if note.client_key is not None else None
            if seen is not None:
                outcomes.append(Outcome("existing" if seen[1] == note.content_hash else "conflict", seen[0]))
                continue
            note.repeat_of = self._earlier_complaints(conn, note) + [e.row["id"] for e in stored if _repeats(note, e, self._window)]
            stored.append(note)
            if note.client_key is not None:
                known[note.client_key] = (note.row["id"], note.content_hash)
            outcomes.append(Outcome("created", note.row["id"]))
        if stored:
            conn.execute(self._insert_note, [dict(n.row, repeat=bool(n.repeat_of)) for n in stored])
            themes = [t for n in stored for t in n.themes]
            tags = [{"note_id": n.row["id"], "tag": t, "position": i} for n in stored for i, t in enumerate(n.tags)]
            repeats = [{"note_id": n.row["id"], "earlier_id": e} for n in stored for e in n.repeat_of]
            for statement, rows in ((self._insert_themes, themes), (self._insert_tags, tags), (self._insert_repeats, repeats)):
                if rows:
                    conn.execute(statement, rows)
            # The digest's counts change in the same transaction as the notes: they can never disagree.
            counts: Counter[CountKey] = Counter()
            for n in stored:
                team_tz = self._zones.of(conn, n.row["team_id"])
                counts.update(note_counts(n.row, [t["theme_id"] for t in n.themes], team_tz, self._zones.company_tz))
            apply_counts(conn, counts)
        return outcomes

    def _earlier_complaints(self, conn: Connection, note: PreparedNote) -> list[uuid.UUID]:
        """The customer's negative notes on one of this note's themes within the repeat window."""
        row = note.row
        if row["sentiment"] not in _NEGATIVE or not row["customer_ref"] or not note.themes:
            return []
        captured: dt.datetime = row["captured_at"]
        params = {
            "ref": row["customer_ref"],
            "since": captured - self._window,
            "until": captured,
            "themes": [t["theme_id"] for t in note.themes],
        }
        return list(reversed(conn.execute(self._complaints, params).scalars().all()))


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
