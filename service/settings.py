"""The service's settings: one frozen object, built from explicit values or from the environment.

Every setting has a default that runs on a laptop (an SQLite file in a data directory). In production,
set ``LYDHOR_DATABASE_URL=postgresql+asyncpg://user:pass@host/db``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
