"""Notes as they go out on the wire: from ORM objects, from table rows (pages), or from a just-stored note."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, select

from service import schemas
from service.errors import Invalid
from service.models import FollowUp, Note, NoteRepeat, NoteTag, NoteTheme
from service.services.writer import PreparedNote

__all__ = ["note_out", "prepared_out", "page", "encode_cursor", "decode_cursor"]

# Fields copied as they are from a note's row.
_COPIED = (
    "id", "customer_ref", "channel", "verbatim", "text", "lang", "sentiment", "sentiment_score", "mood",
    "captured_at", "received_at", "source", "client_key",
)


def _out(
    fields: Mapping[str, Any],
    *,
    team: str,
    agent: str,
    themes: list[schemas.NoteThemeOut],
    tags: list[str],
    repeat_of: list[uuid.UUID],
    follow_up: int | None,
) -> schemas.NoteOut:
    return schemas.NoteOut(
        **{name: fields[name] for name in _COPIED},
        team=team,
        agent=agent,
        themes=themes,
        tags=tags,
        keyphrases=list(fields["keyphrases"]),
        repeat=bool(repeat_of),
        repeat_of=repeat_of,
        follow_up=follow_up,
    )


def note_out(note: Note) -> schemas.NoteOut:
    return _out(
        {name: getattr(note, name) for name in (*_COPIED, "keyphrases")},
        team=note.team.name,
        agent=note.agent.name,
        themes=[schemas.NoteThemeOut(id=t.theme_id, source=t.source, score=t.score) for t in note.themes],  # type: ignore[arg-type]
        tags=[t.tag for t in note.tag_rows],
        repeat_of=[r.earlier_id for r in note.repeat_links],
        follow_up=note.follow_up.id if note.follow_up else None,
    )


def prepared_out(note: PreparedNote, team: str, agent: str) -> schemas.NoteOut:
    """A note the writer has just stored, without reading it back."""
    return _out(
        note.row,
        team=team,
        agent=agent,
        themes=[schemas.NoteThemeOut(id=t["theme_id"], source=t["source"], score=t["score"]) for t in note.themes],
        tags=note.tags,
        repeat_of=note.repeat_of,
        follow_up=None,
    )


def encode_cursor(received_at: dt.datetime, note_id: uuid.UUID) -> str:
    raw = f"{received_at.isoformat()}|{note_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, note_id = raw.partition("|")
        return dt.datetime.fromisoformat(stamp), uuid.UUID(note_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("the cursor is not one this service gave out", field="cursor") from exc


def page(query: Select, size: int, conn: Connection) -> tuple[list[schemas.NoteOut], str | None]:  # type: ignore[type-arg]
    """Run a page query (``size + 1`` rows with ``team_name``/``agent_name``); the notes and the next cursor."""
    rows = conn.execute(query).all()
    next_cursor = encode_cursor(rows[size - 1].received_at, rows[size - 1].id) if len(rows) > size else None
    return _rows_out(conn, rows[:size]), next_cursor


def _rows_out(conn: Connection, rows: Sequence[Row[Any]]) -> list[schemas.NoteOut]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    themes: dict[uuid.UUID, list[schemas.NoteThemeOut]] = {i: [] for i in ids}
    tags: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    repeats: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    theme_rows = select(NoteTheme.note_id, NoteTheme.theme_id, NoteTheme.source, NoteTheme.score)
    for t in conn.execute(theme_rows.where(NoteTheme.note_id.in_(ids)).order_by(NoteTheme.theme_id)):
        themes[t.note_id].append(schemas.NoteThemeOut(id=t.theme_id, source=t.source, score=t.score))
    tag_rows = select(NoteTag.note_id, NoteTag.tag).where(NoteTag.note_id.in_(ids)).order_by(NoteTag.position)
    for t in conn.execute(tag_rows):
        tags[t.note_id].append(t.tag)
    for r in conn.execute(select(NoteRepeat.note_id, NoteRepeat.earlier_id).where(NoteRepeat.note_id.in_(ids))):
        repeats[r.note_id].append(r.earlier_id)
    follow_ups = dict(conn.execute(select(FollowUp.note_id, FollowUp.id).where(FollowUp.note_id.in_(ids))).all())
    return [
        _out(
            r._mapping,
            team=r.team_name,
            agent=r.agent_name,
            themes=themes[r.id],
            tags=tags[r.id],
            repeat_of=repeats[r.id],
            follow_up=follow_ups.get(r.id),
        )
        for r in rows
    ]
