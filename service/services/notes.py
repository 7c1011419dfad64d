"""Notes: capture (idempotent), analysis, repeat complaints, reading, correcting and deleting."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import partial

import msgspec
from sqlalchemy import Select, delete, exists, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.db import Reader, utcnow
from service.errors import Conflict, Forbidden, Invalid, LydhorError, NotFound
from service.models import Note, NoteCorrection, NoteRepeat, NoteTag, NoteTheme, Team, User
from service.services.admin import audit, team_by_name, user_by_name
from service.services.auth import Principal
from service.services.digest.counts import CountKey, Zones, apply_counts, counts_of_notes
from service.services.note_views import decode_cursor, note_out, page, prepared_out
from service.services.taxonomy import AnalyzerHolder
from service.services.writer import NoteWriter, PreparedNote
from service.settings import Settings

__all__ = ["NoteService", "NoteFilters", "can_read", "can_write"]

MAX_PAGE = 200
# How far ahead of the service's clock a client's captured_at may be. It also bounds a note's received_at
# from below (received_at >= captured_at - this), which lets a date filter narrow the newest-first scan.
MAX_CLOCK_AHEAD = dt.timedelta(hours=24)
_NOTE_COLUMNS = [c for c in Note.__table__.c if c.name not in ("content_hash", "created_by")]
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


class NoteService:
    """Note operations for one request: one session, one caller."""

    def __init__(
        self,
        session: AsyncSession,
        holder: AnalyzerHolder,
        settings: Settings,
        principal: Principal,
        writer: NoteWriter,
        reader: Reader,
    ):
        self.reader = reader
        self.session = session
        self.holder = holder
        self.settings = settings
        self.principal = principal
        self.writer = writer
        self._zones = Zones(settings.timezone)  # a PATCH counts the note twice: the teams' zones read once

    # --- capture -------------------------------------------------------------------------------

    async def create(self, data: schemas.NoteCreate) -> tuple[schemas.NoteOut, bool]:
        """Store a note; answers it and whether it is new (False: the same client_key was seen)."""
        [(result, created)] = await self.create_many([data], isolated=False)
        if isinstance(result, LydhorError):
            raise result
        return result, created

    async def create_many(
        self, items: list[schemas.NoteCreate], isolated: bool = True
    ) -> list[tuple[schemas.NoteOut | LydhorError, bool]]:
        """Store notes in one go. ``isolated``: an item's error is answered in its place instead of raised."""
        await self.holder.refresh(self.session)
        prepared: list[tuple[PreparedNote, str, str] | LydhorError] = []
        for data in items:
            try:
                prepared.append(await self._prepare(data))
            except LydhorError as exc:
                if not isolated:
                    raise
                prepared.append(exc)
        # The writer commits on its own connection; this request's read snapshot must not outlive that.
        if self.session.in_transaction():
            await self.session.commit()
        ready = [p for p in prepared if not isinstance(p, LydhorError)]
        outcomes = iter(await self.writer.submit([p[0] for p in ready]) if ready else [])
        results: list[tuple[schemas.NoteOut | LydhorError, bool]] = []
        for item in prepared:
            if isinstance(item, LydhorError):
                results.append((item, False))
                continue
            note, team, agent = item
            outcome = next(outcomes)
            if outcome.status == "created":
                results.append((prepared_out(note, team, agent), True))
            elif outcome.status == "existing" and (stored := await self.session.get(Note, outcome.note_id)) is not None:
                results.append((note_out(stored), False))
            else:
                error = Conflict(f"client_key {note.client_key} was already used for a different note", field="client_key")
                if not isolated:
                    raise error
                results.append((error, False))
        return results

    async def _prepare(self, data: schemas.NoteCreate) -> tuple[PreparedNote, str, str]:
        """Validate and analyse a note: its rows, and the team's and agent's names."""
        text = data.text.strip()
        if not text:
            raise Invalid("text is empty after trimming white space", field="text")
        analyzer = self.holder.analyzer
        unknown = [t for t in data.themes if t not in analyzer.taxonomy]
        if unknown:
            raise Invalid(f"unknown theme(s): {', '.join(unknown)}", field="themes")
        team_id, team_name, agent_id, agent_name = await self._team_and_agent(data)
        analysis = analyzer.analyze(text)
        note_id = uuid.uuid4()
        now = utcnow()
        captured = data.captured_at or now
        if captured.tzinfo is None:
            captured = captured.replace(tzinfo=dt.timezone.utc)
        if captured > now + MAX_CLOCK_AHEAD:
            raise Invalid(
                f"captured_at {captured.isoformat()} is more than {MAX_CLOCK_AHEAD.total_seconds() / 3600:.0f} hours "
                "ahead of the service's clock; "
                "send the time the remark was made (or leave it out for now)",
                field="captured_at",
            )
        if data.themes:
            # The agent's choice is the note's theme set; the analysis' scores stay where it agreed.
            nlp_scores = {t.id: t.score for t in analysis.themes}
            themes = [(t, "agent", nlp_scores.get(t, 1.0)) for t in dict.fromkeys(data.themes)]
        else:
            themes = [(t.id, "nlp", t.score) for t in analysis.themes]
        row = {
            "id": note_id,
            "team_id": team_id,
            "agent_id": agent_id,
            "customer_ref": data.customer_ref.strip() if data.customer_ref else None,
            "channel": data.channel,
            "verbatim": data.verbatim,
            "text": analysis.redacted,
            "lang": analysis.lang,
            "sentiment": analysis.sentiment,
            "sentiment_score": analysis.sentiment_score,
            "keyphrases": analysis.keyphrases,
            "mood": data.mood,
            "captured_at": captured,
            "received_at": now,
            "source": data.source,
            "client_key": data.client_key,
            "content_hash": _content_hash(data, analysis.redacted),
            "created_by": self.principal.user_id,
        }
        prepared = PreparedNote(
            row=row,
            themes=[{"note_id": note_id, "theme_id": t, "source": src, "score": score} for t, src, score in themes],
            tags=list(dict.fromkeys(data.tags)),
            client_key=data.client_key,
            content_hash=row["content_hash"],
        )
        return prepared, team_name, agent_name

    async def _team_and_agent(self, data: schemas.NoteCreate) -> tuple[int, str, int, str]:
        """The note's team and agent (ids and names); the caller's own come from its key, without a query."""
        p = self.principal
        if data.agent is not None and data.agent != p.name:
            if p.role not in ("integration", "admin"):
                raise Forbidden("only integration keys may post notes on behalf of another agent", field="agent")
            agent = await user_by_name(self.session, data.agent)
            if agent.role not in ("agent", "manager"):
                raise Invalid(f"{agent.name!r} is not an agent", field="agent")
            agent_id, agent_name = agent.id, agent.name
            agent_teams = {t.name: t.id for t in agent.teams}
        elif p.role == "integration":
            raise Invalid("an integration key must name the agent the note is from", field="agent")
        else:
            agent_id, agent_name = p.user_id, p.name
            agent_teams = {name: team_id for team_id, name in p.teams}
        if data.team is not None:
            team_id = agent_teams.get(data.team)
            if team_id is None:
                await team_by_name(self.session, data.team)  # 404 for a team that does not exist
                raise Forbidden(f"{agent_name!r} is not a member of team {data.team!r}", field="team")
            team_name = data.team
        elif len(agent_teams) == 1:
            team_name, team_id = next(iter(agent_teams.items()))
        elif not agent_teams:
            raise Invalid(f"{agent_name!r} belongs to no team; notes belong to a team", field="team")
        else:
            raise Invalid(f"{agent_name!r} is in several teams: say which one in 'team'", field="team")
        if p.role == "integration" and team_id not in p.team_ids:
            raise Forbidden(f"this integration may not post notes for team {team_name!r}", field="team")
        return team_id, team_name, agent_id, agent_name

    # --- reading ------------------------------------------------------------------------------

    async def get(self, note_id: uuid.UUID) -> Note:
        note = await self.session.get(Note, note_id)
        if note is None:
            raise NotFound(f"no note {note_id}")
        if not can_read(self.principal, note):
            raise Forbidden(f"note {note_id} belongs to a team you cannot read")
        return note

    async def list(
        self, filters: NoteFilters, cursor: str | None, limit: int | None
    ) -> tuple[list[schemas.NoteOut], str | None]:
        """A page of notes, newest first, and the cursor of the next page. Read as plain rows: building ORM
        objects for a page of notes costs far more than the query."""
        p = self.principal
        if p.role == "integration":
            raise Forbidden("integration keys post notes; they cannot list them")
        size = min(MAX_PAGE, max(1, limit or self.settings.page_size))
        query = (
            select(*_NOTE_COLUMNS, Team.name.label("team_name"), User.name.label("agent_name"))
            .join(Team, Team.id == Note.team_id)
            .join(User, User.id == Note.agent_id)
        )
        query = await self._filtered(self._visible(query), filters)
        if cursor:
            stamp, last_id = decode_cursor(cursor)
            # A row-value comparison: both databases read it as one range of the (team, received_at, id)
            # index; written with OR, SQLite sorted the whole period whenever a date filter bounded it too.
            after = tuple_(literal(stamp, Note.received_at.type), literal(last_id, Note.id.type))
            query = query.where(tuple_(Note.received_at, Note.id) < after)
        query = query.order_by(Note.received_at.desc(), Note.id.desc()).limit(size + 1)
        return await self.reader.run(partial(page, query, size))

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
            # The bound on received_at says nothing new (no note was received long before it was captured),
            # but it stops the newest-first scan at the period's start instead of at the team's first note.
            query = query.where(Note.captured_at >= f.date_from, Note.received_at >= f.date_from - MAX_CLOCK_AHEAD)
        if f.date_to is not None:
            query = query.where(Note.captured_at < f.date_to)
        if f.q:
            escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Note.text.ilike(f"%{escaped}%", escape="\\"))
        return query

    # --- changing -----------------------------------------------------------------------------

    async def _counts(self, note_id: uuid.UUID, sign: int) -> Counter[CountKey]:
        """What the note adds to the digests' week counts as it is now (``sign=-1``: to take it away)."""
        zones = self._zones
        return await self.session.run_sync(lambda s: counts_of_notes(s.connection(), [note_id], zones, sign))

    async def _apply(self, counts: Counter[CountKey]) -> None:
        await self.session.run_sync(lambda s: apply_counts(s.connection(), counts))

    async def patch(self, note_id: uuid.UUID, data: schemas.NotePatch) -> Note:
        note = await self.get(note_id)
        if not can_write(self.principal, note):
            raise Forbidden(f"you cannot change note {note_id}")
        counts = await self._counts(note.id, -1)
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
        counts.update(await self._counts(note.id, 1))
        await self._apply(counts)
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
        await self._apply(await self._counts(note_id, -1))
        await self.session.execute(delete(NoteRepeat).where(NoteRepeat.earlier_id == note_id))
        await self.session.delete(note)
        await self.session.flush()

