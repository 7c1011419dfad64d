"""One scope's notes of one week, read once: the quotes for themes, emerging phrases and praise, and the
week's repeat complaints are all chosen from this one read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from typing import Any

import msgspec
from sqlalchemy import Connection, Integer, String, Text, cast, select, type_coerce

from service import schemas
from service.models import Note, NoteTheme
from service.services.digest.counts import COMPANY

__all__ = ["WeekNotes", "WeekNote", "MAX_READ"]

# Past this many notes in a week, quotes come from a uniform sample of them (note ids are random, so the
# notes with the lowest ids are one). The figures never do: they come from the week counts.
MAX_READ = 5_000


_decode = msgspec.json.Decoder(list[str]).decode


@dataclass
class WeekNote:
    id: Any  # as the driver gives it: a UUID, or its hex text on SQLite
    text: str
    customer_ref: str | None
    verbatim: bool
    sentiment: str
    score: float
    channel: str
    captured: Any  # as the driver gives it: a datetime, or sortable ISO text on SQLite
    keyphrases: list[str]
    repeat: bool
    themes: list[str] = field(default_factory=list)

    @property
    def captured_at(self) -> dt.datetime:
        if isinstance(self.captured, dt.datetime):
            return self.captured.astimezone(dt.timezone.utc)
        return dt.datetime.fromisoformat(self.captured).replace(tzinfo=dt.timezone.utc)

    def quote(self) -> schemas.Quote:
        return schemas.Quote(
            note_id=self.id if isinstance(self.id, uuid.UUID) else uuid.UUID(self.id), text=self.text,
            customer_ref=self.customer_ref, verbatim=self.verbatim, sentiment=self.sentiment, channel=self.channel,
            captured_at=self.captured_at,
        )


def _quotability(note: WeekNote) -> tuple[bool, float]:
    """The customer's own words first, then the strongest feeling (notes are kept latest first, and the sort
    is stable: among equals the most recent wins)."""
    return (not note.verbatim, -abs(note.score))


def pick(notes: Iterable[WeekNote], limit: int) -> list[schemas.Quote]:
    """The best ``limit`` quotes from different customers (notes without a customer count as different)."""
    chosen: list[schemas.Quote] = []
    seen: set[str] = set()
    for note in sorted(notes, key=_quotability):
        if note.customer_ref is not None:
            if note.customer_ref in seen:
                continue
            seen.add(note.customer_ref)
        chosen.append(note.quote())
        if len(chosen) == limit:
            break
    return chosen


class WeekNotes:
    def __init__(self, conn: Connection, scope: int, start: dt.datetime, end: dt.datetime, total: int) -> None:
        # Read as the driver gives them (no per-row conversions): thousands of rows, of which a few dozen are
        # quoted. Ids and times are converted where they are used; phrase lists arrive as JSON text (PostgreSQL
        # would otherwise parse each with the slower standard decoder).
        columns = (
            type_coerce(Note.id, String), Note.text, Note.customer_ref, type_coerce(Note.verbatim, Integer),
            Note.sentiment, Note.sentiment_score, Note.channel, type_coerce(Note.captured_at, String),
            cast(Note.keyphrases, Text), type_coerce(Note.repeat, Integer), NoteTheme.theme_id,
        )
        query = (
            select(*columns)
            .outerjoin(NoteTheme, NoteTheme.note_id == Note.id)
            .where(Note.captured_at >= start, Note.captured_at < end)
        )
        if scope != COMPANY:
            query = query.where(Note.team_id == scope)
        if total > MAX_READ:
            query = query.where(Note.id < uuid.UUID(int=(2**128 * MAX_READ) // total))
        notes: dict[Any, WeekNote] = {}
        for note_id, text, customer, verbatim, sentiment, score, channel, captured, phrases, repeat, theme in conn.execute(query):
            note = notes.get(note_id)
            if note is None:
                note = notes[note_id] = WeekNote(
                    note_id, text, customer, bool(verbatim), sentiment, score, channel, captured,
                    _decode(phrases) if isinstance(phrases, str) else phrases or [], bool(repeat),
                )
            if theme is not None:
                note.themes.append(theme)
        self.notes = sorted(notes.values(), key=lambda n: n.captured, reverse=True)
        self.by_theme: dict[str, list[WeekNote]] = defaultdict(list)
        for note in self.notes:
            for theme in note.themes:
                self.by_theme[theme].append(note)

    def theme_quotes(self, theme_id: str, limit: int) -> tuple[list[schemas.Quote], list[str]]:
        """Quotes for a theme, and the phrases its notes share most (two-word phrases first)."""
        notes = self.by_theme.get(theme_id, [])
        phrases: Counter[str] = Counter(k for note in notes for k in set(note.keyphrases))
        common = [p for p, n in phrases.most_common(12) if n >= 2]
        about = [p for p in common if " " in p][:2]
        about += [p for p in common if p not in about and not any(p in a.split() for a in about)]
        return pick(notes, limit), about[:3]

    def phrase_quotes(self, phrase: str, limit: int) -> tuple[list[schemas.Quote], list[str]]:
        """Quotes whose key phrases hold ``phrase``, and the themes at least a third of those notes were given."""
        notes = [n for n in self.notes if phrase in n.keyphrases]
        themes: Counter[str] = Counter(t for n in notes for t in n.themes)
        return pick(notes, limit), [t for t, n in themes.most_common() if n * 3 >= len(notes)]

    def praise(self, limit: int) -> list[schemas.Quote]:
        return pick((n for n in self.notes if n.sentiment == "positive"), limit)

    def repeats(self) -> dict[tuple[str, str], WeekNote]:
        """The week's latest repeat complaint per customer and theme."""
        latest: dict[tuple[str, str], WeekNote] = {}
        for note in self.notes:
            if note.repeat and note.customer_ref:
                for theme in note.themes:
                    latest.setdefault((note.customer_ref, theme), note)
        return latest
