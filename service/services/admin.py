"""Teams, users and keys: what an admin manages, from the API and from the command line."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.errors import Conflict, Invalid, NotFound
from service.models import ApiKey, AuditEntry, Team, User
from service.services.auth import create_key

__all__ = [
    "create_team", "list_teams", "team_by_name", "create_user", "list_users", "user_by_name", "new_key",
    "list_keys", "ensure_first_admin", "team_out", "user_out", "key_out", "audit",
]


def team_out(team: Team) -> schemas.TeamOut:
    return schemas.TeamOut(id=team.id, name=team.name, language=team.language, timezone=team.timezone)


def user_out(user: User) -> schemas.UserOut:
    return schemas.UserOut(
        id=user.id, name=user.name, role=user.role, active=user.active, teams=[t.name for t in user.teams]
    )


def key_out(key: ApiKey) -> schemas.KeyOut:
    return schemas.KeyOut(
        prefix=key.prefix,
        user=key.user.name,
        label=key.label,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


async def team_by_name(session: AsyncSession, name: str) -> Team:
    team = (await session.execute(select(Team).where(Team.name == name))).scalar_one_or_none()
    if team is None:
        raise NotFound(f"no team named {name!r}", field="team")
    return team


async def user_by_name(session: AsyncSession, name: str) -> User:
    user = (await session.execute(select(User).where(User.name == name))).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {name!r}", field="user")
    return user


async def create_team(session: AsyncSession, data: schemas.TeamCreate) -> Team:
    if (await session.execute(select(Team.id).where(Team.name == data.name))).first():
        raise Conflict(f"a team named {data.name!r} exists already", field="name")
    team = Team(name=data.name, language=data.language, timezone=data.timezone)
    session.add(team)
    await session.flush()
    return team


async def list_teams(session: AsyncSession) -> list[Team]:
    return list((await session.execute(select(Team).order_by(Team.name))).scalars())


async def create_user(session: AsyncSession, data: schemas.UserCreate) -> User:
    if (await session.execute(select(User.id).where(User.name == data.name))).first():
        raise Conflict(f"a user named {data.name!r} exists already", field="name")
    teams = [await team_by_name(session, name) for name in data.teams]
    if data.role in ("agent", "manager", "integration") and not teams:
        raise Invalid(f"a user with role {data.role!r} needs at least one team", field="teams")
    user = User(name=data.name, role=data.role, teams=teams)
    session.add(user)
    await session.flush()
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.name))).scalars())


async def new_key(session: AsyncSession, user_name: str, label: str = "") -> tuple[str, ApiKey]:
    return await create_key(session, await user_by_name(session, user_name), label)


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.execute(select(ApiKey).order_by(ApiKey.created_at))).scalars())


async def ensure_first_admin(session: AsyncSession) -> str | None:
    """On an empty database, an admin user and its key (answered once, to be printed); else None."""
    if (await session.execute(select(func.count()).select_from(User))).scalar_one():
        return None
    admin = User(name="admin", role="admin", teams=[])
    session.add(admin)
    await session.flush()
    key, _ = await create_key(session, admin, "created at first start")
    return key


def audit(session: AsyncSession, user_id: int | None, action: str, target: str, **detail: object) -> None:
    session.add(AuditEntry(user_id=user_id, action=action, target=target, detail=detail))
