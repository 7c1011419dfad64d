"""The digest e-mail: a multipart message (plain text and HTML) sent over SMTP."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from service import schemas
from service.services.digest.render import render_email_html, render_text
from service.settings import Settings

__all__ = ["digest_message", "send_message", "SmtpError"]


class SmtpError(Exception):
    """The SMTP server could not be reached or refused the message."""


def digest_message(digest: schemas.Digest, sender: str, recipient: str) -> EmailMessage:
    """The e-mail of ``digest`` for ``recipient``. Its Message-ID is fixed per digest and recipient, so that a
    resend after a lost answer from the server is recognisable as the same message."""
    message = EmailMessage()
    message["Subject"] = digest.title
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(digest.generated_at.timestamp(), localtime=False)
    token = hashlib.sha256(f"{digest.team}|{digest.week}|{recipient}".encode()).hexdigest()[:24]
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "lydhor.invalid"
    message["Message-ID"] = f"<digest.{digest.week}.{token}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # out-of-office replies stay away
    message.set_content(render_text(digest))
    message.add_alternative(render_email_html(digest), subtype="html")
    return message


def send_message(settings: Settings, message: EmailMessage) -> None:
    """Hand ``message`` to the configured SMTP server (blocking: run it in a thread)."""
    try:
        if settings.smtp_security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SmtpError(f"{type(exc).__name__}: {exc}") from exc


