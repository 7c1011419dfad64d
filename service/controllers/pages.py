"""HTML pages: the digest page and signing in. A page accepts an API key (header or the sign-in cookie) or,
for a digest page, the signed link from its e-mail."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response
from sqlalchemy.ext.asyncio import AsyncSession
from typing import Annotated

import msgspec

from service.db import utcnow
from service.errors import LydhorError, Unauthenticated
from service.services.auth import Principal, authenticate
from service.services.digest.render import render_page, templates
from service.services.digests import DigestService, digest_path, make_digest
from service.services.note_page import note_view
from service.settings import Settings

__all__ = ["PageController", "COOKIE"]

COOKIE = "lydhor_key"


class SignIn(msgspec.Struct, kw_only=True):
    key: str = ""
    next: str = "/"


async def page_principal(request: Request, db_session: AsyncSession, state: State) -> Principal | None:
    """Whoever the request's API key (header, or the sign-in cookie) belongs to; None without one."""
    header = request.headers.get("authorization") or (
        f"Bearer {request.cookies[COOKIE]}" if request.cookies.get(COOKIE) else None
    )
    if header is None:
        return None
    try:
        return await authenticate(db_session, header, state.key_cache)
    except Unauthenticated:
        return None


def _html(body: str, status: int = 200) -> Response[str]:
    return Response(body, media_type=MediaType.HTML, status_code=status, headers={"Cache-Control": "private, no-store"})


class PageController(Controller):
    path = "/"
    include_in_schema = False

    async def _digest(self, request: Request, db_session: AsyncSession, settings: Settings, team: str | None, week: str) -> Response[str]:
        state = request.app.state
        principal = await page_principal(request, db_session, state)
        service = DigestService(db_session, settings, principal)
        scope = await service.scope(team, checked=False)
        the_week = service.week(scope, week)
        token = request.query_params.get("token")
        by_link = token is not None and state.signer.valid(digest_path(scope, the_week), token, utcnow())
        if not by_link:
            if principal is None:
                raise Unauthenticated("sign in, or open the link in the digest e-mail")
            await service.scope(team)  # the reader's own right to this digest
        digest = await make_digest(state.reader, state.holder, settings, state.signer, scope, the_week)
        return _html(render_page(digest))

    @get("/digests/{team:str}/{week:str}", summary="A team's digest as a web page")
    async def team_digest(self, request: Request, db_session: AsyncSession, settings: Settings, team: str, week: str) -> Response[str]:
        return await self._digest(request, db_session, settings, team, week)

    @get("/digests/{week:str}", summary="The whole company's digest as a web page")
    async def company_digest(self, request: Request, db_session: AsyncSession, settings: Settings, week: str) -> Response[str]:
        return await self._digest(request, db_session, settings, None, week)

    @get("/notes/{note_id:uuid}", summary="A note, its follow-up and the customer's history, as a web page")
    async def note_page(self, request: Request, db_session: AsyncSession, settings: Settings, note_id: uuid.UUID) -> Response[str]:
        state = request.app.state
        principal = await page_principal(request, db_session, state)
        if principal is None:
            raise Unauthenticated("sign in to read this note")
        view = await note_view(db_session, state.holder, settings, principal, state.writer, state.reader, note_id)
        return _html(templates().get_template("note.html.j2").render(lang="en", **view))

    @get("/signin", summary="Sign in with an API key")
    async def signin_form(self, next: str = "/", error: str = "") -> Response[str]:
        page = templates().get_template("signin.html.j2").render(lang="en", next=_local(next), error=error)
        return _html(page)

    @post("/signin", summary="Sign in with an API key")
    async def signin(
        self, request: Request, db_session: AsyncSession,
        data: Annotated[SignIn, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[str] | Redirect:
        try:
            await authenticate(db_session, f"Bearer {data.key.strip()}", request.app.state.key_cache)
        except Unauthenticated as exc:
            page = templates().get_template("signin.html.j2").render(lang="en", next=_local(data.next), error=exc.detail)
            return _html(page, status=401)
        response = Redirect(_local(data.next))
        response.set_cookie(
            COOKIE, data.key.strip(), httponly=True, samesite="strict", secure=request.url.scheme == "https",
            max_age=60 * 60 * 24 * 30,
        )
        return response

    @get("/signout", summary="Sign out")
    async def signout(self) -> Redirect:
        response = Redirect("/signin")
        response.delete_cookie(COOKIE)
        return response


def _local(path: str) -> str:
    """Only same-site paths are followed after signing in, never another site."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


def error_page(request: Request, exc: LydhorError, status: int) -> Response[str] | Redirect:
    """Errors on pages are pages: sign in when a key is missing, a readable message otherwise."""
    if isinstance(exc, Unauthenticated):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/signin?next={quote(target, safe='')}")
    body = templates().get_template("error.html.j2").render(lang="en", status=status, detail=exc.detail)
    return _html(body, status=status)


