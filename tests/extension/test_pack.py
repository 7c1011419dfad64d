"""`lydhor extension pack`, and the zip and install page the service offers."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx

from service.cli import main
from service.extension_pack import build_zip, extension_files, manifest, zip_name
from tests.extension.harness import LydhorServer


def test_pack_writes_a_zip_with_the_manifest_at_its_root(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["extension", "pack", "--out", str(tmp_path)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == tmp_path / zip_name(manifest()["version"])
    with zipfile.ZipFile(written) as archive:
        names = archive.namelist()
        assert json.loads(archive.read("manifest.json"))["manifest_version"] == 3
        assert archive.testzip() is None
    assert names == [name for name, _ in extension_files()]
    assert "popup.html" in names and "_locales/nb/messages.json" in names and "icons/icon-128.png" in names
    # The same files give the same bytes, so a store upload can be checked against a build.
    assert written.read_bytes() == build_zip()

    named = tmp_path / "sub" / "mine.zip"
    assert main(["extension", "pack", "--out", str(named)]) == 0
    assert named.read_bytes() == written.read_bytes()


def test_the_service_offers_the_zip_and_an_install_page(lydhor: LydhorServer) -> None:
    download = httpx.get(f"{lydhor.url}/extension.zip", timeout=10)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert f'filename="{zip_name(manifest()["version"])}"' in download.headers["content-disposition"]
    assert download.content == build_zip()
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()

    page = httpx.get(f"{lydhor.url}/extension", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'href="{lydhor.url}/extension.zip"' in page.text
    assert f"<code>{lydhor.url}</code>" in page.text  # the address to put in the extension's settings
    assert "Load unpacked" in page.text and "Alt+Shift+K" in page.text
