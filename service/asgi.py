"""ASGI entry point for ``lydhor serve``: the app from the environment's settings."""

from __future__ import annotations

from litestar import Litestar

from service.app import create_app
from service.settings import Settings


def app_factory() -> Litestar:
    # `lydhor serve` has already migrated the schema once, before the workers start.
    return create_app(Settings.from_env(), migrate=False)
