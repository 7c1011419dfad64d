"""The Alembic migrations build exactly the models' schema on both engines, and undo it."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from service.db import Base, make_engine
from service.migrate import downgrade, upgrade

pytestmark = pytest.mark.anyio


async def test_upgrade_from_empty_matches_the_models_and_downgrade_removes_everything(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await downgrade(engine)  # the PostgreSQL database comes migrated from its template
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()) - {"alembic_version"})
        assert tables == set()
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
            )
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert diff == []
        assert set(Base.metadata.tables) <= tables
    finally:
        await engine.dispose()
