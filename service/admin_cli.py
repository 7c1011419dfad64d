"""Command-line administration: database, teams, users, keys and demo data. Scripts rely on its output."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from service.db import make_engine, make_sessionmaker, write_session
from service.errors import LydhorError
from service.migrate import upgrade
from service.settings import Settings

__all__ = ["run_db", "prepare", "guarded", "fail"]

T = TypeVar("T")


def run_db(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]], migrate: bool = True, transaction: bool = True
) -> T:
    """Run ``work`` in one committed transaction on the configured database (or, with ``transaction=False``,
    in a session that ``work`` commits itself)."""

    async def main() -> T:
        if settings.is_sqlite:
            Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.db_url)
        try:
            if migrate:
                await upgrade(engine)
            session_factory = make_sessionmaker(engine)
            if not transaction:
                async with session_factory() as session:
                    return await work(session)
            async with write_session(session_factory) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def prepare(settings: Settings) -> str | None:
    """Migrate the schema and create the first admin on an empty database; answers its key if created."""
    from service.services.admin import ensure_first_admin

    return run_db(settings, ensure_first_admin)


def fail(message: str) -> int:
    print(f"lydhor: {message}", file=sys.stderr)
    return 1


def guarded(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]], transaction: bool = True
) -> tuple[T | None, int]:
    try:
        return run_db(settings, work, transaction=transaction), 0
    except LydhorError as exc:
        return None, fail(exc.detail)
