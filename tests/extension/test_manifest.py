"""The extension's manifest and locales, checked without a browser: what stores and browsers require, and
permissions kept to what the code uses."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.extension.harness import EXTENSION, ROOT

LOCALES = ("en", "da", "nb")
# Each permission, and the code that needs it. A permission not listed here is not allowed in the manifest.
PERMISSION_USES = {
    "storage": r"\.storage\.(local|session)\.",
    "alarms": r"\.alarms\.(create|clear|onAlarm)",
    "contextMenus": r"\.contextMenus\.(create|onClicked)",
    # activeTab: the open page's address and elements, when the agent opens the popup on it.
    "activeTab": r"\.tabs\.query\(",
    "scripting": r"\.scripting\.executeScript\(",
}
TEST_IDS = {
    "popup.html": ["note-text", "verbatim", "customer-ref", "channel", "save", "status", "themes", "history"],
    "options.html": ["server-url", "api-key", "save-options", "options-status"],
}


def _manifest() -> dict[str, Any]:
    return json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(EXTENSION.rglob("*.js")))


def _messages(lang: str) -> dict[str, Any]:
    return json.loads((EXTENSION / "_locales" / lang / "messages.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_manifest_has_what_chrome_edge_and_firefox_require() -> None:
    manifest = _manifest()
    assert manifest["manifest_version"] == 3
    for field in ("name", "version", "description", "default_locale", "icons", "action", "background"):
        assert manifest.get(field), field
    assert re.fullmatch(r"\d+(\.\d+){0,3}", manifest["version"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert manifest["version"] == project, "the extension is released with the service"
    assert manifest["default_locale"] == "en"
    assert manifest["background"]["service_worker"] == "background.js"
    assert manifest["background"]["scripts"][-1] == "background.js"  # Firefox: the same code as background scripts
    assert manifest["browser_specific_settings"]["gecko"]["id"]
    assert manifest["commands"]["_execute_action"]["suggested_key"]["default"] == "Alt+Shift+N"


def test_every_file_the_manifest_and_pages_name_exists() -> None:
    manifest = _manifest()
    named = [*manifest["icons"].values(), *manifest["action"]["default_icon"].values(), manifest["action"]["default_popup"],
             manifest["options_ui"]["page"], manifest["background"]["service_worker"], *manifest["background"]["scripts"]]
    for page in ("popup.html", "options.html"):
        html = (EXTENSION / page).read_text(encoding="utf-8")
        named += re.findall(r'(?:src|href)="([^"#:]+)"', html)
    named += re.findall(r'"(lib/[a-z_]+\.js)"', (EXTENSION / "background.js").read_text(encoding="utf-8"))
    assert [name for name in named if not (EXTENSION / name).is_file()] == []
    # The service worker loads the same library files that Firefox lists as background scripts.
    imported = re.findall(r'"(lib/[a-z_]+\.js)"', (EXTENSION / "background.js").read_text(encoding="utf-8"))
    assert imported == manifest["background"]["scripts"][:-1]


def test_permissions_are_only_those_the_code_uses() -> None:
    manifest = _manifest()
    code = _code()
    unknown = set(manifest["permissions"]) - set(PERMISSION_USES)
    assert unknown == set(), f"permissions without a known use: {unknown}"
    unused = [p for p in manifest["permissions"] if not re.search(PERMISSION_USES[p], code)]
    assert unused == []
    # Loopback servers work at once; any other server is asked for when the agent sets it.
    assert manifest["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert set(manifest["optional_host_permissions"]) <= {"https://*/*", "http://*/*"}
    assert "permissions.request(" in code
    assert "content_scripts" not in manifest and "web_accessible_resources" not in manifest


def test_the_locales_have_the_same_messages_and_placeholders() -> None:
    english = _messages("en")
    for lang in LOCALES[1:]:
        other = _messages(lang)
        assert set(other) == set(english), lang
        for key, entry in english.items():
            assert set(entry.get("placeholders", {})) == set(other[key].get("placeholders", {})), (lang, key)
            for name in entry.get("placeholders", {}):
                assert f"${name.upper()}$" in other[key]["message"], (lang, key, name)


def test_every_message_the_code_and_pages_use_exists() -> None:
    english = _messages("en")
    used = set(re.findall(r'Lydhor\.t\(\s*"([A-Za-z_]+)"', _code()))
    used |= set(re.findall(r'\[\s*-?\d+,\s*"(mood[A-Za-z]+)"\]', _code()))
    used |= {f"channel_{c}" for c in ("phone", "email", "chat", "store", "social", "other")}
    used |= {f"sentiment_{s}" for s in ("negative", "neutral", "positive", "mixed")}
    for page in ("popup.html", "options.html"):
        used |= set(re.findall(r'data-i18n(?:-placeholder|-title)?="([A-Za-z_]+)"', (EXTENSION / page).read_text(encoding="utf-8")))
    used |= set(re.findall(r"__MSG_([A-Za-z_]+)__", (EXTENSION / "manifest.json").read_text(encoding="utf-8")))
    assert sorted(used - set(english)) == []


@pytest.mark.parametrize("page", sorted(TEST_IDS))
def test_pages_carry_the_test_hooks(page: str) -> None:
    html = (EXTENSION / page).read_text(encoding="utf-8")
    assert [i for i in TEST_IDS[page] if f'data-testid="{i}"' not in html] == []


def test_every_extension_file_is_shipped_in_the_package() -> None:
    from service.extension_pack import extension_files

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"]["service.browser_extension"] == "extension"
    assert "service.browser_extension" in setuptools["packages"]
    patterns = setuptools["package-data"]["service.browser_extension"]
    names = [name for name, _ in extension_files()]
    assert [n for n in names if not any(fnmatch.fnmatch(n, p) and n.count("/") == p.count("/") for p in patterns)] == []
    assert "COPY extension ./extension" in (ROOT / "Containerfile").read_text()
