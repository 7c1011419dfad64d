"""The one place where domain errors and request errors become HTTP statuses and the error body."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

from service import errors, schemas

__all__ = ["status_of", "exception_handlers", "require_json_body"]

log = logging.getLogger("lydhor")

STATUS: dict[type[errors.LydhorError], int] = {
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.Invalid: 422,
    errors.RateLimited: 429,
}

HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "rate_limited",
    500: "internal_error", 503: "unavailable",
}


def status_of(exc: errors.LydhorError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 400


def _error(
    status: int, detail: str, field: str | None = None, code: str | None = None, headers: dict[str, str] | None = None
) -> Response[schemas.ErrorOut]:
    body = schemas.ErrorOut(error=code or HTTP_CODES.get(status, "error"), detail=detail, field=field)
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _domain(request: Request, exc: errors.LydhorError) -> Response[Any]:
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", ""):
        from service.controllers.pages import error_page  # pages render through templates, loaded on demand

        return error_page(request, exc, status_of(exc))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
    return _error(status_of(exc), exc.detail, exc.field, exc.code, headers)


def _validation(request: Request, exc: ValidationException) -> Response[schemas.ErrorOut]:
    """Litestar's request validation: broken JSON/UTF-8 is a 400, a body that breaks the schema a 422."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    if extra:
        first = extra[0]
        message = str(first.get("message", exc.detail))
        field = first.get("key")
        if field == "data" or field is None:
            field = _field_from(message)
        elif isinstance(field, str):
            field = field.split("[")[0].split(".")[0]
        if first.get("source") in ("query", "path"):
            return _error(400, f"{field}: {message}" if field else message, field)
        return _error(422, message, field)
    detail = str(exc.detail)
    lowered = detail.lower()
    if "utf-8" in lowered or "utf8" in lowered:
        return _error(400, "the body is not valid UTF-8")
    return _error(400, f"the body is not valid JSON: {detail}")


def _field_from(message: str) -> str | None:
    for marker in ("unknown field `", "missing required field `"):
        if marker in message:
            return message.split(marker, 1)[1].split("`", 1)[0]
    if "at `$." in message:
        return message.split("at `$.", 1)[1].rstrip("`").split("[")[0].split(".")[0]
    return None


def _http(request: Request, exc: HTTPException) -> Response[schemas.ErrorOut]:
    status = exc.status_code
    detail = str(exc.detail)
    if status == 413:
        detail = "the request body is larger than this endpoint accepts"
    elif status == 400 and request.method in ("POST", "PUT", "PATCH"):
        detail = f"the body is not valid JSON: {detail}"
    if isinstance(exc, NotAuthorizedException):
        status = 401
    return _error(status, detail)


def _internal(request: Request, exc: Exception) -> Response[schemas.ErrorOut]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error(500, "something went wrong on our side; the error was logged")


def _bad_utf8(_: Request, exc: UnicodeDecodeError) -> Response[schemas.ErrorOut]:
    return _error(400, f"the body is not valid UTF-8 (byte {exc.start})")


def _decode(_: Request, exc: msgspec.DecodeError) -> Response[schemas.ErrorOut]:
    return _error(400, f"the body is not valid JSON: {exc}")


exception_handlers = {
    errors.LydhorError: _domain,
    ValidationException: _validation,
    HTTPException: _http,
    msgspec.DecodeError: _decode,
    UnicodeDecodeError: _bad_utf8,
    Exception: _internal,
}


async def require_json_body(request: Request) -> Response[schemas.ErrorOut] | None:
    """API bodies are JSON: anything else is refused before it is read (415). Pages take forms."""
    if request.method in ("POST", "PUT", "PATCH") and request.scope["path"].startswith("/api/"):
        content_type = request.headers.get("content-type", "")
        length = request.headers.get("content-length")
        has_body = content_type or (length not in (None, "0"))
        if has_body and content_type.split(";")[0].strip().lower() != "application/json":
            return _error(415, f"send the body as application/json, not {content_type or 'untyped data'}")
    return None
