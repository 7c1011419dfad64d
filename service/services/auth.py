"""API keys: creation (shown once), verification by hash, revocation; and who a key belongs to."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import utcnow
from service.errors import NotFound, RateLimited, Unauthenticated
from service.models import ApiKey, User

__all__ = ["Principal", "KeyCache", "RateLimiter", "create_key", "authenticate", "revoke_key", "record_key_use", "KEY_PREFIX"]

KEY_PREFIX = "lyd_"


@dataclass(frozen=True, slots=True)
class Principal:
    """The user behind a request's API key."""

    user_id: int
    name: str
    role: str
    teams: tuple[tuple[int, str], ...]
    key_prefix: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(team_id for team_id, _ in self.teams)

    @property
    def team_names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.teams)


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


class KeyCache:
    """Recently verified keys, so that a busy client is not looked up on every request.

    An entry lives ``ttl`` seconds; revoking a key through this process drops it at once, and other
    processes see a revocation within ``ttl``. Uses are collected here and written in the background.
    A key is looked up once at a time, however many requests carry it.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal]] = {}
        self.used: dict[str, dt.datetime] = {}
        # Look-ups under way, by key: when an entry runs out, a busy client's concurrent requests all miss
        # at once, and they wait for one look-up instead of each making its own.
        self.pending: dict[str, asyncio.Future[Principal]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[token] = (time.monotonic() + self.ttl, principal)

    def forget(self, prefix: str) -> None:
        for token in [t for t, (_, p) in self._entries.items() if p.key_prefix == prefix]:
            del self._entries[token]

    def take_uses(self) -> dict[str, dt.datetime]:
        used, self.used = self.used, {}
        return used


class RateLimiter:
    """At most ``per_minute`` requests per key in each clock minute (0: no limit), per process."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._minute = 0
        self._counts: dict[str, int] = {}

    def hit(self, principal: Principal) -> None:
        if self.per_minute <= 0:
            return
        now = time.time()
        minute = int(now // 60)
        if minute != self._minute:
            self._minute, self._counts = minute, {}
        count = self._counts.get(principal.key_prefix, 0) + 1
        self._counts[principal.key_prefix] = count
        if count > self.per_minute:
            retry = max(1, int(60 - now % 60))
            raise RateLimited(
                f"more than {self.per_minute} requests this minute with key {principal.key_prefix}; "
                f"try again in {retry} s (a batch request carries up to 500 notes)",
                retry_after=retry,
            )


async def authenticate(session: AsyncSession, authorization: str | None, cache: KeyCache) -> Principal:
    if not authorization:
        raise Unauthenticated("an API key is required: send 'Authorization: Bearer <key>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <key>'")
    if not token.startswith(KEY_PREFIX) or token.count("_") < 2:
        raise Unauthenticated("this is not a Lydhør API key")
    if (known := cache.get(token)) is not None:
        cache.used[known.key_prefix] = utcnow()
        return known
    while (pending := cache.pending.get(token)) is not None:
        try:
            principal = await asyncio.shield(pending)
        except asyncio.CancelledError:
            if pending.cancelled():  # the request looking it up went away: look it up here
                continue
            raise
        cache.used[principal.key_prefix] = utcnow()
        return principal
    future: asyncio.Future[Principal] = asyncio.get_running_loop().create_future()
    future.add_done_callback(_retrieved)
    cache.pending[token] = future
    try:
        principal = await _look_up(session, token, cache)
    except asyncio.CancelledError:
        future.cancel()
        raise
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(principal)
        return principal
    finally:
        del cache.pending[token]


def _retrieved(future: asyncio.Future[Principal]) -> None:
    """Marks a look-up's failure as seen: nobody may have waited for it."""
    if not future.cancelled():
        future.exception()


async def _look_up(session: AsyncSession, token: str, cache: KeyCache) -> Principal:
    """The key's principal from the database, checked and cached."""
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
    principal = Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,
        teams=tuple((t.id, t.name) for t in user.teams),
        key_prefix=prefix,
    )
    cache.put(token, principal)
    cache.used[prefix] = now
    return principal


async def revoke_key(session: AsyncSession, prefix: str) -> ApiKey:
    prefix = prefix.removeprefix(KEY_PREFIX).split("_")[0]
    row = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no API key with prefix {prefix}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


async def record_key_use(session: AsyncSession, used: dict[str, dt.datetime]) -> None:
    """Write keys' last-used times collected by a ``KeyCache``."""
    for prefix, when in used.items():
        await session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(last_used_at=when))
