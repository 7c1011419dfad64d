"""Signed links: a digest e-mail's link opens that one digest page without signing in, for a while.

The signature is an HMAC over the page it opens and its expiry, with a key every process of the
installation shares (the ``secret_key`` setting, or one generated once and kept in the database).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.models import InstanceSecret

__all__ = ["LinkSigner", "link_key"]

LINK_DAYS = 60  # a digest link keeps working for about two months


async def link_key(session: AsyncSession, configured: str) -> bytes:
    """The signing key: the configured one, or the installation's own (created on first use)."""
    if configured:
        return configured.encode()
    row = await session.get(InstanceSecret, "link_key")
    if row is None:
        session.add(InstanceSecret(name="link_key", value=secrets.token_urlsafe(48)))
        try:
            await session.commit()
        except Exception:  # another process created it at the same moment: use theirs
            await session.rollback()
        row = (await session.execute(select(InstanceSecret).where(InstanceSecret.name == "link_key"))).scalar_one()
    return row.value.encode()


class LinkSigner:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, path: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{path}|{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")

    def token(self, path: str, now: dt.datetime) -> str:
        expires = int((now + dt.timedelta(days=LINK_DAYS)).timestamp())
        return f"{expires}.{self._mac(path, expires)}"

    def valid(self, path: str, token: str, now: dt.datetime) -> bool:
        expires_text, _, mac = token.partition(".")
        if not expires_text.isdigit() or int(expires_text) < now.timestamp():
            return False
        return hmac.compare_digest(mac, self._mac(path, int(expires_text)))
