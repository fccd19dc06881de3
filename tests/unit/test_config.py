"""Settings: a wrong or missing value stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError, load_settings

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
