"""Demo data: a few weeks of realistic notes in Danish and Norwegian, so a new user sees themes at once."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nlp import Analyzer
from service import schemas
from service.admin_cli import guarded
from service.db import Reader
from service.models import Note, Team, User
from service.services.admin import create_team, create_user
from service.services.auth import Principal
from service.services.notes import NoteService
from service.services.taxonomy import AnalyzerHolder
from service.services.writer import NoteWriter
from service.settings import Settings

__all__ = ["load_demo"]


def load_demo(settings: Settings) -> int:
    """Load the demo notes (two teams, six agents, five weeks up to now) into the database."""
    lines = resources.files("service").joinpath("data", "demo-notes.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    now = dt.datetime.now(dt.timezone.utc)

    async def people(session: AsyncSession) -> dict[str, Principal] | None:
        if (await session.execute(select(Note.id).where(Note.source == "import").limit(1))).first():
            return None  # loaded before: a second start must not double the history
        teams = {t.name for t in (await session.execute(select(Team))).scalars()}
        users = {u.name: u for u in (await session.execute(select(User))).scalars()}
        for team in sorted({r["team"] for r in rows} - teams):
            await create_team(session, schemas.TeamCreate(name=team, language="da" if team.endswith("-dk") else "nb"))
        for team, agent in sorted({(r["team"], r["agent"]) for r in rows}):
            if agent not in users:
                users[agent] = await create_user(session, schemas.UserCreate(name=agent, role="agent", teams=[team]))
        return {
            name: Principal(u.id, u.name, "agent", tuple((t.id, t.name) for t in u.teams), "demo")
            for name, u in users.items()
            if u.role == "agent"
        }

    principals, status = guarded(settings, people)
    if status:
        return status
    if principals is None:
        print("Demo notes are loaded already.")
        return 0

    async def notes(session: AsyncSession) -> int:
        holder = AnalyzerHolder(Analyzer())
        writer = NoteWriter(settings.db_url, settings.repeat_window_days, settings.timezone)
        writer.start()
        reader = Reader(settings.db_url)
        try:
            for count, r in enumerate(sorted(rows, key=lambda r: -r["days_ago"])):
                data = schemas.NoteCreate(
                    text=r["text"],
                    customer_ref=r.get("customer_ref"),
                    channel=r.get("channel", "other"),
                    verbatim=r.get("verbatim", True),
                    tags=r.get("tags", []),
                    captured_at=now - dt.timedelta(days=r["days_ago"], hours=(count * 7) % 9),
                    team=r["team"],
                    source="import",
                )
                await NoteService(session, holder, settings, principals[r["agent"]], writer, reader).create(data)
        finally:
            writer.stop()
            reader.close()
        return len(rows)

    loaded, status = guarded(settings, notes, transaction=False)
    if status == 0:
        print(f"Loaded {loaded} demo notes for {len({r['team'] for r in rows})} teams.")
    return status
