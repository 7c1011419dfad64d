"""API keys under load: a busy client's concurrent requests make one look-up between them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import event

from service.db import make_engine, make_sessionmaker
from service.errors import Unauthenticated
from service.services.auth import KeyCache, Principal, authenticate
from tests.service.conftest import World

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def counted_lookups(database_url: str) -> AsyncIterator[tuple[Any, list[str]]]:
    """A sessionmaker, and the statements it runs on the API key table."""
    engine = make_engine(database_url)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "api_keys" in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield make_sessionmaker(engine), statements
    finally:
        await engine.dispose()


async def _authenticate_many(sessionmaker: Any, header: str, cache: KeyCache, count: int) -> list[Principal | BaseException]:
    async def one() -> Principal:
        async with sessionmaker() as session:
            return await authenticate(session, header, cache)

    return await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)


async def test_concurrent_requests_with_an_uncached_key_look_it_up_once(world: World) -> None:
    cache = KeyCache()
    async with counted_lookups(world.database_url) as (sessionmaker, statements):
        results = await _authenticate_many(sessionmaker, f"Bearer {world.keys['agent_north']}", cache, 20)
        assert all(isinstance(r, Principal) and r.name == "agent_north" for r in results), results
        assert len(statements) == 1
        # Once the entry is gone (run out, or dropped), the next wave again makes one look-up.
        cache.forget(results[0].key_prefix)  # type: ignore[union-attr]
        results = await _authenticate_many(sessionmaker, f"Bearer {world.keys['agent_north']}", cache, 20)
        assert all(isinstance(r, Principal) for r in results) and len(statements) == 2


async def test_concurrent_requests_with_an_unknown_key_are_all_refused(world: World) -> None:
    cache = KeyCache()
    prefix = world.keys["agent_north"].split("_")[1]
    async with counted_lookups(world.database_url) as (sessionmaker, statements):
        results = await _authenticate_many(sessionmaker, f"Bearer lyd_{prefix}_not-the-secret", cache, 10)
        assert all(isinstance(r, Unauthenticated) and "unknown API key" in str(r) for r in results), results
        assert len(statements) == 1
        # A refusal is not kept: the right key right after is accepted.
        [principal] = await _authenticate_many(sessionmaker, f"Bearer {world.keys['agent_north']}", cache, 1)
        assert isinstance(principal, Principal) and principal.name == "agent_north"


async def test_when_the_request_looking_a_key_up_goes_away_the_others_still_get_an_answer(world: World) -> None:
    cache = KeyCache()
    header = f"Bearer {world.keys['manager_north']}"
    async with counted_lookups(world.database_url) as (sessionmaker, _):

        async def one() -> Principal:
            async with sessionmaker() as session:
                return await authenticate(session, header, cache)

        first = asyncio.create_task(one())
        await asyncio.sleep(0)  # the first request starts its look-up
        assert cache.pending
        others = [asyncio.create_task(one()) for _ in range(5)]
        await asyncio.sleep(0)
        first.cancel()
        results = await asyncio.gather(*others)
        assert all(r.name == "manager_north" for r in results) and not cache.pending
