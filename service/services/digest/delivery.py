"""Sending digests: every week at the configured local time, each digest to each subscriber exactly once.

Exactly once with several processes on one database: each e-mail is a ``digest_deliveries`` row (unique per
scope, week and recipient), and a process sends it only after taking the row's lease in an atomic update;
the others see the lease and leave it. A failed delivery is retried with growing pauses and reported on
``/ready``; a process that starts after the sending time catches up on its first round.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Awaitable
from dataclasses import dataclass

import anyio
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service import schemas
from service.db import upsert_insert, write_session
from service.models import DigestDelivery, DigestSubscription, Team
from service.services.digest.build import Scope, company_scope, scope_of_team
from service.services.digest.counts import COMPANY
from service.services.digest.mail import SmtpError, digest_message, send_message
from service.services.digest.weeks import Week, week_of, zone
from service.settings import Settings

__all__ = ["DigestSender", "send_moment", "due_week", "DeliveryReport"]

log = logging.getLogger("lydhor.digests")

LEASE = dt.timedelta(minutes=10)  # far longer than building and sending one digest takes
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_PAUSE = dt.timedelta(hours=1)

BuildDigest = Callable[[Scope, Week, dt.datetime], Awaitable[schemas.Digest]]


def send_moment(week: Week, tz: str, weekday: int, at: str) -> dt.datetime:
    """When the digest of ``week`` goes out: the given weekday and time of the following week, local time."""
    hour, minute = (int(part) for part in at.split(":"))
    day = week.shift(1).monday + dt.timedelta(days=weekday - 1)
    return dt.datetime.combine(day, dt.time(hour, minute), zone(tz)).astimezone(dt.timezone.utc)


def due_week(now: dt.datetime, tz: str, weekday: int, at: str) -> Week:
    """The newest week whose digest is due at ``now``."""
    week = week_of(now, tz).shift(-1)
    return week if send_moment(week, tz, weekday, at) <= now else week.shift(-1)


def backoff(attempts: int) -> dt.timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


class DigestSender:
    """Schedules and sends digest e-mails for one service process."""

    def __init__(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], build: BuildDigest,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.build = build
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def tick(self, now: dt.datetime) -> DeliveryReport:
        """One round: create the deliveries that are due, then send whatever is due or due again."""
        await self.schedule(now)
        return await self.deliver(now)

    async def schedule(self, now: dt.datetime) -> int:
        """Create a delivery for each subscriber of each scope whose digest is due, unless one exists.
        Subscribers who joined after a week's sending time get the next week's digest, not that one."""
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(DigestSubscription.scope, DigestSubscription.email, DigestSubscription.created_at, Team.timezone)
                    .outerjoin(Team, Team.id == DigestSubscription.scope)
                )
            ).all()
        s = self.settings
        wanted = []
        for scope, email, created_at, team_tz in rows:
            tz = self.settings.timezone if scope == COMPANY else team_tz
            if tz is None:
                continue  # the team is gone
            week = due_week(now, tz, s.digest_send_weekday, s.digest_send_time)
            if created_at <= send_moment(week, tz, s.digest_send_weekday, s.digest_send_time):
                wanted.append((scope, week, email))
        await self._create(wanted, now)
        return len(wanted)

    async def add(self, scope: int, week: Week, emails: list[str], now: dt.datetime) -> None:
        """Ask for ``week``'s digest of ``scope`` to go to ``emails`` now (by hand); one already sent stays sent."""
        await self._create([(scope, week, email) for email in emails], now)

    async def _create(self, deliveries: list[tuple[int, Week, str]], now: dt.datetime) -> None:
        """Create the (scope, week, recipient) deliveries that do not exist yet, due at once."""
        if not deliveries:
            return
        rows = [
            {"scope": scope, "week": week.monday, "email": email, "status": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now}
            for scope, week, email in deliveries
        ]
        async with write_session(self.sessionmaker) as session:
            statement = upsert_insert(session.bind.dialect, DigestDelivery.__table__).on_conflict_do_nothing(
                index_elements=["scope", "week", "email"]
            )
            await session.execute(statement, rows)

    async def deliver(self, now: dt.datetime, limit: int = 200) -> DeliveryReport:
        """Send the deliveries that are due and not leased by another process."""
        async with self.sessionmaker() as session:
            due = (
                await session.execute(
                    select(DigestDelivery.id)
                    .where(
                        DigestDelivery.status == "pending",
                        DigestDelivery.next_attempt_at <= now,
                        or_(DigestDelivery.lease_until.is_(None), DigestDelivery.lease_until < now),
                    )
                    .order_by(DigestDelivery.scope, DigestDelivery.week, DigestDelivery.id)
                    .limit(limit)
                )
            ).scalars().all()
        report = DeliveryReport()
        built: dict[tuple[int, dt.date], schemas.Digest] = {}
        for delivery_id in due:
            claimed = await self._claim(delivery_id, now)
            if claimed is None:
                continue  # another process has it
            try:
                key = (claimed.scope, claimed.week)
                if key not in built:
                    built[key] = await self.build(await self._scope(claimed.scope), Week(claimed.week), now)
                message = digest_message(built[key], self.settings.smtp_sender, claimed.email)
                await anyio.to_thread.run_sync(send_message, self.settings, message)
            except (SmtpError, Exception) as exc:  # noqa: BLE001 - any failure is recorded and retried
                await self._failed(claimed, now, exc)
                report.failed += 1
            else:
                await self._sent(claimed, now)
                report.sent += 1
        return report

    async def _claim(self, delivery_id: int, now: dt.datetime) -> DigestDelivery | None:
        async with write_session(self.sessionmaker) as session:
            result = await session.execute(
                update(DigestDelivery)
                .where(
                    DigestDelivery.id == delivery_id,
                    DigestDelivery.status == "pending",
                    DigestDelivery.next_attempt_at <= now,
                    or_(DigestDelivery.lease_until.is_(None), DigestDelivery.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=now + LEASE, attempts=DigestDelivery.attempts + 1)
            )
            if result.rowcount != 1:
                return None
            return await session.get(DigestDelivery, delivery_id)

    async def _sent(self, delivery: DigestDelivery, now: dt.datetime) -> None:
        async with write_session(self.sessionmaker) as session:
            await session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery.id, DigestDelivery.lease_owner == self.owner)
                .values(status="sent", sent_at=now, lease_owner=None, lease_until=None, last_error=None)
            )
        log.info("digest %s of scope %s sent to %s", Week(delivery.week), delivery.scope, delivery.email)

    async def _failed(self, delivery: DigestDelivery, now: dt.datetime, exc: BaseException) -> None:
        attempts = delivery.attempts
        final = attempts >= self.settings.digest_max_attempts
        error = f"{type(exc).__name__}: {exc}"[:500]
        async with write_session(self.sessionmaker) as session:
            await session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery.id, DigestDelivery.lease_owner == self.owner)
                .values(
                    status="failed" if final else "pending", next_attempt_at=now + backoff(attempts), lease_owner=None,
                    lease_until=None, last_error=error,
                )
            )
        log.warning(
            "digest %s of scope %s to %s failed (attempt %d%s): %s", Week(delivery.week), delivery.scope, delivery.email,
            attempts, ", given up" if final else f", next in {backoff(attempts)}", error,
        )

    async def _scope(self, scope: int) -> Scope:
        if scope == COMPANY:
            return company_scope(self.settings)
        async with self.sessionmaker() as session:
            team = await session.get(Team, scope)
        if team is None:
            raise LookupError(f"team {scope} no longer exists")
        return scope_of_team(team)

    async def health(self) -> str:
        """``ok``, or how many digest e-mails are failing and the last error, for ``/ready``."""
        async with self.sessionmaker() as session:
            row = (
                await session.execute(
                    select(func.count(), func.max(DigestDelivery.last_error)).where(
                        or_(DigestDelivery.status == "failed", (DigestDelivery.status == "pending") & (DigestDelivery.attempts > 0))
                    )
                )
            ).one()
        return "ok" if row[0] == 0 else f"failing: {row[0]} digest e-mail(s) not delivered; last error: {row[1]}"
