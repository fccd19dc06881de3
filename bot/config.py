"""Every setting the bot reads, validated once at start-up.

Values come from the environment and from `.env` (see `.env.example`). A wrong value stops the
bot with a message naming the variable, instead of failing later in the middle of a conversation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POLICY_DIR = Path(__file__).resolve().parent / "sample_policy"

# Telegram tokens are "<bot id>:<secret>"; the secret is letters, digits, '_' and '-'.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{8,}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr = Field(description="Bot token from @BotFather")
    admin_chat_id: int = Field(description="The operators' group or supergroup id (negative)")
    database_url: str = "sqlite:///data/bot.sqlite3"
    telegram_api_url: str | None = None
    timezone: str = "Asia/Almaty"
    policy_dir: Path = SAMPLE_POLICY_DIR
    log_level: str = "INFO"
    event_loop: Literal["uvloop", "asyncio"] = "uvloop"  # uvloop falls back to asyncio where it is not installed

    operator_name: str = 'ТОО "Пример Сервис"'
    operator_bin: str = "000000000000"
    operator_contact: str = "privacy@example.kz"

    # What the consent covers (Law 94-V, Art. 8): shown in the consent notice in each language.
    consent_data_kk: str = "аты-жөні, телефон нөмірі, электрондық пошта, Telegram идентификаторы, тіл"
    consent_data_ru: str = "имя, номер телефона, электронная почта, идентификатор Telegram, язык"
    consent_purposes_kk: str = "өтініштер мен шағымдарға жауап беру, қызмет көрсету, заң талаптарын орындау"
    consent_purposes_ru: str = "ответы на обращения и претензии, оказание услуг, исполнение требований закона"
    consent_term_kk: str = "келісім кері қайтарылғанға дейін, бірақ заңда белгіленген мерзімнен кем емес"
    consent_term_ru: str = "до отзыва согласия, но не меньше срока, установленного законом"
    consent_third_parties: bool = False
    consent_cross_border: bool = False

    # --- claims and data-subject requests (see README, "Claims") ---
    claim_response_days: int = Field(30, ge=1, le=366)
    claim_days_kind: Literal["calendar", "working"] = "calendar"
    # Law 94-V Art. 24(1)(1) with Art. 25(2)(6): what is held → 3 working days.
    access_request_days: int = Field(3, ge=1, le=366)
    access_request_days_kind: Literal["calendar", "working"] = "working"
    # Art. 25(2)(8): change/add, block, destroy → 1 working day.
    change_request_days: int = Field(1, ge=1, le=366)
    change_request_days_kind: Literal["calendar", "working"] = "working"
    block_request_days: int = Field(1, ge=1, le=366)
    block_request_days_kind: Literal["calendar", "working"] = "working"
    destroy_request_days: int = Field(1, ge=1, le=366)
    destroy_request_days_kind: Literal["calendar", "working"] = "working"
    reminder_days: str = "7,3,1"
    reminder_hour: int = Field(9, ge=0, le=23)
    holidays_override_file: Path | None = None
    operator_language: Literal["kk", "ru"] = "ru"
    scheduler_interval_seconds: float = Field(5.0, gt=0)
    scheduler_autostart: bool = True

    # --- broadcasts ---------------------------------------------------------------------
    # Messages per second over all recipients (Telegram allows about 30/s to different users).
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    # Telegram's paid broadcast (allow_paid_broadcast): up to 1000 messages/s, paid in Stars.
    broadcast_paid: bool = False

    # --- erasure and retention (README, "Erasure, blocking and retention") ---------------
    # Law 94-V Art. 5, 12(1): data are kept no longer than their purpose needs. A closed claim's
    # content is evidence of how the request was handled for as long as the person can go to
    # court over it: the general limitation period of three years (Civil Code of the Republic
    # of Kazakhstan, General Part, Art. 178), counted here from the claim's closing.
    claim_retention_days: int = Field(1095, ge=1)
    # Delivered messages for the operators: kept a few days to look into delivery problems; the
    # claim itself holds the content as long as it is needed.
    outbox_retention_days: int = Field(7, ge=1)
    # Unfinished conversations (a half-written claim, a correction) expire after a day.
    draft_ttl_hours: int = Field(24, ge=1)
    # The daily retention job starts with the bot (tests turn it off and call run_once()).
    retention_autostart: bool = True

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError(
                "BOT_TOKEN does not look like a Telegram bot token ('123456789:AA...' from @BotFather)"
            )
        return SecretStr(value.get_secret_value().strip())

    @field_validator("admin_chat_id")
    @classmethod
    def _admin_chat_is_group(cls, value: int) -> int:
        # Group and supergroup ids are negative; a positive id is a person, not the operators' chat.
        if value >= 0:
            raise ValueError("ADMIN_CHAT_ID must be a group or supergroup id (a negative number)")
        return value

    @field_validator("database_url")
    @classmethod
    def _sqlite_url(cls, value: str) -> str:
        if not value.startswith("sqlite:///") or len(value) <= len("sqlite:///"):
            raise ValueError("DATABASE_URL must look like sqlite:///path/to/file.sqlite3")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIMEZONE {value!r} is not a known IANA time zone") from exc
        return value

    @field_validator("operator_bin")
    @classmethod
    def _bin_digits(cls, value: str) -> str:
        if not re.fullmatch(r"\d{12}", value.strip()):
            raise ValueError("OPERATOR_BIN must be the 12-digit BIN/IIN of the business")
        return value.strip()

    @field_validator("reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError("REMINDER_DAYS must be comma-separated whole numbers of days, e.g. 7,3,1")
        return ",".join(parts)

    @field_validator("holidays_override_file")
    @classmethod
    def _override_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"HOLIDAYS_OVERRIDE_FILE {value} does not exist")
        return value

    @property
    def reminder_days_list(self) -> list[int]:
        return sorted({int(p) for p in self.reminder_days.split(",") if p}, reverse=True)

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is relative to the working directory."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def consent_terms(self, language: str) -> dict[str, str]:
        """The language-dependent parts of the consent notice."""
        suffix = "kk" if language == "kk" else "ru"
        return {
            "data": getattr(self, f"consent_data_{suffix}"),
            "purposes": getattr(self, f"consent_purposes_{suffix}"),
            "term": getattr(self, f"consent_term_{suffix}"),
        }


class SettingsError(Exception):
    """Settings are missing or invalid; the message names each variable."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error into one readable message per variable."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            if error["type"] == "missing":
                problems.append(f"{name} is required but not set (put it into .env or the environment)")
            else:
                problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems)) from None
