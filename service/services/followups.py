"""Follow-ups: a note that needs more done opens one; someone resolves it and says how."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.db import utcnow
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.models import FollowUp, Note, User
from service.services.admin import user_by_name
from service.services.auth import Principal
from service.services.notes import NoteService, can_write

__all__ = ["FollowUpService", "follow_up_out"]


def follow_up_out(f: FollowUp, team: str, assignee: str | None, today: dt.date | None = None) -> schemas.FollowUpOut:
    today = today or utcnow().date()
    return schemas.FollowUpOut(
        id=f.id,
        note_id=f.note_id,
        team=team,
        assignee=assignee,
        due=f.due,
        status=f.status,
        resolution=f.resolution,
        created_at=f.created_at,
        closed_at=f.closed_at,
        overdue=f.status == "open" and f.due is not None and f.due < today,
    )


class FollowUpService:
    def __init__(self, session: AsyncSession, notes: NoteService, principal: Principal) -> None:
        self.session = session
        self.notes = notes
        self.principal = principal

    async def out(self, f: FollowUp) -> schemas.FollowUpOut:
        note = await self.session.get(Note, f.note_id)
        assignee = await self.session.get(User, f.assignee_id) if f.assignee_id else None
        return follow_up_out(f, note.team.name if note else "", assignee.name if assignee else None)

    async def _assignee(self, name: str, note: Note) -> User:
        user = await user_by_name(self.session, name)
        if user.role == "integration" or not (user.role == "admin" or note.team_id in {t.id for t in user.teams}):
            raise Invalid(f"{name!r} cannot be assigned a follow-up in team {note.team.name!r}", field="assignee")
        return user

    async def open(self, note_id: uuid.UUID, data: schemas.FollowUpCreate) -> FollowUp:
        note = await self.notes.get(note_id)
        if not can_write(self.principal, note):
            raise Forbidden(f"you cannot open a follow-up on note {note_id}")
        if note.follow_up is not None:
            raise Conflict(f"note {note_id} has follow-up {note.follow_up.id} already", field="note")
        assignee = await self._assignee(data.assignee, note) if data.assignee else note.agent
        follow_up = FollowUp(note_id=note.id, team_id=note.team_id, assignee_id=assignee.id, due=data.due)
        self.session.add(follow_up)
        await self.session.flush()
        note.follow_up = follow_up
        return follow_up

    async def get(self, follow_up_id: int) -> FollowUp:
        f = await self.session.get(FollowUp, follow_up_id)
        if f is None:
            raise NotFound(f"no follow-up {follow_up_id}")
        if not self._may_see(f):
            raise Forbidden(f"follow-up {follow_up_id} belongs to a team you cannot read")
        return f

    def _may_see(self, f: FollowUp) -> bool:
        p = self.principal
        if p.is_admin:
            return True
        if p.role == "manager":
            return f.team_id in p.team_ids
        return p.role == "agent" and f.assignee_id == p.user_id

    async def update(self, follow_up_id: int, data: schemas.FollowUpPatch) -> FollowUp:
        f = await self.session.get(FollowUp, follow_up_id)
        if f is None:
            raise NotFound(f"no follow-up {follow_up_id}")
        note = await self.session.get(Note, f.note_id)
        assert note is not None
        if not (self._may_see(f) or can_write(self.principal, note)):
            raise Forbidden(f"you cannot change follow-up {follow_up_id}")
        if data.assignee is not None:
            f.assignee_id = (await self._assignee(data.assignee, note)).id
        if data.due is not None:
            f.due = data.due
        if data.resolution is not None:
            f.resolution = data.resolution
        if data.status is not None and data.status != f.status:
            if data.status == "done" and not (data.resolution or f.resolution):
                raise Invalid("say how it was resolved: a follow-up is closed with a resolution", field="resolution")
            f.status = data.status
            f.closed_at = utcnow() if data.status == "done" else None
        await self.session.flush()
        return f

    async def list(self, status: str | None) -> list[FollowUp]:
        p = self.principal
        query = select(FollowUp)
        if status is not None:
            query = query.where(FollowUp.status == status)
        if p.role == "manager":
            query = query.where(FollowUp.team_id.in_(p.team_ids))
        elif p.role == "agent":
            query = query.where(
                or_(FollowUp.assignee_id == p.user_id, FollowUp.note_id.in_(select(Note.id).where(Note.agent_id == p.user_id)))
            )
        elif not p.is_admin:
            raise Forbidden("integration keys cannot read follow-ups")
        query = query.order_by(FollowUp.due.is_(None), FollowUp.due, FollowUp.id).limit(500)
        return list((await self.session.execute(query)).scalars())
