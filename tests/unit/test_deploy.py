"""deploy/: the systemd units are valid (systemd-analyze verify, where it is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ("privacy-bot.service", "privacy-bot-backup.service", "privacy-bot-backup.timer")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_verify_without_a_warning(tmp_path: Path) -> None:
    # The units name /opt/privacy-bot; here the project and its interpreter stand in for it.
    project = DEPLOY.parent
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/opt/privacy-bot/.venv/bin/python", sys.executable).replace("/opt/privacy-bot", str(project))
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in UNITS)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_the_service_writes_only_the_database_folder() -> None:
    unit = (DEPLOY / "privacy-bot.service").read_text(encoding="utf-8")
    assert "ProtectSystem=strict" in unit and "ReadWritePaths=/var/lib/privacy-bot\n" in unit
    assert "Restart=on-failure" in unit and "-m bot\n" in unit
    backup = (DEPLOY / "privacy-bot-backup.service").read_text(encoding="utf-8")
    assert "-m bot backup /var/backups/privacy-bot" in backup
