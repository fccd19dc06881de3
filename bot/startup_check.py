"""`python -m bot check`, and the same checks at every start: is everything in place to run?

Settings (validated when loaded), the database (opened, migrated, written), the policy folder
(parsed), Telegram (getMe with BOT_TOKEN), the operators' chat (the bot is in it, can post, and in
a forum can create topics) and, in webhook mode, what Telegram last said about the webhook. Each
finding says what is wrong and how to fix it. A failure stops the bot at start with that report
(systemd then shows it in `systemctl status`); a warning is logged and the bot runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import Chat, ChatMemberAdministrator, ChatMemberOwner, ChatMemberRestricted, User

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.policy import PolicyError, load_policy_library
from storage import monitoring
from storage.db import Database, schema_version

log = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]
_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


@dataclass
class Finding:
    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    # What getChat said about ADMIN_CHAT_ID, when it answered: the bot's start hands it to the
    # scheduler (bot.app.create_checked_app), so one start asks Telegram about the chat once.
    admin_chat: Chat | None = None

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)

    def add(self, name: str, status: Status, detail: str, fix: str | None = None) -> None:
        self.findings.append(Finding(name, status, detail, fix))

    def render(self) -> str:
        lines = []
        for f in self.findings:
            lines.append(f"{_MARK[f.status]}  {f.name}: {f.detail}")
            if f.fix:
                lines.append(f"      fix: {f.fix}")
        verdict = "problems found" if self.failed else "ready to run"
        lines.append(f"{verdict}.")
        return "\n".join(lines)

    def log(self) -> None:
        for f in self.findings:
            level = {"ok": logging.INFO, "warn": logging.WARNING, "fail": logging.ERROR}[f.status]
            log.log(level, "check %s: %s%s", f.name, f.detail, f" (fix: {f.fix})" if f.fix else "")


class StartupCheckFailed(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__("the start-up check found problems")
        self.report = report


def settings_failure(message: str) -> Report:
    """The report for settings that did not load (load_settings' message names each variable)."""
    report = Report()
    problems = [line.strip() for line in message.splitlines()[1:] if line.strip()] or [message]
    report.add(
        "settings", "fail", "; ".join(problems),
        "set each named variable in .env or the environment (.env.example and README, \"Settings\")",
    )
    return report


async def run_checks(settings: Settings, *, bot: Bot | None = None, clock: Clock | None = None) -> Report:
    report = Report()
    mode = f"webhook to {settings.webhook_url}" if settings.webhook_mode else "long polling"
    report.add("settings", "ok", f"loaded; {mode}")
    await _check_database(report, settings, clock or SystemClock())
    _check_policy(report, settings)
    own_bot = bot is None
    if bot is None:
        from bot.app import create_bot  # here: bot.app imports this module

        bot = create_bot(settings)
    try:
        me = await _check_telegram(report, settings, bot)
        if me is not None:
            await _check_admin_chat(report, settings, bot, me)
            await _check_webhook(report, settings, bot)
    finally:
        if own_bot:
            await bot.session.close()
    return report


async def _check_database(report: Report, settings: Settings, clock: Clock) -> None:
    path = settings.database_path
    fix = (
        f"DATABASE_URL points to {path}: make its folder exist and be writable by the bot's user "
        "(in deploy/privacy-bot.service it is the only writable path), or point DATABASE_URL elsewhere"
    )
    try:
        db = await Database.open(path)
    except Exception as error:  # sqlite3.Error, OSError, MigrationError
        report.add("database", "fail", f"cannot open or migrate {path} ({type(error).__name__})", fix)
        return
    try:
        version = await schema_version(db)
        await monitoring.probe_write(db, clock.now())
    except Exception as error:
        report.add("database", "fail", f"{path} is not writable ({type(error).__name__})", fix)
    else:
        report.add("database", "ok", f"{path}, schema version {version}, writable")
    finally:
        await db.close()


def _check_policy(report: Report, settings: Settings) -> None:
    try:
        library = load_policy_library(settings.policy_dir)
    except PolicyError as error:
        report.add(
            "policy", "fail", str(error),
            "POLICY_DIR must hold one folder per version named by its date (YYYY-MM-DD) with kk.md and/or ru.md",
        )
        return
    current = library.current
    languages = ", ".join(sorted(current.documents))
    report.add("policy", "ok", f"{len(library.versions)} version(s) in {settings.policy_dir}, newest {current.version} ({languages})")


async def _check_telegram(report: Report, settings: Settings, bot: Bot) -> User | None:
    where = settings.telegram_api_url or "api.telegram.org"
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        report.add("telegram", "fail", "Telegram refuses BOT_TOKEN (401 Unauthorized)",
                   "copy the token again from @BotFather (/mybots -> your bot -> API Token) into BOT_TOKEN")
        return None
    except TelegramNetworkError as error:
        report.add("telegram", "fail", f"cannot reach the Bot API at {where} ({type(error).__name__})",
                   "check the machine's network, DNS and firewall (outgoing HTTPS), or TELEGRAM_API_URL")
        return None
    except TelegramAPIError as error:
        report.add("telegram", "fail", f"getMe failed ({type(error).__name__}: {error.message})",
                   "check BOT_TOKEN and TELEGRAM_API_URL")
        return None
    report.add("telegram", "ok", f"getMe: @{me.username} (id {me.id})")
    return me


async def _check_admin_chat(report: Report, settings: Settings, bot: Bot, me: User) -> None:
    chat_id = settings.admin_chat_id
    add_bot = (
        f"add @{me.username} to the operators' group and make it an administrator; "
        "ADMIN_CHAT_ID is that group's id (a negative number, -100... for a supergroup)"
    )
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, me.id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        report.add("admin chat", "fail", f"the bot is not in the admin chat {chat_id} (Telegram: {error.message})", add_bot)
        return
    except TelegramAPIError as error:
        report.add("admin chat", "fail", f"cannot read the admin chat {chat_id} ({type(error).__name__})", add_bot)
        return
    report.admin_chat = chat
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        report.add("admin chat", "fail", f"ADMIN_CHAT_ID {chat_id} is a {chat.type}, not a group",
                   "set ADMIN_CHAT_ID to the operators' group id")
        return
    title = f"{chat_id} ({chat.type}{', forum' if chat.is_forum else ''})"
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        report.add("admin chat", "fail", f"the bot is not a member of the admin chat {title} ({member.status})", add_bot)
        return
    is_admin = isinstance(member, ChatMemberAdministrator | ChatMemberOwner)
    can_post = True
    if isinstance(member, ChatMemberRestricted):
        can_post = member.can_send_messages
    elif not is_admin and chat.permissions is not None and chat.permissions.can_send_messages is False:
        can_post = False
    if not can_post:
        report.add("admin chat", "fail", f"the bot cannot post in the admin chat {title}",
                   f"make @{me.username} an administrator of the group (or allow it to send messages)")
        return
    if chat.is_forum:
        can_topics = isinstance(member, ChatMemberOwner) or (
            isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
        )
        if not can_topics:
            report.add("admin chat", "fail", f"the admin chat {title} is a forum but the bot cannot create topics",
                       f"promote @{me.username} to administrator with the right \"Manage topics\"")
            return
    if not is_admin and not me.can_read_all_group_messages:
        report.add("admin chat", "warn", f"the bot is a plain member of {title}: it sees operators' messages only "
                   "when they reply to its messages", f"make @{me.username} an administrator of the group")
        return
    report.add("admin chat", "ok", f"{title}: the bot is {member.status} and can post")


async def _check_webhook(report: Report, settings: Settings, bot: Bot) -> None:
    try:
        info = await bot.get_webhook_info()
    except TelegramAPIError as error:
        report.add("webhook", "warn", f"getWebhookInfo failed ({type(error).__name__})")
        return
    if not settings.webhook_mode:
        if info.url:
            report.add("webhook", "ok", "a webhook is set; polling deletes it at start (updates are kept)")
        return
    if info.last_error_message:
        report.add("webhook", "warn", f"Telegram's last error posting to the webhook: {info.last_error_message}",
                   "check that the proxy forwards WEBHOOK_URL to HTTP_LISTEN and that its TLS certificate is valid")
    elif info.url and info.url != settings.webhook_url:
        report.add("webhook", "ok", "a different webhook URL is set; the bot replaces it at start")
    else:
        report.add("webhook", "ok", "set at start to WEBHOOK_URL with WEBHOOK_SECRET")
