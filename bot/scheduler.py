"""Background work: deliver the outbox, emit deadline reminders and overdue alerts.

`run_once()` does one round and is what tests call after moving the clock; the production loop
calls it every SCHEDULER_INTERVAL_SECONDS. Delivery takes rows in a transaction before sending,
so two rounds running at once never send a row twice.

What the outbox promises (README, "Durability"):
- order only within one claim: one claim's trouble never holds back another claim's messages;
- an attachment that can no longer be copied becomes a line saying so, and the claim goes on;
- a message Telegram refuses PARK_AFTER_REFUSALS times is parked and announced in the admin
  chat (never only a log line); an announcement that cannot be delivered is not announced again;
- back-off is capped at MAX_BACKOFF, a chat in back-off is probed every PROBE_EVERY, and a
  success to a chat clears the back-off of the rows that only waited for it, so delivery resumes
  within a minute after an outage ends;
- a forum admin chat where the bot cannot create topics gets plain cards and one warning;
- a migrated or lost admin chat is logged as an error with the fix, at start-up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Chat, InlineKeyboardMarkup
from aiogram_i18n.cores import BaseCore

from bot import claims as domain
from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import esc
from bot.request_types import name_key
from storage import claims as store
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

CardMarkup = Callable[[domain.Translate, store.Claim], InlineKeyboardMarkup]
FIRST_BACKOFF = timedelta(seconds=10)
# A few minutes at most: after an outage nothing should sleep for an hour (see also PROBE_EVERY).
MAX_BACKOFF = timedelta(minutes=5)
# While a chat's rows back off, one of them is tried this often, whatever its own back-off says;
# its success clears the others' back-off, so delivery resumes within a minute of recovery.
PROBE_EVERY = timedelta(seconds=30)
# Telegram refusing the very same message this many times (400 on its text, 403 from a person)
# parks it; outages and a lost chat never park anything.
PARK_AFTER_REFUSALS = 5
# A lost or migrated admin chat is logged again at most this often while it lasts.
CHAT_PROBLEM_LOG_EVERY = timedelta(minutes=10)
PASSES_PER_ROUND = 20
TAKE_PER_PASS = 50

RATE = "rate"
UNAVAILABLE = "unavailable"

# Telegram's descriptions that concern the chat, not the message (Bot API error texts, e.g.
# "Forbidden: bot was kicked from the supergroup chat", "Bad Request: chat not found",
# "Forbidden: the group chat was deleted", "Bad Request: not enough rights to send text messages").
_CHAT_LOST = re.compile(
    r"kicked|not a member|chat not found|group chat was deleted|chat was deactivated|upgraded to a supergroup|"
    r"rights to send|have no rights|need administrator rights|chat_write_forbidden|chat_admin_required",
    re.IGNORECASE,
)
_TOPIC_RIGHTS = re.compile(r"not enough rights|rights to (create|manage)|chat is not a forum|topics? (are )?disabled", re.IGNORECASE)


@dataclass(frozen=True)
class Failure:
    """What a failed attempt says: RATE, UNAVAILABLE, or one of outbox.TRANSIENT / CHAT / MESSAGE."""

    kind: str
    reason: str  # Telegram's description (never the message text)
    retry_after: int | None = None
    migrate_to: int | None = None


def classify(error: BaseException, *, copying: bool = False, group: bool = True) -> Failure:
    """Sort an error from sending one outbox row into what to do about it.

    `group`: the row goes to a group (the operators' chat). A person's chat that is lost (blocked,
    deleted account) is about that message's recipient: it is refused like a message, and parked."""
    reason = getattr(error, "message", None) or type(error).__name__
    if isinstance(error, TelegramRetryAfter):
        return Failure(RATE, reason, retry_after=int(error.retry_after))
    if isinstance(error, TelegramMigrateToChat):
        return Failure(outbox.CHAT, reason, migrate_to=error.migrate_to_chat_id)
    if isinstance(error, (TelegramServerError, TelegramNetworkError, TelegramUnauthorizedError)):
        return Failure(outbox.TRANSIENT, reason)
    if group and isinstance(error, (TelegramForbiddenError, TelegramBadRequest)) and _CHAT_LOST.search(reason):
        return Failure(outbox.CHAT, reason)
    if copying and isinstance(error, TelegramBadRequest):
        # The original is gone (the customer deleted it) or cannot be copied: retrying won't help.
        return Failure(UNAVAILABLE, reason)
    return Failure(outbox.MESSAGE, reason)


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s, ... capped at MAX_BACKOFF."""
    return min(FIRST_BACKOFF * 2 ** min(attempts, 10), MAX_BACKOFF)


def operator_translator(core: BaseCore, settings: Settings) -> domain.Translate:
    language = settings.operator_language

    def t(key: str, **kwargs: Any) -> str:
        return core.get(key, language, **kwargs)

    return t


def _preview(text: str, limit: int = 60) -> str:
    """A short plain-text hint of a queued HTML message, for the operators' notice."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())
    return plain if len(plain) <= limit else plain[:limit] + "…"


class Scheduler:
    def __init__(
        self, settings: Settings, db: Database, clock: Clock, core: BaseCore, card_markup: CardMarkup | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.core = core
        self.t = operator_translator(core, settings)
        self.card_markup = card_markup
        self.bot: Bot | None = None  # an outbox bot whose sending policy does not retry itself
        self.on_overdue: Callable[[list[int]], Awaitable[None]] | None = None  # claims that just got an overdue alert
        # ADMIN_CHAT_ID as the start-up check just read it (set by bot.app.create_checked_app):
        # check_admin_chat uses it instead of asking Telegram again.
        self.checked_admin_chat: Chat | None = None
        self._is_forum: bool | None = None
        self._topics_unavailable = False
        self._background = BackgroundLoop("claims-scheduler", self._loop)
        self._round = asyncio.Lock()
        self._wake = asyncio.Event()
        self.last_round_at: float | None = None  # loop.time() when the loop last began a round (/healthz)
        self._paused: dict[int, datetime] = {}  # chat → until (429 retry_after)
        self._last_attempt: dict[int, datetime] = {}  # chat → when a row was last tried
        self._reported: dict[tuple[int, str], datetime] = {}  # (chat, problem) → last logged

    # ------------------------------------------------------------ lifecycle

    async def on_startup(self, bot: Bot) -> None:
        if self.bot is None:
            self.bot = bot
        await outbox.release_all_sending(self.db)
        moved = await outbox.retarget_group_rows(self.db, self.settings.admin_chat_id)
        if moved:
            log.warning("outbox: %s messages owed to a previous operators' chat now go to ADMIN_CHAT_ID=%s",
                        moved, self.settings.admin_chat_id)
        await self.check_admin_chat()
        if self.settings.scheduler_autostart:
            self._background.start()

    async def on_shutdown(self) -> None:
        await self._background.stop()

    @property
    def running(self) -> bool:
        """Whether the background loop is alive (SCHEDULER_AUTOSTART)."""
        return self._background.running
    async def check_admin_chat(self) -> bool:
        """Learn at start-up whether ADMIN_CHAT_ID is a forum; a lost or migrated chat is logged with the fix.

        Telegram is asked only when the start-up check has not just read the chat
        (checked_admin_chat, used once: a later start asks afresh).
        """
        assert self.bot is not None
        chat_id = self.settings.admin_chat_id
        chat, self.checked_admin_chat = self.checked_admin_chat, None
        if chat is None:
            try:
                chat = await self.bot.get_chat(chat_id)
            except (TelegramServerError, TelegramNetworkError, TelegramRetryAfter) as error:
                log.warning("could not check the operators' chat ADMIN_CHAT_ID=%s at start-up (%s); "
                            "messages for the operators wait in the outbox", chat_id, type(error).__name__)
                return False
            except TelegramAPIError as error:
                self._report_chat_problem(chat_id, classify(error), force=True)
                return False
        self._is_forum = bool(chat.is_forum)
        log.info("operators' chat ADMIN_CHAT_ID=%s reachable (%s%s)", chat_id, chat.type, ", forum" if chat.is_forum else "")
        return True

    async def _loop(self) -> None:
        while True:
            self.last_round_at = asyncio.get_running_loop().time()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the loop alive; log without personal data
                log.error("scheduler round failed: %s", type(error).__name__)
            # Sleep until the next tick, or until an event queued something for the operators.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.scheduler_interval_seconds)
            self._wake.clear()

    async def kick(self) -> None:
        """Something was queued for the operators: deliver it soon.

        With the background loop running, wake it and return at once, so the customer's update
        does not wait for the operators' chat. Without the loop (tests, or autostart off),
        deliver now.
        """
        if self._background.running:
            self._wake.set()
            return
        await self.deliver()

    # ------------------------------------------------------------ work

    async def run_once(self) -> int:
        """Emit due alerts, then deliver what is due in the outbox. Returns rows delivered."""
        overdue: list[int] = []
        await domain.emit_alerts(self.db, self.settings, self.t, self.clock.now(), overdue)
        delivered = await self.deliver()
        if overdue and self.on_overdue is not None:
            try:
                await self.on_overdue(overdue)  # the cards say "overdue" (handlers.operators.claims)
            except Exception as error:
                log.warning("overdue cards not redrawn: %s", type(error).__name__)
        return delivered

    async def deliver(self) -> int:
        assert self.bot is not None, "the scheduler has no bot before startup"
        delivered = 0
        async with self._round:
            for _ in range(PASSES_PER_ROUND):
                now = self.clock.now()
                paused = [chat for chat, until in self._paused.items() if until > now]
                rows = await outbox.claim_due(self.db, now, paused_chats=paused, limit=TAKE_PER_PASS)
                rows += await self._probes(now, set(paused) | {row.chat_id for row in rows})
                if not rows:
                    break
                sent = await self._send_rows(rows, now)
                delivered += sent
                # Another pass only when something went out: a success may have cleared the
                # back-off of other rows, or more rows wait than one pass takes.
                if not sent:
                    break
        return delivered

    async def _probes(self, now: datetime, busy: set[int]) -> list[outbox.OutboxRow]:
        """One row of each chat in back-off not tried for PROBE_EVERY, taken before its time."""
        taken = []
        for chat_id in await outbox.chats_waiting_on_backoff(self.db, now):
            last = self._last_attempt.get(chat_id)
            if chat_id in busy or (last is not None and now - last < PROBE_EVERY):
                continue
            row = await outbox.claim_probe(self.db, chat_id, now)
            if row is not None:
                taken.append(row)
        return taken

    async def _send_rows(self, rows: list[outbox.OutboxRow], now: datetime) -> int:
        delivered = 0
        stalled_keys: set[str] = set()  # a claim whose earlier message failed in this pass
        stalled_chats: set[int] = set()  # a chat that failed as a whole in this pass
        cleared: set[int] = set()
        for row in rows:
            if row.chat_id in stalled_chats or (row.order_key is not None and row.order_key in stalled_keys):
                await outbox.release(self.db, row.id)
                continue
            self._last_attempt[row.chat_id] = now
            try:
                message_id, note = await self._attempt(row)
            except Exception as error:
                failure = classify(error, group=row.chat_id < 0)
                await self._failed(row, failure, now)
                if failure.kind in (RATE, outbox.TRANSIENT, outbox.CHAT):
                    stalled_chats.add(row.chat_id)
                elif row.order_key is not None:
                    stalled_keys.add(row.order_key)
                continue
            await outbox.mark_delivered(self.db, row.id, message_id, now, note=note)
            if row.claim_id is not None and message_id is not None:
                await store.link_message(self.db, row.chat_id, message_id, row.claim_id, row.payload.get("role", "content"))
            delivered += 1
            if row.chat_id not in cleared:
                cleared.add(row.chat_id)
                if await outbox.clear_backoff(self.db, row.chat_id, now):
                    log.info("outbox: chat %s reachable again; waiting messages go now", row.chat_id)
        return delivered

    async def _failed(self, row: outbox.OutboxRow, failure: Failure, now: datetime) -> None:
        if failure.kind == RATE:
            delay = timedelta(seconds=max(failure.retry_after or 1, 1))
            self._paused[row.chat_id] = now + delay
            log.warning("outbox row %s: 429, chat %s paused for %ss", row.id, row.chat_id, int(delay.total_seconds()))
            await outbox.mark_failed(self.db, row.id, f"429 retry_after={failure.retry_after}", now + delay,
                                     failure=outbox.TRANSIENT)
            return
        if failure.kind == outbox.MESSAGE:
            if row.refusals + 1 >= PARK_AFTER_REFUSALS:
                await self._park(row, failure, now)
                return
            delay = backoff(row.refusals)
        else:
            if failure.kind == outbox.CHAT:
                self._report_chat_problem(row.chat_id, failure)
            delay = backoff(row.attempts)
        log.warning("outbox row %s not delivered (%s: %s); retry in %ss", row.id, failure.kind, failure.reason[:80],
                    int(delay.total_seconds()))
        await outbox.mark_failed(self.db, row.id, failure.reason, now + delay, failure=failure.kind)

    async def _park(self, row: outbox.OutboxRow, failure: Failure, now: datetime) -> None:
        """Give the message up and tell the operators which claim, what, why and where to look."""
        announce = not row.payload.get("notice")  # a notice that cannot be delivered is not announced again
        claim = await store.get(self.db, row.claim_id) if row.claim_id is not None else None
        async with self.db.transaction() as tx:
            await outbox.mark_dead(tx, row.id, failure.reason, now)
            if announce:
                text = self._parked_text(row, claim, failure)
                await outbox.enqueue(tx, chat_id=self.settings.admin_chat_id, claim_id=row.claim_id, kind="message",
                                     payload={"text": text, "notice": "parked", "role": "bot"}, now=now, ordered=False)
        log.error("outbox row %s (claim %s) parked after %s refusals: %s%s", row.id, claim.number if claim else "-",
                  row.refusals + 1, failure.reason[:120], "" if announce else " (a notice: not announced again)")

    def _parked_text(self, row: outbox.OutboxRow, claim: store.Claim | None, failure: Failure) -> str:
        t = self.t
        if row.kind == "copy":
            what = t("outbox-what-attachment")
        elif row.payload.get("card"):
            what = t("outbox-what-card")
        else:
            what = t("outbox-what-message", preview=esc(_preview(str(row.payload.get("text", "")))))
        reason = esc(failure.reason[:300])
        if claim is None:
            return t("outbox-parked-general", what=what, reason=reason, attempts=row.refusals + 1)
        return t("outbox-parked", number=claim.number, what=what, reason=reason, attempts=row.refusals + 1)

    def _report_chat_problem(self, chat_id: int, failure: Failure, *, force: bool = False) -> None:
        """Loud, with the fix, but once per CHAT_PROBLEM_LOG_EVERY while the problem lasts."""
        now = self.clock.now()
        problem = "migrated" if failure.migrate_to is not None else failure.reason[:60]
        last = self._reported.get((chat_id, problem))
        if not force and last is not None and now - last < CHAT_PROBLEM_LOG_EVERY:
            return
        self._reported[(chat_id, problem)] = now
        admin = chat_id == self.settings.admin_chat_id
        name = f"the operators' chat ADMIN_CHAT_ID={chat_id}" if admin else f"chat {chat_id}"
        if failure.migrate_to is not None:
            fix = (f"set ADMIN_CHAT_ID={failure.migrate_to} (in .env or the environment) and restart the bot"
                   if admin else f"its new id is {failure.migrate_to}")
            log.error("%s was upgraded to a supergroup with id %s: %s. Messages for the operators are kept "
                      "in the outbox until then.", name, failure.migrate_to, fix)
            return
        log.error("the bot cannot write to %s (Telegram says: %s). Fix: add the bot to the operators' group as an "
                  "administrator allowed to post messages, or set ADMIN_CHAT_ID to the group's id (a negative number; "
                  "supergroups start with -100) and restart. Messages for the operators are kept in the outbox until then.",
                  name, failure.reason[:120])

    # ------------------------------------------------------------ sending one row

    async def _attempt(self, row: outbox.OutboxRow) -> tuple[int | None, str | None]:
        """Send the row; returns (the message id in the chat, a note when sent other than written)."""
        assert self.bot is not None
        thread = await self._thread_for(row)
        payload = row.payload
        if row.kind == "copy":
            try:
                result = await self.bot.copy_message(
                    row.chat_id, payload["from_chat_id"], payload["message_id"], message_thread_id=thread
                )
                return result.message_id, None
            except TelegramBadRequest as error:
                failure = classify(error, copying=True, group=row.chat_id < 0)
                if failure.kind != UNAVAILABLE:
                    raise
                line = await self._unavailable_line(row)
                message = await self.bot.send_message(row.chat_id, line, message_thread_id=thread)
                return message.message_id, f"attachment unavailable: {failure.reason}"
        markup = None
        if payload.get("card") and row.claim_id is not None and self.card_markup is not None:
            claim = await store.get(self.db, row.claim_id)
            if claim is not None:  # the buttons possible for the claim as it is when the card goes out
                markup = self.card_markup(self.t, claim)
        message = await self.bot.send_message(row.chat_id, payload["text"], message_thread_id=thread, reply_markup=markup)
        return message.message_id, None

    async def _unavailable_line(self, row: outbox.OutboxRow) -> str:
        claim = await store.get(self.db, row.claim_id) if row.claim_id is not None else None
        if claim is None:
            return self.t("outbox-attachment-unavailable-general")
        return self.t("outbox-attachment-unavailable", number=claim.number)

    async def _is_forum_chat(self) -> bool:
        if self._is_forum is None:
            assert self.bot is not None
            chat = await self.bot.get_chat(self.settings.admin_chat_id)
            self._is_forum = bool(chat.is_forum)
        return self._is_forum

    async def _thread_for(self, row: outbox.OutboxRow) -> int | None:
        if row.claim_id is None or row.chat_id != self.settings.admin_chat_id or not await self._is_forum_chat():
            return None
        claim = await store.get(self.db, row.claim_id)
        assert claim is not None and self.bot is not None
        if claim.topic_id is not None:
            return claim.topic_id
        # A claim whose first messages went out without a topic keeps them together in the chat.
        if self._topics_unavailable or await outbox.has_delivered(self.db, claim.id):
            return None
        name = self.t("op-topic-name", number=claim.number, type=self.t(name_key(claim.type)))
        try:
            topic = await self.bot.create_forum_topic(self.settings.admin_chat_id, name[:128])
        except TelegramBadRequest as error:
            if not _TOPIC_RIGHTS.search(error.message) or _CHAT_LOST.search(error.message):
                raise
            await self._topics_fall_back(error.message)
            return None
        await store.set_topic(self.db, claim.id, topic.message_thread_id)
        return topic.message_thread_id

    async def _topics_fall_back(self, reason: str) -> None:
        """No right to create topics: plain cards from now on, and one warning (not one per card)."""
        self._topics_unavailable = True
        log.error("the bot cannot create topics in the forum ADMIN_CHAT_ID=%s (Telegram says: %s): claims arrive as "
                  "plain cards. Fix: give the bot the administrator right to manage topics, then restart it.",
                  self.settings.admin_chat_id, reason[:120])
        await outbox.enqueue(self.db, chat_id=self.settings.admin_chat_id, kind="message",
                             payload={"text": self.t("outbox-topics-unavailable"), "notice": "topics", "role": "bot"},
                             now=self.clock.now())
