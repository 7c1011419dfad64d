"""Database plumbing: the declarative base, portable column types, and engine creation."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from operator import itemgetter
from typing import Any, TypeVar

import anyio

from sqlalchemy import Connection, DateTime, Dialect, Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base", "UTCDateTime", "Reader", "configure_sqlite", "make_engine", "make_sync_engine", "make_sessionmaker", "utcnow",
    "WRITES", "write_session", "DriverStatement", "upsert_insert",
]

T = TypeVar("T")

WRITES = "lydhor_writes"  # execution option: this session will write (SQLite takes the write lock at once)

# Named constraints, so that migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def configure_sqlite(engine: Engine, always_writes: bool = False) -> None:
    """WAL, foreign keys and a busy timeout on every connection, and transactions that take the write
    lock up front when they will write. ``always_writes``: every transaction of this engine writes."""

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        # WAL lets readers work while notes are written; foreign keys are off by default in SQLite.
        cursor = conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # Transactions are begun by the event below instead of by the driver.
        conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is locked"
        # when another writer committed in between; a session that will write takes the lock up front.
        # Read-only sessions stay deferred so that they never hold up the note writer.
        writes = always_writes or conn.get_execution_options().get(WRITES)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_sync_engine(url: str, writes: bool = False) -> Engine:
    """A synchronous engine on the same database, for work done in a thread in one go (the note writer,
    page reads): one thread hop per job instead of one per statement. ``writes``: every transaction writes."""
    url = url.replace("sqlite+aiosqlite:", "sqlite:").replace("postgresql+asyncpg:", "postgresql+psycopg:")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=4, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    configure_sqlite(engine, always_writes=writes)
    return engine


class DriverStatement:
    """A Core statement compiled once for one dialect and run on the driver's own cursor.

    For statements run thousands of times a second (the note writer's): there, SQLAlchemy's work per
    execution (cache look-up, execution context, each row's parameters processed through the compiled
    form) costs several times the database's own. Values still pass through each type's bind processor,
    so they are stored exactly as SQLAlchemy stores them, and selected columns through the result
    processors. Parameters are plain ``bindparam`` names; write an IN list as one bindparam per value
    (there is no expanding).
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._positional = compiled.positional
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.params)
        fixed = compiled.params  # values given in the statement itself (LIMIT, constants); None for the others
        self._names = names
        self._template: list[Any] = []  # a row of parameters with the statement's own values in place
        self._given: list[int] = []  # where the caller's values go
        self._processors: list[tuple[int, Callable[[Any], Any]]] = []
        for i, name in enumerate(names):
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                self._template.append(None)
                self._given.append(i)
                if process is not None:
                    self._processors.append((i, process))
            else:
                self._template.append(process(fixed[name]) if process else fixed[name])
        given_names = [names[i] for i in self._given]
        # Rows are taken apart by one C call rather than a Python loop over the columns: for an
        # executemany of many rows this was most of the statement's cost.
        self._take: Callable[[Mapping[str, Any]], tuple[Any, ...]] = (
            itemgetter(*given_names) if len(given_names) > 1
            else (lambda values: (values[given_names[0]],)) if given_names
            else (lambda values: ())
        )
        self._only_given = len(given_names) == len(names)
        columns = statement.selected_columns if isinstance(statement, Select) else []
        self._results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]

    def _params(self, values: Mapping[str, Any]) -> list[Any] | dict[str, Any]:
        taken = self._take(values)
        if self._only_given:
            row = list(taken)
        else:
            row = list(self._template)
            for i, value in zip(self._given, taken):
                row[i] = value
        for i, process in self._processors:
            row[i] = process(row[i])
        return row if self._positional else dict(zip(self._names, row))

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query in ``conn``'s transaction; its rows, with values as SQLAlchemy would read them."""
        cursor = conn.connection.cursor()
        try:
            cursor.execute(self.sql, self._params(values))
            raw = cursor.fetchall()
        finally:
            cursor.close()
        results = self._results
        if not any(results):
            return [tuple(r) for r in raw]
        return [tuple(p(v) if p else v for p, v in zip(results, r)) for r in raw]

    def run_many(self, conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run a write once per row of values, in one driver call, in ``conn``'s transaction."""
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, [self._params(r) for r in rows])
        finally:
            cursor.close()


class Reader:
    """Runs read-only work on a synchronous engine in a worker thread."""

    def __init__(self, url: str) -> None:
        self.engine = make_sync_engine(url)

    async def run(self, work: Callable[[Connection], T]) -> T:
        def job() -> T:
            with self.engine.connect() as conn:
                return work(conn)

        return await anyio.to_thread.run_sync(job)

    def close(self) -> None:
        self.engine.dispose()


@asynccontextmanager
async def write_session(sessionmaker: async_sessionmaker) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    """A session in a transaction that will write (on SQLite it takes the write lock at once), committed
    when the block ends without an error and rolled back otherwise."""
    async with sessionmaker() as session:
        await session.connection(execution_options={WRITES: True})
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


def upsert_insert(dialect: Dialect, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that can take ON CONFLICT (both databases have it, each in its dialect)."""
    return (postgresql if dialect.name == "postgresql" else sqlite).insert(table)
