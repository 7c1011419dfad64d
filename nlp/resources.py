"""Access to the language data shipped in ``nlp/data``."""

from __future__ import annotations

from importlib import resources

__all__ = ["read_bytes", "read_text"]


def read_bytes(name: str) -> bytes:
    """The bytes of ``nlp/data/<name>`` (``name`` may contain one ``/`` for a language folder)."""
    return resources.files("nlp").joinpath("data", *name.split("/")).read_bytes()


def read_text(name: str) -> str:
    return read_bytes(name).decode("utf-8")
