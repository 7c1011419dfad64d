"""API keys: creation (shown once), verification by hash, revocation; and who a key belongs to."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import utcnow
from service.errors import NotFound, Unauthenticated
from service.models import ApiKey, User

__all__ = ["Principal", "create_key", "authenticate", "revoke_key", "KEY_PREFIX"]

KEY_PREFIX = "lyd_"
_LAST_USED_GRANULARITY = dt.timedelta(minutes=1)  # record use at most once a minute per key


@dataclass(frozen=True, slots=True)
class Principal:
    """The user behind a request's API key."""

    user_id: int
    name: str
    role: str
    team_ids: frozenset[int]
    team_names: tuple[str, ...]
    key_prefix: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _hash(prefix: str, secret: str) -> str:
    return hashlib.sha256(f"{prefix}:{secret}".encode()).hexdigest()


async def create_key(session: AsyncSession, user: User, label: str = "") -> tuple[str, ApiKey]:
    """A new key for ``user``: answers the full key (shown once) and the stored row (hash only)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    row = ApiKey(prefix=prefix, secret_hash=_hash(prefix, secret), user_id=user.id, label=label, user=user)
    session.add(row)
    await session.flush()
    return f"{KEY_PREFIX}{prefix}_{secret}", row


async def authenticate(session: AsyncSession, authorization: str | None) -> Principal:
    if not authorization:
        raise Unauthenticated("an API key is required: send 'Authorization: Bearer <key>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <key>'")
    if not token.startswith(KEY_PREFIX) or token.count("_") < 2:
        raise Unauthenticated("this is not a Lydhør API key")
    prefix, _, secret = token[len(KEY_PREFIX) :].partition("_")
    row = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(prefix, secret)):
        raise Unauthenticated("unknown API key")
    if row.revoked_at is not None:
        raise Unauthenticated(f"the API key {prefix} was revoked")
    user = row.user
    if not user.active:
        raise Unauthenticated(f"the user {user.name} is deactivated")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_GRANULARITY:
        row.last_used_at = now
    return Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,
        team_ids=frozenset(t.id for t in user.teams),
        team_names=tuple(t.name for t in user.teams),
        key_prefix=prefix,
    )


async def revoke_key(session: AsyncSession, prefix: str) -> ApiKey:
    prefix = prefix.removeprefix(KEY_PREFIX).split("_")[0]
    row = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no API key with prefix {prefix}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
