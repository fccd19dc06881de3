"""Every setting the bot reads, validated once at start-up.

Values come from the environment and from `.env` (see `.env.example`). A wrong value stops the
bot with a message naming the variable, instead of failing later in the middle of a conversation.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, create_model, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.request_types import REQUEST_TYPES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POLICY_DIR = Path(__file__).resolve().parent / "sample_policy"

# Telegram tokens are "<bot id>:<secret>"; the secret is letters, digits, '_' and '-'.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{8,}$")
# setWebhook's secret_token: "1-256 characters. Only characters A-Z, a-z, 0-9, _ and - are
# allowed" (core.telegram.org/bots/api#setwebhook); we ask for at least 32 of them.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
# "Ports currently supported for webhooks: 443, 80, 88, 8443" (core.telegram.org/bots/api#setwebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)


# --- time zone data -------------------------------------------------------------------------
# zoneinfo.ZoneInfo(key) reads the OS's zone files first (zoneinfo.TZPATH) and the tzdata package
# only when the OS has none; an OS with zone data older than IANA 2024a still has Asia/Almaty at
# UTC+6. So the bot reads TIMEZONE from the tzdata package itself, and refuses to start when the
# OS's file for the same zone gives another offset (the OS's clock, logs and cron would then
# disagree with the times the bot shows and stores).

def _zone_parts(key: str) -> list[str]:
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ZoneInfoNotFoundError(f"{key!r} is not a time zone key")
    return parts


@functools.lru_cache(maxsize=16)
def package_zone(key: str) -> ZoneInfo:
    """The zone `key` as the tzdata package has it, whatever the OS ships."""
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*_zone_parts(key))
    if not resource.is_file():
        raise ZoneInfoNotFoundError(f"No time zone found with key {key}")
    with resource.open("rb") as file:
        return ZoneInfo.from_file(file, key=key)


def os_zone_file(key: str, tzpath: Sequence[str] | None = None) -> Path | None:
    """The OS's file for `key`, searched the way zoneinfo searches (TZPATH), or None."""
    for root in zoneinfo.TZPATH if tzpath is None else tzpath:
        path = Path(root, *_zone_parts(key))
        if path.is_file():
            return path
    return None


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_disagreement(key: str, at: datetime, tzpath: Sequence[str] | None = None) -> str | None:
    """Why the OS's zone data for `key` disagrees with the tzdata package's, or None.

    Offsets are compared at `at` and half a year later (a zone with summer time differs in one).
    An OS without a file for the zone has no view of its own: nothing to disagree with.
    """
    path = os_zone_file(key, tzpath)
    if path is None:
        return None
    package = package_zone(key)
    try:
        with path.open("rb") as file:
            system = ZoneInfo.from_file(file, key=key)
    except (OSError, ValueError) as exc:
        return f"TIMEZONE {key}: the operating system's zone file {path} cannot be read ({exc})"
    for instant in (at, at + timedelta(days=182)):
        ours, theirs = instant.astimezone(package).utcoffset(), instant.astimezone(system).utcoffset()
        if ours != theirs:
            import tzdata

            return (
                f"TIMEZONE {key}: on {instant:%Y-%m-%d} the operating system's zone data ({path}) gives "
                f"{_offset(theirs)}, the tzdata package (IANA {tzdata.IANA_VERSION}) gives {_offset(ours)}. "
                "The bot uses the package; update the operating system's time zone data (e.g. the "
                "tzdata system package) so both agree, then start the bot again."
            )
    return None


# --- request terms: one pair of settings per request type that names them -------------------
# The registry (bot/request_types.py) holds each type's default term and the names of its
# settings; these fields are made from it, so a type added there with settings names gets its
# own environment variables (the names upper-cased) with the same validation.

def _request_term_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for entry, what, name in REQUEST_TYPES.settings_fields():
        if what == "days":
            fields[name] = (int, Field(entry.default_days, ge=1, le=366))
        else:
            fields[name] = (Literal["calendar", "working"], entry.default_kind)
    return fields


RequestTermSettings = create_model("RequestTermSettings", __base__=BaseSettings, **_request_term_fields())


class Settings(RequestTermSettings):  # type: ignore[valid-type,misc]
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
    fast_paths: str = "on"  # on | off | names of fast paths (bot/fast_paths/): code reading libraries' private parts

    operator_name: str = 'ТОО "Пример Сервис"'
    operator_bin: str = "000000000000"
    operator_contact: str = "privacy@example.kz"

    # --- compliance: the operator as named in each language, and what the consent covers ---
    # The legal form goes into each language's own words: «ЖШС» in Kazakh, «ТОО» in Russian.
    # When only OPERATOR_NAME is set, both fall back to it (see _operator_names).
    operator_name_kk: str = "«Пример Сервис» ЖШС"
    operator_name_ru: str = "ТОО «Пример Сервис»"
    # A legal entity has a BIN (БСН / БИН); an individual entrepreneur acts under their own IIN
    # (ЖСН / ИИН), a BIN being formed only for joint entrepreneurship: Law No. 223-III of 12 January
    # 2007 "On national registers of identification numbers", Art. 1(1)(1-1) (unverified).
    operator_id_kind: Literal["bin", "iin"] = "bin"

    # What the consent covers (Law 94-V, Art. 8(4): the operator's name and BIN/IIN, the data, the
    # purposes, the term...; https://adilet.zan.kz/rus/docs/Z1300000094, as quoted by zakonpravo.kz):
    # shown in the consent notice in each language.
    # Lists are separated by ";" (or by "," when there is no ";").
    consent_data_kk: str = "аты-жөні, телефон нөмірі, электрондық пошта, Telegram идентификаторы, тіл"
    consent_data_ru: str = "имя, номер телефона, электронная почта, идентификатор Telegram, язык"
    # Processing the law itself requires needs no consent (Law 94-V, Art. 9 (unverified)), so it is no purpose here.
    consent_purposes_kk: str = "өтініштеріңіз бен шағымдарыңызға жауап беру; қызмет көрсету; жарнама жіберу (тек сіз қоссаңыз)"
    consent_purposes_ru: str = "ответы на ваши обращения и претензии; оказание услуг; рассылка рекламы (только если вы её включите)"
    # Consent can be withdrawn (Law 94-V, Art. 8(1); Art. 8(2): not where a law or an unfulfilled
    # obligation stands in the way): the term must not promise more.
    consent_term_kk: str = "өңдеу мақсаттарына жеткенге дейін немесе келісімді кері қайтарып алғанға дейін (қайсысы бұрын болса)"
    consent_term_ru: str = "до достижения целей обработки или до отзыва согласия, если вы отзовёте его раньше"
    consent_third_parties: bool = False
    consent_cross_border: bool = False
    # Who receives the data and in which countries, when the flags above are on (Art. 8(4); Art. 16,
    # cross-border transfer (unverified)).
    consent_recipients_kk: str = ""
    consent_recipients_ru: str = ""
    consent_countries_kk: str = ""
    consent_countries_ru: str = ""
    # The authorised body for personal data (Law 94-V, Art. 27-1: its competence, cited so by its own
    # order https://adilet.zan.kz/eng/docs/V2000021498; the definition in Art. 1 (subparagraph
    # unverified)): named in refusals.
    authorised_body_kk: str = "Қазақстан Республикасының Жасанды интеллект және цифрлық даму министрлігі"
    authorised_body_ru: str = "Министерство искусственного интеллекта и цифрового развития Республики Казахстан"

    # --- claims and data-subject requests (see README, "Claims") ---
    # The terms (CLAIM_RESPONSE_DAYS, ACCESS_REQUEST_DAYS, ... and their *_KIND) are fields of
    # RequestTermSettings above, one pair per type of the registry (bot/request_types.py).
    # --- caps against flooding, per customer (README, "Claims") ---
    claim_open_limit: int = Field(5, ge=1, le=1000)  # claims open at the same time
    claim_daily_limit: int = Field(5, ge=1, le=1000)  # claims filed within 24 hours
    claim_attachments_limit: int = Field(10, ge=1, le=100)  # photos and documents per claim, follow-ups included
    claim_followups_per_hour: int = Field(10, ge=1, le=1000)  # follow-ups within 60 minutes
    reminder_days: str = "7,3,1"
    reminder_hour: int = Field(9, ge=0, le=23)
    holidays_override_file: Path | None = None
    operator_language: Literal["kk", "ru"] = "ru"
    scheduler_interval_seconds: float = Field(5.0, gt=0)
    scheduler_autostart: bool = True
    # --- the operators' desk: who is an operator (README, "Claims") ---
    # Empty: every administrator of the admin chat. Otherwise only these Telegram user ids
    # (comma-separated), and only while they are administrators of the admin chat.
    operator_ids: str = ""

    # --- broadcasts ---------------------------------------------------------------------
    # Messages per second over all recipients (Telegram allows about 30/s to different users).
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    # Telegram's paid broadcast (allow_paid_broadcast): up to 1000 messages/s, paid in Stars.
    broadcast_paid: bool = False

    @model_validator(mode="after")
    def _operator_names(self) -> Settings:
        # A deployer who sets only OPERATOR_NAME gets it in both languages, not the sample names.
        if "operator_name" in self.model_fields_set:
            for field in ("operator_name_kk", "operator_name_ru"):
                if field not in self.model_fields_set:
                    setattr(self, field, self.operator_name)
        return self

    @model_validator(mode="after")
    def _transfer_lists(self) -> Settings:
        # Art. 8(4): a consent that covers a transfer names who gets the data, and where.
        missing = []
        if self.consent_third_parties:
            missing += [n for n in ("consent_recipients_kk", "consent_recipients_ru") if not getattr(self, n).strip()]
        if self.consent_cross_border:
            missing += [n for n in ("consent_countries_kk", "consent_countries_ru") if not getattr(self, n).strip()]
        if missing:
            raise ValueError(
                ", ".join(n.upper() for n in missing)
                + " must be set: the consent notice names the recipients (CONSENT_THIRD_PARTIES=true) "
                "and the countries (CONSENT_CROSS_BORDER=true)"
            )
        return self
    # --- running in production (README, "Run it") ---------------------------------------
    # The public HTTPS address Telegram posts updates to; unset: long polling.
    webhook_url: str | None = None
    # Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; required with WEBHOOK_URL.
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    # host:port of the bot's own HTTP server (webhook, /healthz, /metrics); in webhook mode it
    # defaults to 127.0.0.1:8080, in polling mode the server runs only when this is set.
    http_listen: str | None = None
    log_format: Literal["text", "json"] = "text"
    # --- erasure and retention (README, "Erasure, blocking and retention") ---------------
    # Law 94-V Art. 12(2), second paragraph: the storage period ends when the purposes of collection
    # and processing are reached (https://adilet.zan.kz/rus/docs/Z1300000094, as quoted by kplaw.kz,
    # "Kazakhstan - Localization of personal data"). A closed claim's
    # content is evidence of how the request was handled for as long as the person can go to
    # court over it: the general limitation period of three years (Civil Code of the Republic
    # of Kazakhstan, General Part, Art. 178(1): "Общий срок исковой давности устанавливается в три
    # года", https://adilet.zan.kz/rus/docs/K940001000_), counted here from the claim's closing.
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

    @field_validator("fast_paths")
    @classmethod
    def _known_fast_paths(cls, value: str) -> str:
        from bot.fast_paths import parse  # plain Python: imports nothing of aiogram

        parse(value)  # raises ValueError naming FAST_PATHS and the known paths
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            package_zone(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIMEZONE {value!r} is not a known IANA time zone (tzdata package)") from exc
        return value

    @field_validator("operator_bin")
    @classmethod
    def _bin_digits(cls, value: str) -> str:
        if not re.fullmatch(r"\d{12}", value.strip()):
            raise ValueError("OPERATOR_BIN must be the 12-digit BIN (or IIN, with OPERATOR_ID_KIND=iin) of the business")
        return value.strip()

    @field_validator("reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError("REMINDER_DAYS must be comma-separated whole numbers of days, e.g. 7,3,1")
        return ",".join(parts)

    @field_validator("operator_ids")
    @classmethod
    def _operator_ids(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError("OPERATOR_IDS must be comma-separated Telegram user ids, e.g. 1001,1002")
        return ",".join(parts)

    @property
    def operator_ids_list(self) -> list[int]:
        return [int(p) for p in self.operator_ids.split(",") if p]

    @field_validator("holidays_override_file")
    @classmethod
    def _override_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"HOLIDAYS_OVERRIDE_FILE {value} does not exist")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        # Telegram refuses anything else: "bad webhook: An HTTPS URL must be provided for webhook".
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("WEBHOOK_URL must be the public https:// address Telegram posts updates to")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise ValueError("WEBHOOK_URL: Telegram posts only to ports 443, 80, 88 or 8443")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            if info.data.get("webhook_url"):
                raise ValueError(
                    "WEBHOOK_SECRET is required with WEBHOOK_URL, so that only Telegram can post updates "
                    "(32+ random characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
                )
            return None
        secret = value.get_secret_value().strip()
        if not _WEBHOOK_SECRET_RE.match(secret):
            raise ValueError(
                "WEBHOOK_SECRET must be 32 to 256 characters of A-Z, a-z, 0-9, _ and - "
                "(e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        # A long secret of few distinct characters ("aaaa...", "abababab...") is guessable.
        if len(set(secret)) < 10:
            raise ValueError("WEBHOOK_SECRET is too weak: use random characters, e.g. secrets.token_urlsafe(32)")
        return SecretStr(secret)

    @field_validator("http_listen")
    @classmethod
    def _http_listen(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_listen(value.strip())
        return value.strip()

    @property
    def webhook_mode(self) -> bool:
        return self.webhook_url is not None

    @property
    def webhook_path(self) -> str:
        """Where the bot's server takes updates: the path of WEBHOOK_URL (the proxy passes it on)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def listen_address(self) -> tuple[str, int] | None:
        """Where the bot's HTTP server listens, or None for none (polling without HTTP_LISTEN)."""
        if self.http_listen:
            return parse_listen(self.http_listen)
        return ("127.0.0.1", 8080) if self.webhook_mode else None

    @property
    def reminder_days_list(self) -> list[int]:
        return sorted({int(p) for p in self.reminder_days.split(",") if p}, reverse=True)

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is relative to the working directory."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def tz(self) -> ZoneInfo:
        """TIMEZONE from the tzdata package, not the OS (see package_zone)."""
        return package_zone(self.timezone)

    def consent_terms(self, language: str) -> dict[str, str]:
        """The language-dependent parts of the consent notice."""
        suffix = "kk" if language == "kk" else "ru"
        return {
            "data": getattr(self, f"consent_data_{suffix}"),
            "purposes": getattr(self, f"consent_purposes_{suffix}"),
            "term": getattr(self, f"consent_term_{suffix}"),
            "recipients": getattr(self, f"consent_recipients_{suffix}"),
            "countries": getattr(self, f"consent_countries_{suffix}"),
        }

    def operator_name_in(self, language: str) -> str:
        """The operator's name as written in `language` (kk or ru)."""
        return self.operator_name_kk if language == "kk" else self.operator_name_ru

    def authorised_body_in(self, language: str) -> str:
        return self.authorised_body_kk if language == "kk" else self.authorised_body_ru


def parse_listen(value: str) -> tuple[str, int]:
    """'host:port' (or '[::1]:port') -> (host, port); ValueError naming HTTP_LISTEN otherwise."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError("HTTP_LISTEN must be host:port, e.g. 127.0.0.1:8080")
    return host, int(port)


class SettingsError(Exception):
    """Settings are missing or invalid; the message names each variable."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's error into one readable message per variable."""
    from pydantic import ValidationError

    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            if error["type"] == "missing":
                problems.append(f"{name} is required but not set (put it into .env or the environment)")
            else:
                problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems)) from None
    # A start-up check of the machine, not of a user's action: the wall clock is right here.
    disagreement = zone_disagreement(settings.timezone, datetime.now(UTC))
    if disagreement is not None:
        raise SettingsError("Invalid settings:\n  " + disagreement)
    return settings
