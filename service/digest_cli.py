"""``lydhor digest``: print a digest, send one by hand, or recount the week counts digests are built from."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nlp import Taxonomy
from service import schemas
from service.db import Reader, make_engine, make_sessionmaker, utcnow, write_session
from service.errors import LydhorError
from service.migrate import upgrade
from service.models import DigestDelivery, DigestSubscription
from service.services.digest.build import Scope
from service.services.digest.counts import rebuild_counts
from service.services.digest.delivery import DigestSender
from service.services.digest.links import LinkSigner, link_key
from service.services.digest.render import render_json, render_page, render_text
from service.services.digest.weeks import Week
from service.services.digests import DigestService, make_digest
from service.services.taxonomy import custom_themes
from service.settings import Settings

__all__ = ["show_digest", "send_digest", "recount"]

Format = Literal["html", "text", "json"]


@dataclass
class _Themes:
    """The taxonomy in use, without loading the language pipelines (a digest only needs the labels)."""

    taxonomy: Taxonomy


async def _themes(session: AsyncSession) -> _Themes:
    custom = await custom_themes(session)
    return _Themes(Taxonomy.default().with_themes(custom) if custom else Taxonomy.default())


async def _with_database(settings: Settings, work):  # type: ignore[no-untyped-def]
    if settings.is_sqlite:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    reader = Reader(settings.db_url)
    try:
        await upgrade(engine)
        return await work(make_sessionmaker(engine), reader)
    finally:
        reader.close()
        await engine.dispose()


@dataclass
class _Job:
    """One digest asked for on the command line, with what building it needs."""

    scope: Scope
    week: Week
    themes: _Themes
    signer: LinkSigner


async def _job(session: AsyncSession, settings: Settings, team: str | None, week: str) -> _Job:
    service = DigestService(session, settings, None)
    scope = await service.scope(team, checked=False)  # the command line is the operator: no key needed
    signer = LinkSigner(await link_key(session, settings.secret_key))
    return _Job(scope, service.week(scope, week), await _themes(session), signer)


def show_digest(settings: Settings, team: str | None, week: str, fmt: Format) -> int:
    """Print the digest of ``team`` (None: the whole company) for ``week`` in ``fmt``."""

    async def work(sessionmaker, reader):  # type: ignore[no-untyped-def]
        async with sessionmaker() as session:
            job = await _job(session, settings, team, week)
        return await make_digest(reader, job.themes, settings, job.signer, job.scope, job.week)  # type: ignore[arg-type]

    try:
        digest: schemas.Digest = asyncio.run(_with_database(settings, work))
    except LydhorError as exc:
        print(f"lydhor digest: {exc.detail}", file=sys.stderr)
        return 2
    if fmt == "json":
        sys.stdout.buffer.write(render_json(digest) + b"\n")
    else:
        sys.stdout.write(render_page(digest) if fmt == "html" else render_text(digest))
    sys.stdout.flush()
    return 0


def send_digest(settings: Settings, team: str | None, week: str, to: list[str]) -> int:
    """Send the digest of ``team`` for ``week`` now, to ``to`` or else to the scope's subscribers. A digest
    already delivered to an address is not sent to it again."""
    if not settings.smtp_host:
        print("lydhor digest send: no SMTP server configured (set LYDHOR_SMTP_HOST)", file=sys.stderr)
        return 2

    async def work(sessionmaker, reader):  # type: ignore[no-untyped-def]
        async with sessionmaker() as session:
            job = await _job(session, settings, team, week)
            scope, the_week = job.scope, job.week
            recipients = to or list(
                (await session.execute(select(DigestSubscription.email).where(DigestSubscription.scope == scope.id))).scalars()
            )
        if not recipients:
            return scope, the_week, []

        async def build(s: Scope, w: Week, now: dt.datetime) -> schemas.Digest:
            return await make_digest(reader, job.themes, settings, job.signer, s, w, now)  # type: ignore[arg-type]

        sender = DigestSender(settings, sessionmaker, build)
        now = utcnow()
        await sender.add(scope.id, the_week, recipients, now)
        await sender.deliver(now)
        async with sessionmaker() as session:
            rows = (
                await session.execute(
                    select(DigestDelivery.email, DigestDelivery.status, DigestDelivery.last_error).where(
                        DigestDelivery.scope == scope.id, DigestDelivery.week == the_week.monday,
                        DigestDelivery.email.in_(recipients),
                    )
                )
            ).all()
        return scope, the_week, rows

    try:
        scope, the_week, rows = asyncio.run(_with_database(settings, work))
    except LydhorError as exc:
        print(f"lydhor digest send: {exc.detail}", file=sys.stderr)
        return 2
    if not rows:
        print(f"lydhor digest send: nobody subscribes to {scope.team or 'the company'}'s digest; name addresses with --to", file=sys.stderr)
        return 2
    failed = False
    for email, status, error in rows:
        print(f"{the_week} {scope.team or 'company'} {email}: {status}{f' ({error})' if error and status != 'sent' else ''}")
        failed = failed or status != "sent"
    return 1 if failed else 0


def recount(settings: Settings) -> int:
    """Recount the week counts from the notes."""

    async def work(sessionmaker, reader):  # type: ignore[no-untyped-def]
        async with write_session(sessionmaker) as session:
            return await session.run_sync(lambda s: rebuild_counts(s.connection(), settings.timezone))

    print(f"Counted {asyncio.run(_with_database(settings, work))} notes.")
    return 0
