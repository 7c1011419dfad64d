"""The browser extension as one zip: manifest at the root, ready for the browsers' stores and for loading
unpacked. Used by ``lydhor extension pack`` and served at ``/extension.zip``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["extension_root", "manifest", "extension_files", "zip_name", "build_zip", "write_zip"]

# What a browser loads; anything else in the folder (notes, editor files) stays out of the zip.
SHIPPED_SUFFIXES = frozenset({".json", ".js", ".html", ".css", ".png"})
# A fixed timestamp makes the zip byte-for-byte reproducible, so a store upload can be checked against a build.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def extension_root() -> Path:
    """The extension's folder: ``extension/`` beside the package in a checkout, or inside the package as
    ``service/browser_extension`` when installed (see pyproject.toml)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "extension", here / "browser_extension"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise FileNotFoundError("the browser extension's files are not installed (no manifest.json)")


def manifest(root: Path | None = None) -> dict[str, Any]:
    """The extension's manifest.json as a dict."""
    source = root or extension_root()
    return json.loads(source.joinpath("manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def extension_files(root: Path | None = None) -> list[tuple[str, bytes]]:
    """Every shipped file as (path inside the zip, content), sorted by path."""
    source = root or extension_root()
    found = []
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_file() and path.suffix in SHIPPED_SUFFIXES and not any(p.startswith((".", "__")) for p in relative.parts):
            found.append((relative.as_posix(), path.read_bytes()))
    return sorted(found)


def zip_name(version: str) -> str:
    return f"lydhor-extension-{version}.zip"


def build_zip(root: Path | None = None) -> bytes:
    """The zip's bytes: the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in extension_files(root):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def write_zip(out: Path | None = None, root: Path | None = None) -> Path:
    """Write the zip to ``out`` (a file, or a folder to put ``lydhor-extension-<version>.zip`` in)."""
    source = root or extension_root()
    target = Path(out) if out is not None else Path.cwd()
    if target.is_dir():
        target = target / zip_name(manifest(source)["version"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_zip(source))
    return target
