"""The admin commands scripts rely on, against the embedded database in LYDHOR_DATA_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from service.settings import SETTINGS_DOC, Settings

ROOT = Path(__file__).resolve().parents[2]


def lydhor(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LYDHOR_DATA_DIR": str(data_dir), "LYDHOR_DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_teams_users_and_keys_from_the_command_line(tmp_path: Path) -> None:
    assert lydhor(tmp_path, "teams", "create", "support").returncode == 0
    assert lydhor(tmp_path, "users", "create", "anna", "--role", "agent", "--team", "support").returncode == 0
    created = lydhor(tmp_path, "keys", "create", "--user", "anna")
    assert created.returncode == 0
    key = created.stdout.strip()
    assert key.startswith("lyd_") and "\n" not in key  # only the key, for scripts
    prefix = key.split("_")[1]
    listed = lydhor(tmp_path, "keys", "list").stdout
    assert f"{prefix}\tanna\tactive" in listed
    assert lydhor(tmp_path, "keys", "revoke", prefix).stdout.strip() == f"revoked {prefix}"
    assert f"{prefix}\tanna\trevoked" in lydhor(tmp_path, "keys", "list").stdout
    assert "anna\tagent\tsupport" in lydhor(tmp_path, "users", "list").stdout
    assert key not in (tmp_path / "lydhor.db").read_bytes().decode("latin-1")  # only the hash is stored


def test_admin_commands_fail_clearly(tmp_path: Path) -> None:
    missing_team = lydhor(tmp_path, "users", "create", "bo", "--role", "agent", "--team", "nowhere")
    assert missing_team.returncode == 1 and "no team named 'nowhere'" in missing_team.stderr
    assert lydhor(tmp_path, "teams", "create", "x").returncode == 0
    duplicate = lydhor(tmp_path, "teams", "create", "x")
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    assert lydhor(tmp_path, "keys", "revoke", "ffffffff").returncode == 1


def test_every_setting_is_documented_and_read_from_the_environment() -> None:
    assert set(SETTINGS_DOC) == set(Settings.__struct_fields__)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field, (variable, _) in SETTINGS_DOC.items():
        assert variable in readme, variable
    settings = Settings.from_env({"LYDHOR_REPEAT_WINDOW_DAYS": "14", "LYDHOR_DATA_DIR": "/srv/l"}, page_size=20)
    assert (settings.repeat_window_days, settings.data_dir, settings.page_size) == (14, "/srv/l", 20)
    assert Settings.from_env({}).db_url.startswith("sqlite+aiosqlite:///")
