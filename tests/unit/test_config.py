"""Settings: a wrong or missing value stops start-up with a message naming the variable."""

from __future__ import annotations

import importlib.resources
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings, zone_disagreement

GOOD = {"bot_token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "admin_chat_id": "-1001234567890"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No developer .env or exported variable may leak into these tests.
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "ADMIN_CHAT_ID", "DATABASE_URL", "TIMEZONE", "OPERATOR_BIN", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", GOOD["bot_token"])
    monkeypatch.setenv("ADMIN_CHAT_ID", GOOD["admin_chat_id"])
    settings = load_settings()
    assert settings.admin_chat_id == -1001234567890
    assert settings.timezone == "Asia/Almaty"
    assert str(settings.database_path) == "data/bot.sqlite3"
    assert settings.telegram_api_url is None
    assert settings.policy_dir.is_dir()


def test_dotenv_file_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text(f"BOT_TOKEN={GOOD['bot_token']}\nADMIN_CHAT_ID=-100777\n", encoding="utf-8")
    assert load_settings().admin_chat_id == -100777


def test_missing_token_is_named() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(admin_chat_id=-1)
    assert "BOT_TOKEN is required" in str(error.value)


@pytest.mark.parametrize("token", ["", "abc", "123456", "123:short", "12 3:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"])
def test_malformed_token_is_named(token: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(bot_token=token, admin_chat_id=-1)
    assert "BOT_TOKEN" in str(error.value)


def test_token_is_not_printed_in_errors() -> None:
    secret = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    with pytest.raises(SettingsError) as error:
        load_settings(bot_token=secret, admin_chat_id=5)
    assert secret not in str(error.value)
    assert "ADMIN_CHAT_ID" in str(error.value)


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("admin_chat_id", 42, "ADMIN_CHAT_ID"),
        ("timezone", "Mars/Olympus", "TIMEZONE"),
        ("database_url", "postgres://x", "DATABASE_URL"),
        ("operator_bin", "12345", "OPERATOR_BIN"),
        ("event_loop", "trio", "EVENT_LOOP"),
    ],
)
def test_invalid_values_are_named(field: str, value: object, name: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(**{**GOOD, field: value})
    assert name in str(error.value)


def test_consent_terms_follow_language() -> None:
    settings = Settings(**GOOD)  # type: ignore[arg-type]
    assert settings.consent_terms("kk")["data"] == settings.consent_data_kk
    assert settings.consent_terms("ru")["purposes"] == settings.consent_purposes_ru


# --- time zone data: the tzdata package, checked against the OS --------------------------------

ALMATY_2024_CHANGE = datetime(2024, 3, 1, tzinfo=UTC)  # IANA 2024a: Asia/Almaty UTC+6 → UTC+5


def _os_tree(root: Path, key: str, source_key: str) -> Path:
    """A stand-in OS zoneinfo folder whose `key` file holds the package's `source_key` data."""
    target = root.joinpath(*key.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    source = importlib.resources.files("tzdata.zoneinfo").joinpath(*source_key.split("/"))
    target.write_bytes(source.read_bytes())
    return root


def test_zone_comes_from_the_tzdata_package(tmp_path: Path) -> None:
    # Even where the OS's Asia/Almaty is the old UTC+6 one, the bot's zone is UTC+5.
    old_os = _os_tree(tmp_path / "os", "Asia/Almaty", "Etc/GMT-6")
    zoneinfo.reset_tzpath([str(old_os)])
    try:
        zoneinfo.ZoneInfo.clear_cache()
        settings = Settings(**GOOD)  # type: ignore[arg-type]
        assert datetime(2026, 6, 1, tzinfo=UTC).astimezone(settings.tz).utcoffset() == timedelta(hours=5)
        assert str(settings.tz) == "Asia/Almaty"
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()


def test_an_os_with_old_zone_data_stops_the_start(tmp_path: Path) -> None:
    old_os = _os_tree(tmp_path / "os", "Asia/Almaty", "Etc/GMT-6")
    problem = zone_disagreement("Asia/Almaty", datetime(2026, 12, 3, tzinfo=UTC), [str(old_os)])
    assert problem is not None
    assert "UTC+06:00" in problem and "UTC+05:00" in problem and "TIMEZONE Asia/Almaty" in problem
    zoneinfo.reset_tzpath([str(old_os)])
    try:
        with pytest.raises(SettingsError) as error:
            load_settings(**GOOD)
        assert "TIMEZONE Asia/Almaty" in str(error.value)
        assert "update the operating system's time zone data" in str(error.value)
    finally:
        zoneinfo.reset_tzpath()


def test_an_os_that_agrees_or_has_no_file_lets_the_bot_start(tmp_path: Path) -> None:
    current_os = _os_tree(tmp_path / "os", "Asia/Almaty", "Asia/Almaty")
    assert zone_disagreement("Asia/Almaty", ALMATY_2024_CHANGE, [str(current_os)]) is None
    assert zone_disagreement("Asia/Almaty", ALMATY_2024_CHANGE, [str(tmp_path / "empty")]) is None
    zoneinfo.reset_tzpath([str(current_os)])
    try:
        assert load_settings(**GOOD).timezone == "Asia/Almaty"
    finally:
        zoneinfo.reset_tzpath()


def test_summer_time_is_compared_too(tmp_path: Path) -> None:
    # Europe/Berlin's file standing in for Europe/Paris agrees; Africa/Lagos (UTC+1 all year) does
    # not in summer, which a check at a winter instant alone would miss.
    same = _os_tree(tmp_path / "a", "Europe/Paris", "Europe/Berlin")
    winter_only = _os_tree(tmp_path / "b", "Europe/Paris", "Africa/Lagos")
    january = datetime(2026, 1, 15, tzinfo=UTC)
    assert zone_disagreement("Europe/Paris", january, [str(same)]) is None
    assert zone_disagreement("Europe/Paris", january, [str(winter_only)]) is not None
