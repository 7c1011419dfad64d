"""The real app in-process over SQLite and a real PostgreSQL, with teams, users and keys for each role."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from nlp import Analyzer
from service.app import create_app
from service.db import make_engine, make_sessionmaker
from sqlalchemy.ext.asyncio import AsyncSession
from service.migrate import upgrade
from service.settings import Settings
from tests.conftest import require_or_skip
from tests.pg import pg_bin, postgres_server

_counter = itertools.count()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    bin_dir = pg_bin()
    if bin_dir is None:
        require_or_skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    with postgres_server(bin_dir) as dsn:  # type: ignore[arg-type]
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE lydhor_template")
        template_url = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/lydhor_template"

        async def migrate() -> None:
            engine = make_engine(template_url)
            await upgrade(engine)
            await engine.dispose()

        asyncio.run(migrate())
        yield dsn


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each engine."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'lydhor.db'}"
        return
    dsn = request.getfixturevalue("pg_admin_dsn")
    name = f"t_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE lydhor_template")
    yield dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def shared_analyzer() -> Analyzer:
    return Analyzer()


@dataclass
class World:
    """An app with two teams (north, south) and a user and key for every role."""

    app: Litestar
    client: AsyncTestClient  # type: ignore[type-arg]
    database_url: str
    keys: dict[str, str] = field(default_factory=dict)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of the test's own, on the test's event loop (the app's engine lives on the server's)."""
        engine = make_engine(self.database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                yield session
        finally:
            await engine.dispose()

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    async def post_note(self, who: str, **body: object) -> dict:
        response = await self.client.post("/api/notes", json=body, headers=self.auth(who))
        assert response.status_code in (200, 201), response.text
        return response.json()


@asynccontextmanager
async def make_world(database_url: str, analyzer: Analyzer, data_dir: Path, **settings: object) -> AsyncIterator[World]:
    """An app on ``database_url`` with two teams (north, south) and a user and key for every role;
    ``settings`` override the defaults (e.g. SMTP)."""
    app = create_app(Settings(data_dir=str(data_dir), database_url=database_url, **settings), analyzer=analyzer)  # type: ignore[arg-type]
    async with AsyncTestClient(app) as client:
        w = World(app=app, client=client, database_url=database_url)
        w.keys["admin"] = app.state.first_admin_key
        for team in ("north", "south"):
            r = await client.post("/api/teams", json={"name": team}, headers=w.auth("admin"))
            assert r.status_code == 201, r.text
        people = {
            "agent_north": ("agent", ["north"]),
            "agent_north2": ("agent", ["north"]),
            "agent_south": ("agent", ["south"]),
            "manager_north": ("manager", ["north"]),
            "manager_south": ("manager", ["south"]),
            "integration_north": ("integration", ["north"]),
        }
        for name, (role, teams) in people.items():
            r = await client.post("/api/users", json={"name": name, "role": role, "teams": teams}, headers=w.auth("admin"))
            assert r.status_code == 201, r.text
            r = await client.post("/api/keys", json={"user": name}, headers=w.auth("admin"))
            w.keys[name] = r.json()["key"]
        yield w


@pytest.fixture
async def world(database_url: str, shared_analyzer: Analyzer, tmp_path: Path) -> AsyncIterator[World]:
    async with make_world(database_url, shared_analyzer, tmp_path / "data") as w:
        yield w
