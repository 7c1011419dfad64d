"""Digests for people: who may read which, building one for a team or the whole company, subscriptions."""

from __future__ import annotations

import datetime as dt
from functools import partial
from urllib.parse import quote

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.db import Reader, utcnow
from service.errors import Conflict, Forbidden, NotFound
from service.models import DigestDelivery, DigestSubscription, Team
from service.services.admin import team_by_name
from service.services.auth import Principal
from service.services.digest.build import Scope, build_digest, company_scope, scope_of_team
from service.services.digest.links import LinkSigner
from service.services.digest.weeks import Week, parse_week, week_of
from service.services.taxonomy import AnalyzerHolder
from service.settings import Settings

__all__ = ["DigestService", "scope_of_team", "company_scope", "digest_path", "latest_week", "make_digest"]


def digest_path(scope: Scope, week: Week) -> str:
    """The web page of a digest: ``/digests/{team}/{week}``, or ``/digests/{week}`` for the company."""
    return f"/digests/{quote(scope.team, safe='')}/{week.name}" if scope.team else f"/digests/{week.name}"


def latest_week(scope: Scope, now: dt.datetime) -> Week:
    """The last complete week in the scope's time zone."""
    return week_of(now, scope.timezone).shift(-1)


async def make_digest(
    reader: Reader, holder: AnalyzerHolder, settings: Settings, signer: LinkSigner, scope: Scope, week: Week,
    now: dt.datetime | None = None,
) -> schemas.Digest:
    """Build the digest of ``scope`` for ``week``, with a signed link to its web page."""
    now = now or utcnow()
    path = digest_path(scope, week)
    base = settings.public_url.rstrip("/")
    link = f"{base}{path}?token={signer.token(path, now)}"
    work = partial(
        build_digest, scope=scope, week=week, taxonomy=holder.taxonomy, link=link, note_link=f"{base}/notes/{{id}}",
        repeat_days=settings.repeat_window_days, now=now,
    )
    return await reader.run(work)


class DigestService:
    """Digest operations for one caller. Managers read and subscribe to their teams' digests; admins to
    every team's and the whole company's."""

    def __init__(self, session: AsyncSession, settings: Settings, principal: Principal | None) -> None:
        self.session = session
        self.settings = settings
        self.principal = principal

    async def scope(self, team: str | None, checked: bool = True) -> Scope:
        """The scope of ``team`` (None: the company), if the caller may read it (``checked``)."""
        p = self.principal
        if team is None:
            if checked and (p is None or not p.is_admin):
                raise Forbidden("only an admin may read the whole company's digest")
            return company_scope(self.settings)
        row = await team_by_name(self.session, team)
        if checked:
            if p is None:
                raise Forbidden("sign in to read this digest")
            if not p.is_admin and not (p.role == "manager" and row.id in p.team_ids):
                raise Forbidden(f"only managers of team {team!r} and admins may read its digest")
        return scope_of_team(row)

    def week(self, scope: Scope, name: str) -> Week:
        return latest_week(scope, utcnow()) if name in ("latest", "last") else parse_week(name)

    # --- subscriptions ------------------------------------------------------------------------------

    async def subscribe(self, data: schemas.SubscriptionCreate) -> schemas.SubscriptionOut:
        scope = await self.scope(data.team)
        assert self.principal is not None
        row = DigestSubscription(scope=scope.id, email=data.email.strip().lower(), user_id=self.principal.user_id, created_at=utcnow())
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"{data.email} already receives this digest", field="email") from exc
        return schemas.SubscriptionOut(id=row.id, team=scope.team, email=row.email, created_at=row.created_at)

    def _of_my_scopes(self, model: type[DigestSubscription] | type[DigestDelivery], refusal: str) -> Select:  # type: ignore[type-arg]
        """Rows of ``model`` with their team's name: a manager's teams, or everything for an admin."""
        p = self.principal
        if p is None or p.role not in ("manager", "admin"):
            raise Forbidden(refusal)
        query = select(model, Team.name).outerjoin(Team, Team.id == model.scope)
        return query if p.is_admin else query.where(model.scope.in_(p.team_ids))

    async def subscriptions(self) -> list[schemas.SubscriptionOut]:
        query = self._of_my_scopes(DigestSubscription, "only managers and admins subscribe to digests")
        rows = (await self.session.execute(query.order_by(DigestSubscription.id))).all()
        return [schemas.SubscriptionOut(id=s.id, team=name, email=s.email, created_at=s.created_at) for s, name in rows]

    async def unsubscribe(self, subscription_id: int) -> None:
        row = await self.session.get(DigestSubscription, subscription_id)
        p = self.principal
        if row is None:
            raise NotFound(f"no subscription {subscription_id}")
        if p is None or not (p.is_admin or (p.role == "manager" and row.scope in p.team_ids)):
            raise Forbidden("you cannot change this subscription")
        await self.session.execute(delete(DigestSubscription).where(DigestSubscription.id == subscription_id))

    async def deliveries(self, limit: int = 100) -> list[schemas.DeliveryOut]:
        query = self._of_my_scopes(DigestDelivery, "only managers and admins see digest deliveries")
        rows = (await self.session.execute(query.order_by(DigestDelivery.id.desc()).limit(limit))).all()
        return [
            schemas.DeliveryOut(
                team=name, week=Week(d.week).name, email=d.email, status=d.status, attempts=d.attempts,
                last_error=d.last_error, sent_at=d.sent_at,
            )
            for d, name in rows
        ]
