"""Production settings, JSON logs, the backup file and the metrics' labels (plain unit tests)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.backup import BackupError, backup_database, verify
from bot.config import SettingsError, load_settings
from bot.logs import JsonFormatter
from bot.metrics import error_code

GOOD = {"bot_token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "admin_chat_id": "-1001234567890"}
SECRET = "q8Zt2_LmR4vX9-kWp3Nc7yHs1dBf6GjA0e"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "HTTP_LISTEN", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)


def settings(**values: object):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **GOOD, **values)


def test_polling_by_default_with_no_server() -> None:
    s = settings()
    assert not s.webhook_mode and s.listen_address is None


def test_webhook_mode_listens_on_localhost_at_the_urls_path() -> None:
    s = settings(webhook_url="https://bot.example.kz:8443/tg/updates", webhook_secret=SECRET)
    assert s.webhook_mode and s.webhook_path == "/tg/updates"
    assert s.listen_address == ("127.0.0.1", 8080)
    assert settings(http_listen="0.0.0.0:9000").listen_address == ("0.0.0.0", 9000)  # health in polling mode


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"webhook_url": "https://bot.example.kz/tg"}, "WEBHOOK_SECRET is required"),
        ({"webhook_url": "http://bot.example.kz/tg", "webhook_secret": SECRET}, "WEBHOOK_URL must be the public https://"),
        ({"webhook_url": "https://bot.example.kz:8080/tg", "webhook_secret": SECRET}, "ports 443, 80, 88 or 8443"),
        ({"webhook_url": "https://bot.example.kz/tg", "webhook_secret": "short-secret"}, "32 to 256 characters"),
        ({"webhook_url": "https://bot.example.kz/tg", "webhook_secret": "a" * 40}, "too weak"),
        ({"webhook_url": "https://bot.example.kz/tg", "webhook_secret": SECRET[:-2] + ":)"}, "A-Z, a-z, 0-9, _ and -"),
        ({"http_listen": "8080"}, "HTTP_LISTEN must be host:port"),
        ({"log_format": "xml"}, "LOG_FORMAT"),
    ],
)
def test_bad_production_settings_are_named(values: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings(**values)
    assert named in str(error.value)
    assert SECRET not in str(error.value)


def test_json_logs_carry_the_error_type_and_place_never_its_text() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError("phone +7 701 123 45 67 is not valid")
    except ValueError:
        record = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "update %s failed", (42,), exc_info=__import__("sys").exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test" and entry["message"] == "update 42 failed"
    assert entry["error_type"] == "ValueError"
    assert entry["error_at"].startswith("test_operations.py:") and "test_json_logs" in entry["error_at"]
    assert entry["time"].endswith("+00:00")
    assert "701" not in line


def make_db(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE claims (number TEXT)")
    conn.execute("INSERT INTO claims VALUES ('2026-0001')")
    conn.close()


def test_backup_is_private_verified_and_replaces_atomically(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    make_db(source)
    live = sqlite3.connect(source, isolation_level=None)  # the bot, with a commit still in the WAL
    live.execute("INSERT INTO claims VALUES ('2026-0002')")
    dest = tmp_path / "backup.sqlite3"
    dest.write_text("an older backup")
    result = backup_database(source, dest)
    live.close()
    assert result.path == dest and dest.stat().st_mode & 0o777 == 0o600
    assert verify(dest) == []
    copy = sqlite3.connect(dest)
    assert [r[0] for r in copy.execute("SELECT number FROM claims ORDER BY 1")] == ["2026-0001", "2026-0002"]
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()


def test_backup_refuses_what_would_lose_data(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    make_db(source)
    with pytest.raises(BackupError, match="itself"):
        backup_database(source, source)
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(source, tmp_path / "missing" / "b.sqlite3")
    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "nothing.sqlite3", tmp_path / "b.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.sqlite3"]


def test_a_corrupt_database_is_reported_by_verify(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 + 8 : 4096 + 40] = b"\xff" * 32  # scribble over the cell pointers of the table's root page
    path.write_bytes(bytes(data))
    try:
        problems = verify(path)
    except sqlite3.DatabaseError:
        problems = ["unreadable"]
    assert problems != []


def test_api_error_codes_for_labels() -> None:
    method = SendMessage(chat_id=1, text="x")
    assert error_code(TelegramRetryAfter(method=method, message="", retry_after=3)) == "429"
    assert error_code(TelegramBadRequest(method=method, message="chat not found")) == "400"
    assert error_code(TelegramNetworkError(method=method, message="timeout")) == "network"
