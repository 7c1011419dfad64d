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
from service.models import Note, Team, User
from service.services.admin import create_team, create_user
from service.services.auth import Principal
from service.services.notes import NoteService
from service.services.taxonomy import AnalyzerHolder
from service.settings import Settings

__all__ = ["load_demo"]


def load_demo(settings: Settings) -> int:
    """Load the demo notes (two teams, six agents, five weeks up to now) into the database."""
    lines = resources.files("service").joinpath("data", "demo-notes.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    holder = AnalyzerHolder(Analyzer())
    now = dt.datetime.now(dt.timezone.utc)

    async def load(session: AsyncSession) -> int:
        if (await session.execute(select(Note.id).where(Note.source == "import").limit(1))).first():
            return 0  # loaded before: a second start must not double the history
        teams = {t.name: t for t in (await session.execute(select(Team))).scalars()}
        users = {u.name: u for u in (await session.execute(select(User))).scalars()}
        for team in sorted({r["team"] for r in rows}):
            if team not in teams:
                lang = "da" if team.endswith("-dk") else "nb"
                teams[team] = await create_team(session, schemas.TeamCreate(name=team, language=lang))
        for team, agent in sorted({(r["team"], r["agent"]) for r in rows}):
            if agent not in users:
                users[agent] = await create_user(session, schemas.UserCreate(name=agent, role="agent", teams=[team]))
        for count, r in enumerate(sorted(rows, key=lambda r: -r["days_ago"])):
            user = users[r["agent"]]
            principal = Principal(user.id, user.name, "agent", frozenset(t.id for t in user.teams), (), "demo")
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
            await NoteService(session, holder, settings, principal).create(data)
        return len(rows)

    loaded, status = guarded(settings, load)
    if status == 0 and loaded:
        print(f"Loaded {loaded} demo notes for {len({r['team'] for r in rows})} teams.")
    elif status == 0:
        print("Demo notes are loaded already.")
    return status
