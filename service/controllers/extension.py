"""The browser extension for download (``/extension.zip``) and its install page (``/extension``).
Public: the extension holds no secret; each agent connects it with their own API key."""

from __future__ import annotations

from pathlib import Path

import jinja2
from litestar import Controller, MediaType, Request, get
from litestar.response import Response

from service import extension_pack

__all__ = ["ExtensionController", "templates_dir"]


def templates_dir() -> Path:
    """``templates/`` beside the package in a checkout, or inside it (``service/templates``) when installed."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent / "templates"
    return checkout if checkout.is_dir() else package / "templates"


def render_install_page(server_url: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()), autoescape=True, undefined=jinja2.StrictUndefined
    )
    manifest = extension_pack.manifest()
    shortcuts = manifest["commands"]["_execute_action"]["suggested_key"]
    return environment.get_template("extension.html.j2").render(
        server_url=server_url,
        version=manifest["version"],
        zip_name=extension_pack.zip_name(manifest["version"]),
        shortcut=shortcuts.get("windows", shortcuts["default"]),
        mac_shortcut=shortcuts.get("mac", shortcuts["default"]),
    )


class ExtensionController(Controller):
    path = "/"
    tags = ["extension"]

    @get("/extension.zip", sync_to_thread=True, summary="The browser extension as a zip (stores and unpacked loading)")
    def download(self) -> Response[bytes]:
        version = extension_pack.manifest()["version"]
        return Response(
            extension_pack.build_zip(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{extension_pack.zip_name(version)}"'},
        )

    @get("/extension", sync_to_thread=True, media_type=MediaType.HTML, summary="How to install and connect the extension")
    def install_page(self, request: Request) -> str:  # type: ignore[type-arg]
        return render_install_page(str(request.base_url).rstrip("/"))
