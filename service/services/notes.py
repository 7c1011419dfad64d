"""Notes: capture (idempotent), analysis, repeat complaints, reading, correcting and deleting."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy import Select, and_, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nlp import Analysis
from service import schemas
from service.db import utcnow
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.models import Note, NoteCorrection, NoteRepeat, NoteTag, NoteTheme, Team, User
from service.services.admin import audit, team_by_name, user_by_name
from service.services.auth import Principal
from service.services.taxonomy import AnalyzerHolder
from service.settings import Settings

__all__ = ["NoteService", "NoteFilters", "note_out", "can_read", "can_write"]

MAX_PAGE = 200
_hash_encoder = msgspec.json.Encoder(order="deterministic")


@dataclass(frozen=True)
class NoteFilters:
    team: str | None = None
    agent: str | None = None
    customer: str | None = None
    theme: str | None = None
    tag: str | None = None
    sentiment: str | None = None
    lang: str | None = None
    channel: str | None = None
    verbatim: bool | None = None
    date_from: dt.datetime | None = None
    date_to: dt.datetime | None = None
    q: str | None = None


def note_out(note: Note) -> schemas.NoteOut:
    return schemas.NoteOut(
        id=note.id,
        team=note.team.name,
        agent=note.agent.name,
        customer_ref=note.customer_ref,
        channel=note.channel,
        verbatim=note.verbatim,
        text=note.text,
        lang=note.lang,
        sentiment=note.sentiment,
        sentiment_score=note.sentiment_score,
        themes=[schemas.NoteThemeOut(id=t.theme_id, source=t.source, score=t.score) for t in note.themes],  # type: ignore[arg-type]
        tags=[t.tag for t in note.tag_rows],
        keyphrases=list(note.keyphrases),
        mood=note.mood,
        captured_at=note.captured_at,
        received_at=note.received_at,
        source=note.source,
        client_key=note.client_key,
        repeat=note.repeat,
        repeat_of=[r.earlier_id for r in note.repeat_links],
        follow_up=note.follow_up.id if note.follow_up else None,
    )


def can_read(principal: Principal, note: Note) -> bool:
    """Admins read all; managers their teams; agents their own notes and any customer's history."""
    if principal.is_admin:
        return True
    if principal.role == "manager" and note.team_id in principal.team_ids:
        return True
    if principal.role in ("agent", "manager") and (note.agent_id == principal.user_id or note.customer_ref):
        return True
    return False


def can_write(principal: Principal, note: Note) -> bool:
    """Admins change any note; managers those of their teams; agents their own."""
    if principal.is_admin:
        return True
    if principal.role == "manager":
        return note.team_id in principal.team_ids
    return principal.role == "agent" and note.agent_id == principal.user_id


def _content_hash(data: schemas.NoteCreate, redacted: str) -> str:
    """What makes two submissions the same note; the redacted text stands in for the text."""
    fields = msgspec.to_builtins(data)
    fields["text"] = redacted
    fields.pop("client_key", None)
    return hashlib.sha256(_hash_encoder.encode(fields)).hexdigest()


def encode_cursor(note: Note) -> str:
    raw = f"{note.received_at.isoformat()}|{note.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, note_id = raw.partition("|")
        return dt.datetime.fromisoformat(stamp), uuid.UUID(note_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("the cursor is not one this service gave out", field="cursor") from exc


class NoteService:
    """Note operations for one request: one session, one caller."""

    def __init__(self, session: AsyncSession, holder: AnalyzerHolder, settings: Settings, principal: Principal):
        self.session = session
        self.holder = holder
        self.settings = settings
        self.principal = principal

    # --- capture -------------------------------------------------------------------------------

    async def create(self, data: schemas.NoteCreate) -> tuple[Note, bool]:
        """Store a note; answers it and whether it is new (False: the same client_key was seen)."""
        text = data.text.strip()
        if not text:
            raise Invalid("text is empty after trimming white space", field="text")
        await self.holder.refresh(self.session)
        analyzer = self.holder.analyzer
        analysis = analyzer.analyze(text)
        content_hash = _content_hash(data, analysis.redacted)
        if data.client_key is not None:
            existing = await self._by_client_key(data.client_key)
            if existing is not None:
                return self._same_or_conflict(existing, content_hash), False
        team, agent = await self._team_and_agent(data)
        unknown = [t for t in data.themes if t not in analyzer.taxonomy]
        if unknown:
            raise Invalid(f"unknown theme(s): {', '.join(unknown)}", field="themes")
        note = self._build(data, analysis, team, agent, content_hash)
        try:
            async with self.session.begin_nested():
                self.session.add(note)
                await self.session.flush()
        except IntegrityError:
            # Another request with the same client_key won the race: answer what it stored.
            if data.client_key is None:
                raise
            existing = await self._by_client_key(data.client_key)
            if existing is None:
                raise
            return self._same_or_conflict(existing, content_hash), False
        await self._mark_repeat(note)
        return note, True

    async def _by_client_key(self, key: uuid.UUID) -> Note | None:
        return (await self.session.execute(select(Note).where(Note.client_key == key))).scalar_one_or_none()

    def _same_or_conflict(self, existing: Note, content_hash: str) -> Note:
        if existing.content_hash != content_hash:
            raise Conflict(
                f"client_key {existing.client_key} was already used for a different note", field="client_key"
            )
        if not can_read(self.principal, existing) and existing.created_by != self.principal.user_id:
            raise Conflict(f"client_key {existing.client_key} is already in use", field="client_key")
        return existing

    async def _team_and_agent(self, data: schemas.NoteCreate) -> tuple[Team, User]:
        p = self.principal
        if data.agent is not None and data.agent != p.name:
            if p.role not in ("integration", "admin"):
                raise Forbidden("only integration keys may post notes on behalf of another agent", field="agent")
            agent = await user_by_name(self.session, data.agent)
            if agent.role not in ("agent", "manager"):
                raise Invalid(f"{agent.name!r} is not an agent", field="agent")
        elif p.role == "integration":
            raise Invalid("an integration key must name the agent the note is from", field="agent")
        else:
            agent = await user_by_name(self.session, p.name)
        agent_teams = {t.name: t for t in agent.teams}
        if data.team is not None:
            team = agent_teams.get(data.team)
            if team is None:
                await team_by_name(self.session, data.team)  # 404 for a team that does not exist
                raise Forbidden(f"{agent.name!r} is not a member of team {data.team!r}", field="team")
        elif len(agent_teams) == 1:
            team = next(iter(agent_teams.values()))
        elif not agent_teams:
            raise Invalid(f"{agent.name!r} belongs to no team; notes belong to a team", field="team")
        else:
            raise Invalid(f"{agent.name!r} is in several teams: say which one in 'team'", field="team")
        if p.role == "integration" and team.id not in p.team_ids:
            raise Forbidden(f"this integration may not post notes for team {team.name!r}", field="team")
        return team, agent

    def _build(self, data: schemas.NoteCreate, analysis: Analysis, team: Team, agent: User, content_hash: str) -> Note:
        now = utcnow()
        captured = data.captured_at or now
        if captured.tzinfo is None:
            captured = captured.replace(tzinfo=dt.timezone.utc)
        if data.themes:
            # The agent's choice is the note's theme set; the analysis' scores stay where it agreed.
            nlp_scores = {t.id: t.score for t in analysis.themes}
            themes = [NoteTheme(theme_id=t, source="agent", score=nlp_scores.get(t, 1.0)) for t in dict.fromkeys(data.themes)]
        else:
            themes = [NoteTheme(theme_id=t.id, source="nlp", score=t.score) for t in analysis.themes]
        return Note(
            id=uuid.uuid4(),
            team_id=team.id,
            team=team,
            agent_id=agent.id,
            agent=agent,
            customer_ref=data.customer_ref.strip() if data.customer_ref else None,
            channel=data.channel,
            verbatim=data.verbatim,
            text=analysis.redacted,
            lang=analysis.lang,
            sentiment=analysis.sentiment,
            sentiment_score=analysis.sentiment_score,
            tag_rows=[NoteTag(tag=t, position=i) for i, t in enumerate(dict.fromkeys(data.tags))],
            keyphrases=analysis.keyphrases,
            mood=data.mood,
            captured_at=captured,
            received_at=now,
            source=data.source,
            client_key=data.client_key,
            content_hash=content_hash,
            created_by=self.principal.user_id,
            themes=themes,
            repeat_links=[],
            follow_up=None,
        )

    async def _mark_repeat(self, note: Note) -> None:
        """A customer's negative note on a theme they complained about within the window is a repeat."""
        if note.sentiment not in ("negative", "mixed") or not note.customer_ref or not note.themes:
            return
        window = dt.timedelta(days=self.settings.repeat_window_days)
        theme_ids = [t.theme_id for t in note.themes]
        earlier = (
            await self.session.execute(
                select(Note.id)
                .where(
                    Note.customer_ref == note.customer_ref,
                    Note.id != note.id,
                    Note.sentiment.in_(("negative", "mixed")),
                    Note.captured_at >= note.captured_at - window,
                    Note.captured_at <= note.captured_at,
                    exists().where(NoteTheme.note_id == Note.id, NoteTheme.theme_id.in_(theme_ids)),
                )
                .order_by(Note.captured_at)
            )
        ).scalars().all()
        if earlier:
            note.repeat = True
            note.repeat_links = [NoteRepeat(note_id=note.id, earlier_id=e) for e in earlier]
            await self.session.flush()

    # --- reading ------------------------------------------------------------------------------

    async def get(self, note_id: uuid.UUID) -> Note:
        note = await self.session.get(Note, note_id)
        if note is None:
            raise NotFound(f"no note {note_id}")
        if not can_read(self.principal, note):
            raise Forbidden(f"note {note_id} belongs to a team you cannot read")
        return note

    async def list(self, filters: NoteFilters, cursor: str | None, limit: int | None) -> tuple[list[Note], str | None]:
        p = self.principal
        if p.role == "integration":
            raise Forbidden("integration keys post notes; they cannot list them")
        size = min(MAX_PAGE, max(1, limit or self.settings.page_size))
        query = self._visible(select(Note))
        query = await self._filtered(query, filters)
        if cursor:
            stamp, last_id = decode_cursor(cursor)
            query = query.where(or_(Note.received_at < stamp, and_(Note.received_at == stamp, Note.id < last_id)))
        query = query.order_by(Note.received_at.desc(), Note.id.desc()).limit(size + 1)
        notes = list((await self.session.execute(query)).unique().scalars())
        next_cursor = encode_cursor(notes[size - 1]) if len(notes) > size else None
        return notes[:size], next_cursor

    def _visible(self, query: Select) -> Select:  # type: ignore[type-arg]
        p = self.principal
        if p.is_admin:
            return query
        if p.role == "manager":
            return query.where(Note.team_id.in_(p.team_ids))
        return query.where(Note.agent_id == p.user_id)

    async def _filtered(self, query: Select, f: NoteFilters) -> Select:  # type: ignore[type-arg]
        if f.team is not None:
            query = query.where(Note.team_id == (await team_by_name(self.session, f.team)).id)
        if f.agent is not None:
            query = query.where(Note.agent_id == (await user_by_name(self.session, f.agent)).id)
        if f.customer is not None:
            query = query.where(Note.customer_ref == f.customer)
        if f.theme is not None:
            query = query.where(exists().where(NoteTheme.note_id == Note.id, NoteTheme.theme_id == f.theme))
        if f.tag is not None:
            query = query.where(exists().where(NoteTag.note_id == Note.id, NoteTag.tag == f.tag))
        for column, value in ((Note.sentiment, f.sentiment), (Note.lang, f.lang), (Note.channel, f.channel)):
            if value is not None:
                query = query.where(column == value)
        if f.verbatim is not None:
            query = query.where(Note.verbatim == f.verbatim)
        if f.date_from is not None:
            query = query.where(Note.captured_at >= f.date_from)
        if f.date_to is not None:
            query = query.where(Note.captured_at < f.date_to)
        if f.q:
            escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Note.text.ilike(f"%{escaped}%", escape="\\"))
        return query

    # --- changing -----------------------------------------------------------------------------

    async def patch(self, note_id: uuid.UUID, data: schemas.NotePatch) -> Note:
        note = await self.get(note_id)
        if not can_write(self.principal, note):
            raise Forbidden(f"you cannot change note {note_id}")
        before = {"themes": [t.theme_id for t in note.themes], "tags": [t.tag for t in note.tag_rows]}
        if data.themes is not None:
            taxonomy = self.holder.taxonomy
            unknown = [t for t in data.themes if t not in taxonomy]
            if unknown:
                raise Invalid(f"unknown theme(s): {', '.join(unknown)}", field="themes")
            scores = {t.theme_id: t.score for t in note.themes}
            note.themes = [
                NoteTheme(note_id=note.id, theme_id=t, source="agent", score=scores.get(t, 1.0))
                for t in dict.fromkeys(data.themes)
            ]
        if data.tags is not None:
            note.tag_rows = [NoteTag(note_id=note.id, tag=t, position=i) for i, t in enumerate(dict.fromkeys(data.tags))]
        after = {"themes": [t.theme_id for t in note.themes], "tags": [t.tag for t in note.tag_rows]}
        if after != before:
            self.session.add(NoteCorrection(note_id=note.id, user_id=self.principal.user_id, before=before, after=after))
        await self.session.flush()
        return note

    async def delete(self, note_id: uuid.UUID) -> None:
        if not self.principal.is_admin:
            raise Forbidden("only an admin may delete notes")
        note = await self.session.get(Note, note_id)
        if note is None:
            raise NotFound(f"no note {note_id}")
        audit(
            self.session,
            self.principal.user_id,
            "note.delete",
            str(note_id),
            team=note.team.name,
            agent=note.agent.name,
            captured_at=note.captured_at.isoformat(),
        )
        await self.session.execute(delete(NoteRepeat).where(NoteRepeat.earlier_id == note_id))
        await self.session.delete(note)
        await self.session.flush()
