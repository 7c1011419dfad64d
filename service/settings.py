"""The service's settings: one frozen object, built from explicit values or from the environment.

Every setting has a default that runs on a laptop (an SQLite file in a data directory). In production,
set ``LYDHOR_DATABASE_URL=postgresql+asyncpg://user:pass@host/db``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

__all__ = ["Settings", "SETTINGS_DOC"]

# Each setting, its environment variable, and what it does (checked by a test against Settings).
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "data_dir": ("LYDHOR_DATA_DIR", "Folder for the embedded SQLite database and other local files (default ./data)."),
    "database_url": (
        "LYDHOR_DATABASE_URL",
        "SQLAlchemy async URL; empty means SQLite in the data directory. postgresql+asyncpg://… for PostgreSQL.",
    ),
    "repeat_window_days": (
        "LYDHOR_REPEAT_WINDOW_DAYS",
        "A customer's negative note on a theme they complained about this many days before is a repeat (30).",
    ),
    "max_body_bytes": ("LYDHOR_MAX_BODY_BYTES", "Largest request body for single requests, in bytes (65536)."),
    "max_batch_notes": ("LYDHOR_MAX_BATCH_NOTES", "Most notes in one batch request (500)."),
    "rate_limit_per_minute": (
        "LYDHOR_RATE_LIMIT_PER_MINUTE",
        "Most requests one API key may make in a minute, per service process; 0 for no limit (6000).",
    ),
    "page_size": ("LYDHOR_PAGE_SIZE", "Default number of notes per page of GET /api/notes (50, at most 200)."),
    "public_url": ("LYDHOR_PUBLIC_URL", "The address people use to reach the service, for links (http://127.0.0.1:8000)."),
    "log_level": ("LYDHOR_LOG_LEVEL", "Logging level: DEBUG, INFO, WARNING or ERROR (INFO)."),
    "timezone": ("LYDHOR_TIMEZONE", "The company's time zone: the weeks of the whole-company digest (Europe/Copenhagen)."),
    "language": ("LYDHOR_LANGUAGE", "Language of the whole-company digest: da, nb or en (da)."),
    "smtp_host": ("LYDHOR_SMTP_HOST", "SMTP server for digest e-mails; empty means digests are not sent (empty)."),
    "smtp_port": ("LYDHOR_SMTP_PORT", "SMTP port (587)."),
    "smtp_security": ("LYDHOR_SMTP_SECURITY", "starttls, ssl or none (starttls)."),
    "smtp_user": ("LYDHOR_SMTP_USER", "SMTP user name; empty for no login (empty)."),
    "smtp_password": ("LYDHOR_SMTP_PASSWORD", "SMTP password (empty)."),
    "smtp_sender": ("LYDHOR_SMTP_SENDER", "From address of digest e-mails (Lydhør <lydhor@localhost>)."),
    "smtp_timeout": ("LYDHOR_SMTP_TIMEOUT", "Seconds to wait for the SMTP server (20)."),
    "digest_send_weekday": ("LYDHOR_DIGEST_SEND_WEEKDAY", "ISO weekday the weekly digest goes out, 1 = Monday (1)."),
    "digest_send_time": ("LYDHOR_DIGEST_SEND_TIME", "Local time of day (team's time zone) the digest goes out (07:00)."),
    "digest_check_seconds": ("LYDHOR_DIGEST_CHECK_SECONDS", "Seconds between checks for digests due or to retry (60)."),
    "digest_max_attempts": ("LYDHOR_DIGEST_MAX_ATTEMPTS", "Delivery attempts of one digest e-mail before it is given up (12)."),
    "secret_key": (
        "LYDHOR_SECRET_KEY",
        "Key that signs links in digest e-mails; empty means one is generated and kept in the database (empty).",
    ),
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    data_dir: str = "data"
    database_url: str = ""
    repeat_window_days: int = 30
    max_body_bytes: int = 64 * 1024
    max_batch_notes: int = 500
    page_size: int = 50
    rate_limit_per_minute: int = 6000
    public_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    timezone: str = "Europe/Copenhagen"
    language: Literal["da", "nb", "en"] = "da"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = "Lydhør <lydhor@localhost>"
    smtp_timeout: float = 20.0
    digest_send_weekday: Annotated[int, msgspec.Meta(ge=1, le=7)] = 1
    digest_send_time: Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "07:00"
    digest_check_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    digest_max_attempts: Annotated[int, msgspec.Meta(ge=1)] = 12
    secret_key: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **explicit: Any) -> Settings:
        """Settings from ``LYDHOR_*`` variables; explicit keyword values win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, (variable, _) in SETTINGS_DOC.items():
            if variable in env and env[variable] != "":
                values[field] = env[variable]
        values.update({k: v for k, v in explicit.items() if v is not None})
        return msgspec.convert(values, cls, strict=False)

    @property
    def db_url(self) -> str:
        """The database URL in use: the configured one, or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{Path(self.data_dir).resolve() / 'lydhor.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")
