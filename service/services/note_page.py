"""What the note page shows: the note, its follow-up, and what the same customer said before."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import Reader
from service.models import User
from service.services.auth import Principal
from service.services.customers import CustomerService
from service.services.followups import follow_up_out
from service.services.note_views import note_out
from service.services.notes import NoteService
from service.services.taxonomy import AnalyzerHolder
from service.services.writer import NoteWriter
from service.settings import Settings

__all__ = ["note_view"]

HISTORY = 20


async def note_view(
    session: AsyncSession, holder: AnalyzerHolder, settings: Settings, principal: Principal, writer: NoteWriter,
    reader: Reader, note_id: uuid.UUID,
) -> dict[str, Any]:
    """The note (if the caller may read it), its follow-up, the customer's other recent notes, theme labels."""
    notes = NoteService(session, holder, settings, principal, writer, reader)
    note = await notes.get(note_id)
    follow_up = None
    if note.follow_up is not None:
        assignee = None
        if note.follow_up.assignee_id is not None:
            assignee = (await session.execute(select(User.name).where(User.id == note.follow_up.assignee_id))).scalar_one_or_none()
        follow_up = follow_up_out(note.follow_up, note.team.name, assignee)
    history = []
    if note.customer_ref:
        earlier = await CustomerService(session, settings, principal).notes(note.customer_ref, HISTORY + 1)
        history = [note_out(n) for n in earlier if n.id != note.id][:HISTORY]
    taxonomy = holder.taxonomy
    labels = {t.id: t.label_for("en") for t in taxonomy}
    return {"note": note_out(note), "follow_up": follow_up, "history": history, "labels": labels}
