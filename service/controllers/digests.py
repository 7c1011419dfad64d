"""HTTP handlers for digests as JSON, digest subscriptions and their deliveries. Thin: services do the work."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.services.auth import Principal
from service.services.digests import DigestService, make_digest
from service.settings import Settings

__all__ = ["DigestController", "SubscriptionController", "provide_digest_service", "digest_for"]


def provide_digest_service(db_session: AsyncSession, settings: Settings, principal: Principal) -> DigestService:
    return DigestService(db_session, settings, principal)


async def digest_for(service: DigestService, state: State, team: str | None, week: str) -> schemas.Digest:
    """The digest of ``team`` (None: the company) for ``week`` (``2026-W47``, or ``latest``)."""
    scope = await service.scope(team)
    return await make_digest(state.reader, state.holder, state.settings, state.signer, scope, service.week(scope, week))


class DigestController(Controller):
    path = "/api/digests"
    tags = ["digests"]

    @get("/{team:str}/{week:str}", summary="A team's weekly digest (managers of the team, admins)")
    async def team_digest(self, team: str, week: str, digest_service: DigestService, request: Request) -> schemas.Digest:
        """``week`` is an ISO week such as ``2026-W47`` in the team's time zone, or ``latest`` for the last
        complete week. Sections: summary, volume, sentiment, themes, emerging, repeat_complaints,
        follow_ups, praise."""
        return await digest_for(digest_service, request.app.state, team, week)

    @get("/{week:str}", summary="The whole company's weekly digest (admins)")
    async def company_digest(self, week: str, digest_service: DigestService, request: Request) -> schemas.Digest:
        return await digest_for(digest_service, request.app.state, None, week)


class SubscriptionController(Controller):
    path = "/api/digest-subscriptions"
    tags = ["digests"]

    @get("/", summary="Digest subscriptions (a manager's teams; all for admins)")
    async def list_subscriptions(self, digest_service: DigestService) -> list[schemas.SubscriptionOut]:
        return await digest_service.subscriptions()

    @post("/", status_code=HTTP_201_CREATED, summary="Receive a team's (or the company's) digest by e-mail every week")
    async def subscribe(self, data: schemas.SubscriptionCreate, digest_service: DigestService) -> schemas.SubscriptionOut:
        return await digest_service.subscribe(data)

    @delete("/{subscription_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Stop a digest subscription")
    async def unsubscribe(self, subscription_id: int, digest_service: DigestService) -> None:
        await digest_service.unsubscribe(subscription_id)

    @get("/deliveries", summary="Recent digest e-mails: sent, waiting for a retry, or given up")
    async def deliveries(self, digest_service: DigestService) -> list[schemas.DeliveryOut]:
        return await digest_service.deliveries()
