"""HTTP handlers for the caller's identity, the taxonomy, and what admins manage (teams, users, keys)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.params import Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.errors import Forbidden
from service.services import admin as admin_service
from service.services.auth import Principal, revoke_key
from service.services.taxonomy import AnalyzerHolder, custom_ids, put_theme, reanalyze_all, theme_out

__all__ = ["MeController", "ThemeController", "AdminController"]


def _admin_only(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("only an admin may do this")


class MeController(Controller):
    path = "/api/me"
    tags = ["identity"]

    @get("/", summary="Who the API key belongs to, and their teams")
    async def me(self, principal: Principal, db_session: AsyncSession) -> schemas.MeOut:
        user = await admin_service.user_by_name(db_session, principal.name)
        return schemas.MeOut(user=admin_service.user_out(user), key_prefix=principal.key_prefix)


class ThemeController(Controller):
    path = "/api/themes"
    tags = ["themes"]

    @get("/", summary="The taxonomy in use: default themes and the company's own")
    async def list_themes(
        self, principal: Principal, analyzer_holder: AnalyzerHolder, db_session: AsyncSession
    ) -> list[schemas.ThemeOut]:
        await analyzer_holder.refresh(db_session)
        custom = await custom_ids(db_session)
        return [theme_out(t, t.id in custom) for t in analyzer_holder.taxonomy]

    @put("/{theme_id:str}", status_code=HTTP_200_OK, summary="Add or change a theme (admin); notes are re-read")
    async def put_theme(
        self,
        request: Request,
        theme_id: Annotated[str, Parameter(pattern=r"^[a-z][a-z0-9_]{0,47}$")],
        data: schemas.ThemePut,
        principal: Principal,
        db_session: AsyncSession,
        analyzer_holder: AnalyzerHolder,
    ) -> Response[schemas.ThemeOut]:
        _admin_only(principal)
        theme = await put_theme(db_session, theme_id, data)
        admin_service.audit(db_session, principal.user_id, "theme.put", theme_id)
        await db_session.commit()
        task = BackgroundTask(
            reanalyze_all, request.app.state.sessionmaker, analyzer_holder, request.app.state.settings.timezone
        )
        return Response(theme_out(theme, True), background=task)


class AdminController(Controller):
    path = "/api"
    tags = ["admin"]

    @get("/teams", summary="All teams (admin)")
    async def teams(self, principal: Principal, db_session: AsyncSession) -> list[schemas.TeamOut]:
        _admin_only(principal)
        return [admin_service.team_out(t) for t in await admin_service.list_teams(db_session)]

    @post("/teams", status_code=HTTP_201_CREATED, summary="Create a team (admin)")
    async def create_team(self, data: schemas.TeamCreate, principal: Principal, db_session: AsyncSession) -> schemas.TeamOut:
        _admin_only(principal)
        return admin_service.team_out(await admin_service.create_team(db_session, data))

    @get("/users", summary="All users (admin)")
    async def users(self, principal: Principal, db_session: AsyncSession) -> list[schemas.UserOut]:
        _admin_only(principal)
        return [admin_service.user_out(u) for u in await admin_service.list_users(db_session)]

    @post("/users", status_code=HTTP_201_CREATED, summary="Create a user (admin)")
    async def create_user(self, data: schemas.UserCreate, principal: Principal, db_session: AsyncSession) -> schemas.UserOut:
        _admin_only(principal)
        return admin_service.user_out(await admin_service.create_user(db_session, data))

    @get("/keys", summary="All API keys, without their secrets (admin)")
    async def keys(self, principal: Principal, db_session: AsyncSession) -> list[schemas.KeyOut]:
        _admin_only(principal)
        return [admin_service.key_out(k) for k in await admin_service.list_keys(db_session)]

    @post("/keys", status_code=HTTP_201_CREATED, summary="Create a key for a user; the key is shown only now (admin)")
    async def create_key(self, data: schemas.KeyCreate, principal: Principal, db_session: AsyncSession) -> schemas.KeyCreated:
        _admin_only(principal)
        key, row = await admin_service.new_key(db_session, data.user, data.label)
        admin_service.audit(db_session, principal.user_id, "key.create", row.prefix, user=data.user)
        return schemas.KeyCreated(key=key, info=admin_service.key_out(row))

    @post("/keys/{prefix:str}/revoke", status_code=HTTP_200_OK, summary="Revoke a key (admin)")
    async def revoke(self, request: Request, prefix: str, principal: Principal, db_session: AsyncSession) -> schemas.KeyOut:
        _admin_only(principal)
        row = await revoke_key(db_session, prefix)
        request.app.state.key_cache.forget(row.prefix)
        admin_service.audit(db_session, principal.user_id, "key.revoke", row.prefix)
        return admin_service.key_out(row)
