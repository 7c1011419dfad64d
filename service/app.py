"""``create_app(settings)``: the one place that wires routes, database, NLP, errors and lifespan."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from functools import partial

import anyio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nlp import Analyzer
from service import schemas
from service.controllers.admin import AdminController, MeController, ThemeController
from service.controllers.extension import ExtensionController
from service.controllers.digests import DigestController, SubscriptionController, provide_digest_service
from service.controllers.notes import AnalyzeController, CustomerController, FollowUpController, NoteController
from service.controllers.pages import PageController
from service.db import WRITES, Reader, make_engine, make_sessionmaker, utcnow, write_session
from service.http_errors import exception_handlers, require_json_body
from service.migrate import upgrade
from service.services.admin import ensure_first_admin
from service.services.auth import KeyCache, Principal, RateLimiter, authenticate, record_key_use
from service.services.customers import CustomerService
from service.services.digest.build import Scope
from service.services.digest.counts import ensure_counts
from service.services.digest.delivery import DigestSender
from service.services.digest.links import LinkSigner, link_key
from service.services.digest.weeks import Week
from service.services.digests import make_digest
from service.services.followups import FollowUpService
from service.services.notes import NoteService
from service.services.taxonomy import AnalyzerHolder
from service.services.writer import NoteWriter
from service.settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("lydhor")


# Notes are written by the note writer; these requests only read in their own session.
KEY_USE_INTERVAL = 5.0
_CAPTURE_PATHS = frozenset({"/api/notes", "/api/notes/", "/api/notes/batch"})


async def provide_db_session(state: State, request: Request) -> AsyncGenerator[AsyncSession, None]:
    """One session per request: committed when the handler succeeds (before the answer is sent).

    A session that never began a transaction holds no connection and has nothing to commit: it is left
    alone, because committing and closing an unused session still costs more than a note's whole capture
    outside the analysis (capture requests mostly need none: the writer stores, the key cache knows
    the caller)."""
    session: AsyncSession = state.sessionmaker()
    if request.method not in ("GET", "HEAD") and request.scope["path"] not in _CAPTURE_PATHS:
        await session.connection(execution_options={WRITES: True})
    try:
        yield session
    except Exception:
        if session.in_transaction():
            await session.rollback()
        raise
    else:
        if session.in_transaction():
            await session.commit()
    finally:
        if session.in_transaction():  # a failed commit or rollback: give the connection back all the same
            await session.close()


async def provide_principal(request: Request, db_session: AsyncSession, state: State) -> Principal:
    principal = await authenticate(db_session, request.headers.get("authorization"), state.key_cache)
    state.rate_limiter.hit(principal)
    return principal


async def _record_key_uses(state: State) -> None:
    """Every few seconds, write when keys were last used (kept out of the requests' transactions)."""
    while True:
        await anyio.sleep(KEY_USE_INTERVAL)
        await _flush_key_uses(state)


async def _flush_key_uses(state: State) -> None:
    used = state.key_cache.take_uses()
    if used:
        try:
            async with write_session(state.sessionmaker) as session:
                await record_key_use(session, used)
        except Exception:  # a busy database delays this bookkeeping; the next round retries
            state.key_cache.used.update(used)


async def _build_for_mail(state: State, scope: Scope, week: Week, now: dt.datetime) -> schemas.Digest:
    return await make_digest(state.reader, state.holder, state.settings, state.signer, scope, week, now)


async def _send_digests(state: State) -> None:
    """Every few minutes: send the digests that are due (at once on start-up: catching up after downtime)."""
    while True:
        try:
            await state.digests.tick(utcnow())
        except Exception:  # a database hiccup must not end the schedule; the next round tries again
            log.exception("the digest round failed")
        await anyio.sleep(state.settings.digest_check_seconds)


def provide_settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def provide_holder(state: State) -> AnalyzerHolder:
    return state.holder  # type: ignore[no-any-return]


def provide_note_service(db_session: AsyncSession, principal: Principal, state: State) -> NoteService:
    # The holder and settings come from the state rather than as dependencies: Litestar resolves
    # dependencies of one level in a task group of their own, a cost paid on every captured note.
    return NoteService(db_session, state.holder, state.settings, principal, state.writer, state.reader)


def provide_follow_up_service(db_session: AsyncSession, note_service: NoteService, principal: Principal) -> FollowUpService:
    return FollowUpService(db_session, note_service, principal)


def provide_customer_service(db_session: AsyncSession, settings: Settings, principal: Principal) -> CustomerService:
    return CustomerService(db_session, settings, principal)


@get("/health", tags=["operations"], summary="The process is up")
async def health() -> schemas.Health:
    return schemas.Health(status="ok")


@get("/ready", tags=["operations"], summary="The database answers and the NLP step is loaded")
async def ready(state: State) -> Response[schemas.Health]:
    checks: dict[str, str] = {}
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    holder = getattr(state, "holder", None)
    checks["nlp"] = "ok" if holder is not None and holder.analyzer.languages else "loading"
    ok = all(v == "ok" for v in checks.values())
    if state.settings.smtp_host and checks["database"] == "ok":
        # Reported, but the service still takes notes while e-mail is down: not a reason to be unready.
        checks["digest_email"] = await state.digests.health()
    return Response(schemas.Health(status="ok" if ok else "unavailable", checks=checks), status_code=200 if ok else 503)


def create_app(settings: Settings, analyzer: Analyzer | None = None, migrate: bool = True) -> Litestar:
    """The Litestar app for ``settings``. Pass an ``analyzer`` to share one between apps (tests)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if settings.is_sqlite:
            Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.db_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            if migrate:
                await upgrade(engine)
            async with write_session(app.state.sessionmaker) as session:
                # A database from before the digests: count its notes once (processes racing here serialise
                # on the write lock, and each recount starts from empty, so the result is the same).
                counted = await session.run_sync(lambda s: ensure_counts(s.connection(), settings.timezone))
            if counted:
                log.info("counted %d notes for the weekly digests", counted)
            async with write_session(app.state.sessionmaker) as session:
                key = await ensure_first_admin(session)
            if key:
                app.state.first_admin_key = key
                print(f"Created the first admin. Its API key, shown only this once:\n  {key}", flush=True)
            holder = AnalyzerHolder(analyzer or Analyzer())
            async with app.state.sessionmaker() as session:
                await holder.refresh(session, force=True)
            app.state.holder = holder
            writer = NoteWriter(settings.db_url, settings.repeat_window_days, settings.timezone)
            writer.start()
            app.state.writer = writer
            app.state.reader = Reader(settings.db_url)
            async with app.state.sessionmaker() as session:
                app.state.signer = LinkSigner(await link_key(session, settings.secret_key))
            app.state.digests = DigestSender(settings, app.state.sessionmaker, partial(_build_for_mail, app.state))
            # What start-up built (the language data above all) lives as long as the process. Frozen, it is
            # no longer walked by every full collection: under load those took up to 0.4 s each, and every
            # request in flight waited for them.
            gc.freeze()
            try:
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(_record_key_uses, app.state)
                    if settings.smtp_host:
                        tasks.start_soon(_send_digests, app.state)
                    yield
                    tasks.cancel_scope.cancel()
            finally:
                gc.unfreeze()
                await _flush_key_uses(app.state)
                await anyio.to_thread.run_sync(writer.stop)
                app.state.reader.close()
        finally:
            await engine.dispose()

    log.setLevel(settings.log_level.upper())
    return Litestar(
        route_handlers=[
            health,
            ready,
            NoteController,
            FollowUpController,
            CustomerController,
            AnalyzeController,
            MeController,
            ThemeController,
            AdminController,
            ExtensionController,
            DigestController,
            SubscriptionController,
            PageController,
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "principal": Provide(provide_principal),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "analyzer_holder": Provide(provide_holder, sync_to_thread=False),
            "note_service": Provide(provide_note_service, sync_to_thread=False),
            "follow_up_service": Provide(provide_follow_up_service, sync_to_thread=False),
            "customer_service": Provide(provide_customer_service, sync_to_thread=False),
            "digest_service": Provide(provide_digest_service, sync_to_thread=False),
        },
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        before_request=require_json_body,
        lifespan=[lifespan],
        state=State(
            {"settings": settings, "key_cache": KeyCache(), "rate_limiter": RateLimiter(settings.rate_limit_per_minute)}
        ),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Lydhør",
            version="1",
            description="Capture what customers say; read it back as themes, sentiment and customer histories.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API key")}
            ),
            security=[{"bearer": []}],
        ),
    )
