"""A request's database session gives its connection back however the request ends."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import anyio
import pytest
from sqlalchemy import text

from service.app import provide_db_session
from service.db import make_engine, make_sessionmaker

pytestmark = pytest.mark.anyio


async def test_a_request_cancelled_mid_transaction_gives_its_connection_back(tmp_path: Path) -> None:
    # A client that goes away cancels its request; the connection must not wait for the garbage collector
    # (with PostgreSQL's pool, enough of those and every request waits for a connection).
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lydhor.db'}")
    try:
        state = SimpleNamespace(sessionmaker=make_sessionmaker(engine))
        request = SimpleNamespace(method="GET", scope={"path": "/api/notes"})
        dependency = provide_db_session(state, request)  # type: ignore[arg-type]
        session = await dependency.__anext__()
        await session.execute(text("SELECT 1"))
        assert engine.sync_engine.pool.checkedout() == 1
        with anyio.CancelScope() as scope:
            scope.cancel()  # every later wait in the request is cancelled too
            await dependency.athrow(asyncio.CancelledError())
        assert scope.cancelled_caught
        assert engine.sync_engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
