"""The broadcast delivery engine: every running broadcast reaches each recipient.

Delivery guarantees, decided by the broadcast's kind (`guarantee()`):

- **Legal notices (policy change, incident) are delivered at least once.** Each recipient is
  marked 'sending' (committed) before its API call; after a crash or restart a row left in
  'sending' goes back to 'pending' and is sent again. Whoever was sent that way may have the
  notice twice; the report counts them ("possible duplicates").
- **Everything else (advertising, announcements to all) is delivered at most once**: a row left
  in 'sending' becomes 'uncertain' (possibly delivered) and is never sent again.

Failures:

- 429: the whole broadcaster pauses for retry_after (one RateLimiter shared by all senders),
  and the same recipient is tried again.
- 403 / "chat not found" / deactivated: the user is marked unreachable and skipped from then on.
- 5xx, network errors and answers that are not the Bot API's JSON (Telegram's front answers an
  HTML "502 Bad Gateway" page during an outage) are *transient*: the recipient goes back to
  'pending' and is tried again in a later pass over the broadcast (except after a network error
  in an at-most-once broadcast: without an answer the copy may have arrived, so the row becomes
  'uncertain'); from the second such failure in a row the whole broadcast pauses with a growing
  back-off (`OutageBackoff`, capped), probes one request at a time, and resumes at the first
  success. A recipient is written off as 'failed' only when its own sends
  keep failing while other recipients' succeed (`max_attempts` times), or after `max_transient`
  attempts in all. The broadcast is 'done' only when nobody is owed a send.
- Other errors (a 400 for the copied message, ...): 'failed' with Telegram's description (never
  the message text). Failed recipients can be retried from the report (`retry_failed`).

What a recipient gets is decided by injected views (`compose(broadcast, language)`); progress
(with a pause and its reason) and the final report are rendered by them too and edited into the
admin chat. Pacing and back-off run on `monotonic`/`sleep`; given a clock that offers its own
(ManualClock), the broadcaster uses those, so tests see minutes of back-off without waiting.

Runs as a background task (start/stop with the app); `run_until_idle()` is the deterministic
entry point for tests and waits for the background run if there is one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.background import BackgroundLoop
from bot.clock import Clock, Sleep
from bot.i18n import pick_language
from bot.rate_limit import OutageBackoff, RateLimiter
from bot.sender import unreachable_reason
from storage import broadcasts, users
from storage.broadcasts import Broadcast, Delivery, Recipient
from storage.db import Database

log = logging.getLogger(__name__)


# Telegram's answers that mean "this person cannot be messaged", besides 403.
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "user not found")

# Kinds whose copies are notices the business owes every recipient: resent after an interrupted
# send (at least once). The others are never resent (at most once).
LEGAL_KINDS = frozenset({"policy", "incident"})

Guarantee = Literal["at_least_once", "at_most_once"]


def guarantee(kind: str) -> Guarantee:
    return "at_least_once" if kind in LEGAL_KINDS else "at_most_once"


_PAGE_TITLE = re.compile(r"<title>([^<]{1,80})</title>", re.IGNORECASE)

# Errors after which Telegram may well accept the same request a moment later.
_TRANSIENT = (TelegramServerError, TelegramNetworkError, ClientDecodeError)


@dataclass(frozen=True)
class Pause:
    """Why the whole broadcast waits, and until when (the Clock's time)."""

    reason: Literal["outage", "flood"]   # Telegram fails (5xx, network) / 429 Too Many Requests
    detail: str                          # the error class and Telegram's description
    until: datetime


@dataclass(frozen=True)
class Content:
    text: str | None                        # None: copy the broadcast's source message
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]
    rate: float          # messages per second in this run
    eta_seconds: float | None
    pause: Pause | None = None          # the broadcast is waiting (outage, 429)
    possible_duplicates: int = 0        # legal notices sent again after an interrupted send

    @property
    def remaining(self) -> int:
        return self.counts["pending"] + self.counts["sending"]


class Views(Protocol):
    def compose(self, broadcast: Broadcast, language: str) -> Content: ...
    def progress(self, broadcast: Broadcast, progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]: ...
    def report(
        self, broadcast: Broadcast, progress: Progress, reasons: list[tuple[str, int]]
    ) -> tuple[str, InlineKeyboardMarkup | None]: ...


def describe_error(error: TelegramAPIError | ClientDecodeError) -> str:
    """Error class and Telegram's description (never the message text), bounded."""
    if isinstance(error, ClientDecodeError) and isinstance(error.data, str):
        # Not the Bot API's JSON: an error page of Telegram's front-end ("502 Bad Gateway").
        title = _PAGE_TITLE.search(error.data)
        if title:
            return f"{type(error).__name__}: HTTP {title.group(1).strip()}"[:200]
    return f"{type(error).__name__}: {error.message}"[:200]


class Broadcaster:
    def __init__(
        self,
        *,
        bot: Bot,
        db: Database,
        clock: Clock,
        views: Views,
        rate: float,
        paid: bool = False,
        limiter: RateLimiter | None = None,
        concurrency: int | None = None,
        page_size: int = 500,
        max_attempts: int = 3,
        max_transient: int = 10,
        max_rate_limited: int = 20,
        backoff: OutageBackoff | None = None,
        progress_every: float = 3.0,
        monotonic: Callable[[], float] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.views = views
        self.paid = paid
        # A clock with its own pacing (ManualClock) drives the rate limit and back-off as well.
        self._monotonic: Callable[[], float] = monotonic or getattr(clock, "monotonic", None) or time.monotonic
        self._sleep: Sleep = sleep or getattr(clock, "sleep", None) or asyncio.sleep
        self.limiter = limiter or RateLimiter(rate, clock=self._monotonic, sleep=self._sleep)
        # Enough requests in flight to reach the rate over a real network (one per 16 msg/s: at
        # 1000/s, 64 in flight cover answers taking up to ~60 ms); also the most recipients
        # that can be left in 'sending' by a crash.
        self.concurrency = concurrency or max(1, min(64, round(rate / 16)))
        self.page_size = page_size
        self.max_attempts = max_attempts        # own transient failures (others succeeding meanwhile)
        self.max_transient = max_transient      # transient failures of one recipient in all
        self.max_rate_limited = max_rate_limited
        self.backoff = backoff or OutageBackoff()
        self.progress_every = progress_every
        self._wake = asyncio.Event()
        self._run_lock = asyncio.Lock()
        self._background = BackgroundLoop("broadcaster", self._loop)
        self._cancelled: set[int] = set()
        self._pause: Pause | None = None
        self._pause_changed = False
        self._issued = 0                          # requests started (tickets for the back-off)
        self._strikes: dict[tuple[int, int], int] = {}
        self._on_pause_change: Callable[[], None] | None = None
        self._display: asyncio.Task[Progress] | None = None  # the progress edit under way

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        self._background.start()

    async def stop(self) -> None:
        await self._background.stop()

    @property
    def running(self) -> bool:
        return self._background.running

    def wake(self) -> None:
        """A broadcast was confirmed (or its failed recipients retried): start sending now."""
        self._wake.set()

    def cancel(self, broadcast_id: int) -> None:
        """Stop a running broadcast (its DB state is set by the caller)."""
        self._cancelled.add(broadcast_id)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_until_idle()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the loop alive; the broadcast resumes on the next wake
                log.error("broadcaster failed: %s", type(error).__name__)
                await self._sleep(5)
                continue
            await self._wake.wait()

    async def run_until_idle(self) -> None:
        """Send every running broadcast to the end (or until cancelled)."""
        async with self._run_lock:
            while True:
                pending = await broadcasts.running(self.db)
                if not pending:
                    return
                if not await self._run(pending[0]):
                    # Still running with nobody it can send to: not a loop; the next wake or start retries.
                    log.error("broadcast %s: recipients owed but none can be sent", pending[0].id)
                    return

    # ----------------------------------------------------------------- one broadcast

    async def _run(self, broadcast: Broadcast) -> bool:
        """Send one broadcast to the end; False if it is still running (owed rows no pass reaches)."""
        resend = guarantee(broadcast.kind) == "at_least_once"
        recovered = await broadcasts.recover_in_flight(self.db, broadcast.id, resend=resend)
        if recovered:
            log.info(
                "broadcast %s: %s in-flight recipients %s", broadcast.id, recovered,
                "to be sent again" if resend else "marked uncertain",
            )
        started = self._monotonic()
        sent_at_start = (await broadcasts.counts(self.db, broadcast.id))["sent"]
        contents: dict[str, Content] = {}
        shown = _Shown(started, sent_at_start, at=started)
        try:
            while True:
                progressed = await self._send_all(broadcast, contents, shown)
                if broadcast.id in self._cancelled or await broadcasts.state_of(self.db, broadcast.id) != "running":
                    break
                if not await broadcasts.owed(self.db, broadcast.id):
                    break
                if not progressed:
                    # Owed rows that no pass can reach (their user is gone): nothing more to send them.
                    await broadcasts.skip_unknown_users(self.db, broadcast.id)
                    if await broadcasts.owed(self.db, broadcast.id):
                        break
                # Otherwise: recipients put back after a transient failure; another pass (a pause
                # decided meanwhile still holds every sender back).
        finally:
            display, self._display = self._display, None
            if display is not None:
                if not display.done() and asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    display.cancel()
                await asyncio.gather(display, return_exceptions=True)

        self._cancelled.discard(broadcast.id)
        self._strikes = {key: n for key, n in self._strikes.items() if key[0] != broadcast.id}
        if await broadcasts.state_of(self.db, broadcast.id) == "running":
            if not await broadcasts.finish(self.db, broadcast.id, now=self.clock.now()):
                return False
        final = await broadcasts.get(self.db, broadcast.id)
        assert final is not None
        progress = await self._show_progress(final, shown)
        reasons = await broadcasts.failure_reasons(self.db, broadcast.id)
        if final.progress_chat_id is not None:
            text, markup = self.views.report(final, progress, reasons)
            await self._send_report(final, text, markup)
        return True

    async def _send_report(self, broadcast: Broadcast, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """The report, retried through a short outage (1, 2, 4, 8, 16 s) or a 429."""
        assert broadcast.progress_chat_id is not None
        for attempt in range(6):
            try:
                await self.bot.send_message(broadcast.progress_chat_id, text, reply_markup=markup)
                return
            except TelegramRetryAfter as error:
                await self._sleep(error.retry_after)
            except _TRANSIENT as error:
                if attempt == 5:
                    log.warning("broadcast %s: could not send the report: %s", broadcast.id, type(error).__name__)
                    return
                await self._sleep(2.0 ** attempt)
            except TelegramAPIError as error:
                log.warning("broadcast %s: could not send the report: %s", broadcast.id, type(error).__name__)
                return

    def _show_progress_soon(self, broadcast: Broadcast, shown: _Shown) -> None:
        """Edit the progress message in the background (one edit at a time): while Telegram is
        failing an edit may take its full timeout, and sending must not wait for it."""
        if self._display is not None and not self._display.done():
            return
        self._display = asyncio.create_task(self._show_progress(broadcast, shown))

    async def _show_progress(self, broadcast: Broadcast, shown: _Shown) -> Progress:
        shown.at = self._monotonic()
        self._pause_changed = False
        counts = await broadcasts.counts(self.db, broadcast.id)
        elapsed = max(self._monotonic() - shown.started, 1e-6)
        rate = (counts["sent"] - shown.sent_at_start) / elapsed
        remaining = counts["pending"] + counts["sending"]
        speed = rate if rate > 0 else None
        current = await broadcasts.get(self.db, broadcast.id) or broadcast
        progress = Progress(
            counts=counts, rate=rate, eta_seconds=remaining / speed if speed else None,
            pause=self._pause if current.state == "running" else None,
            possible_duplicates=await broadcasts.possible_duplicates(self.db, broadcast.id),
        )
        if current.progress_chat_id is not None and current.progress_message_id is not None:
            text, markup = self.views.progress(current, progress)
            try:
                await self.bot.edit_message_text(
                    text=text, chat_id=current.progress_chat_id, message_id=current.progress_message_id,
                    reply_markup=markup,
                )
            except TelegramRetryAfter as error:
                self.limiter.pause(error.retry_after)
            except TelegramAPIError as error:
                if "not modified" not in str(error):
                    log.warning("broadcast %s: progress not shown: %s", broadcast.id, type(error).__name__)
            except ClientDecodeError:
                log.warning("broadcast %s: progress not shown: ClientDecodeError", broadcast.id)
        return progress

    async def _pending(self, broadcast: Broadcast) -> AsyncIterator[Recipient]:
        """Pending recipients in user id order, one page (one SELECT) at a time."""
        after = 0
        while True:
            page = await broadcasts.pending_page(self.db, broadcast.id, after_user_id=after, limit=self.page_size)
            if not page:
                return
            for recipient in page:
                yield recipient
            after = page[-1].user_id

    async def _send_all(self, broadcast: Broadcast, contents: dict[str, Content], shown: _Shown) -> bool:
        """One pass over the pending recipients: one bookkeeper and `concurrency` senders.

        The bookkeeper alone writes to the database: in one transaction it records every
        delivery finished since its last turn and claims ('sending', committed) as many next
        recipients as there are idle senders, then hands them over. So the database sees a few
        commits per batch instead of one per recipient, and no more than `concurrency`
        recipients are ever 'sending' (in flight or waiting for the rate limiter). Between
        turns it shows progress every `progress_every` seconds, and at once when a pause
        starts or ends. Returns whether anything was sent or recorded.
        """
        recipients = aiter(self._pending(broadcast))
        to_send: asyncio.Queue[Recipient | None] = asyncio.Queue()
        finished: list[Delivery] = []
        changed = asyncio.Event()
        outstanding = 0  # claimed and not yet recorded as finished
        progressed = False

        broken: list[BaseException] = []  # a sender's unexpected error, raised by the bookkeeper

        async def sender() -> None:
            nonlocal outstanding
            try:
                while (recipient := await to_send.get()) is not None:
                    language = pick_language(recipient.language, recipient.telegram_language)
                    if language not in contents:
                        contents[language] = self.views.compose(broadcast, language)
                    delivery = await self._deliver(broadcast, recipient, contents[language])
                    finished.append(delivery)
                    outstanding -= 1
                    changed.set()
            except Exception as error:  # the row stays 'sending' and is recovered on resume
                broken.append(error)
                changed.set()
                raise

        def on_pause_change() -> None:
            changed.set()

        self._on_pause_change = on_pause_change
        senders = [asyncio.create_task(sender()) for _ in range(self.concurrency)]
        exhausted = stopping = False
        records: list[Delivery] = []
        try:
            while True:
                if broken:
                    raise broken[0]
                stopping = stopping or broadcast.id in self._cancelled
                batch: list[Recipient] = []
                while not (exhausted or stopping) and outstanding + len(batch) < self.concurrency:
                    recipient = await anext(recipients, None)
                    if recipient is None:
                        exhausted = True
                        break
                    skip = self._skip_reason(broadcast, recipient)
                    if skip is not None:
                        finished.append(Delivery(recipient.user_id, skip[0], error=skip[1]))
                    else:
                        batch.append(recipient)
                if self._pause_changed or self._monotonic() - shown.at >= self.progress_every:
                    self._show_progress_soon(broadcast, shown)
                if not finished and not batch:
                    if outstanding == 0 and (exhausted or stopping):
                        break
                    changed.clear()
                    await changed.wait()
                    continue
                records, finished[:] = list(finished), []
                claimed = await broadcasts.step_many(
                    self.db, broadcast.id, done=records, claim=[r.user_id for r in batch]
                )
                progressed = progressed or bool(records) or bool(claimed)
                records = []
                if claimed is None:  # cancelled (or finished) meanwhile: claim nothing more
                    self._cancelled.add(broadcast.id)
                    stopping = True
                    continue
                chosen = set(claimed)
                for recipient in batch:
                    if recipient.user_id in chosen:
                        outstanding += 1
                        to_send.put_nowait(recipient)
        finally:
            self._on_pause_change = None
            for _ in senders:
                to_send.put_nowait(None)
            if outstanding == 0 and not broken:  # the normal end: let the senders see None
                await asyncio.gather(*senders, return_exceptions=True)
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            unrecorded = records + finished
            if unrecorded:
                # Shielded: a delivery that happened must be recorded even when we are being stopped.
                await asyncio.shield(broadcasts.step_many(self.db, broadcast.id, done=unrecorded))
        return progressed

    @staticmethod
    def _skip_reason(broadcast: Broadcast, recipient: Recipient) -> tuple[str, str] | None:
        if not recipient.reachable:
            return "unreachable", "unreachable before sending"
        if broadcast.kind == "ads" and not recipient.ads_opt_in:
            return "skipped", "opted out of advertising before sending"
        # The audience was taken when the broadcast started; a person whose processing was
        # blocked since gets only what the law requires (policy and incident notices), as the
        # audience itself is chosen (storage.broadcasts._audience_sql).
        if broadcast.kind in ("all", "ads") and recipient.blocked:
            return "skipped", "processing blocked before sending"
        return None

    # ----------------------------------------------------------------- one recipient

    def _set_pause(self, pause: Pause | None) -> None:
        """A pause starts, grows or ends: the progress message shows it at once."""
        self._pause = pause
        self._pause_changed = True
        if self._on_pause_change is not None:
            self._on_pause_change()

    def _pause_for(self, reason: Literal["outage", "flood"], seconds: float, detail: str) -> None:
        self.limiter.pause(seconds, probe=reason == "outage")
        until = self.clock.now() + timedelta(seconds=max(0.0, self.limiter.paused_until - self._monotonic()))
        self._set_pause(Pause(reason, detail, until))

    def _succeeded(self) -> None:
        if self.backoff.success():
            log.info("broadcast: Telegram answers again, sending resumes")
        self.limiter.resume()
        if self._pause is not None:
            self._set_pause(None)

    async def _deliver(self, broadcast: Broadcast, recipient: Recipient, content: Content) -> Delivery:
        user_id = recipient.user_id
        attempts = 0
        rate_limited = 0
        while True:
            attempts += 1
            ticket = self._issued
            try:
                async with self.limiter.slot():
                    self._issued += 1
                    ticket = self._issued
                    message_id = await self._send(broadcast, user_id, content)
                self._succeeded()
                return Delivery(user_id, "sent", attempts, None, message_id, self.clock.now())
            except TelegramRetryAfter as error:
                # The whole broadcaster waits; this attempt does not count against the recipient.
                self._pause_for("flood", error.retry_after, describe_error(error))
                attempts -= 1
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    return Delivery(user_id, "failed", attempts, describe_error(error))
            except TelegramForbiddenError as error:
                self._succeeded()  # Telegram answered: not an outage
                reason = unreachable_reason(error)
                await users.mark_unreachable(self.db, user_id, reason, self.clock.now())
                return Delivery(user_id, "unreachable", attempts, describe_error(error))
            except _TRANSIENT as error:
                return self._transient(broadcast, recipient, attempts, ticket, error)
            except TelegramBadRequest as error:
                self._succeeded()
                if any(marker in error.message.lower() for marker in _GONE):
                    await users.mark_unreachable(self.db, user_id, "not_found", self.clock.now())
                    return Delivery(user_id, "unreachable", attempts, describe_error(error))
                return Delivery(user_id, "failed", attempts, describe_error(error))
            except TelegramAPIError as error:
                self._succeeded()
                return Delivery(user_id, "failed", attempts, describe_error(error))

    def _transient(
        self, broadcast: Broadcast, recipient: Recipient, attempts: int, ticket: int,
        error: TelegramAPIError | ClientDecodeError,
    ) -> Delivery:
        """A 5xx / network failure: put the recipient back, pause everyone if it keeps happening."""
        before = self.backoff.consecutive
        pause = self.backoff.failure(ticket, self._issued)
        detail = describe_error(error)
        key = (broadcast.id, recipient.user_id)
        if self.backoff.consecutive > before and before == 0:
            # The send before this one succeeded: maybe this recipient's own trouble.
            self._strikes[key] = self._strikes.get(key, 0) + 1
        if pause:
            log.warning("broadcast %s: Telegram fails (%s): everybody waits %.0fs", broadcast.id, type(error).__name__, pause)
            self._pause_for("outage", pause, detail)
        if isinstance(error, TelegramNetworkError) and guarantee(broadcast.kind) == "at_most_once":
            # No answer (a timeout, a dropped connection): the request may have reached Telegram
            # and been delivered. Sending it again could make a second copy, so it is not sent
            # again; an answered 5xx or an error page says it was not taken, and is retried.
            self._strikes.pop(key, None)
            return Delivery(recipient.user_id, "uncertain", attempts, detail)
        total = recipient.attempts + attempts
        if self._strikes.get(key, 0) >= self.max_attempts or total >= self.max_transient:
            self._strikes.pop(key, None)
            return Delivery(recipient.user_id, "failed", attempts, detail)
        return Delivery(recipient.user_id, "pending", attempts, detail)

    async def _send(self, broadcast: Broadcast, user_id: int, content: Content) -> int:
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if broadcast.paid else {}
        if content.text is not None:
            message = await self.bot.send_message(user_id, content.text, reply_markup=content.reply_markup, **extra)
            return message.message_id
        assert broadcast.source_chat_id is not None and broadcast.source_message_id is not None
        copied = await self.bot.copy_message(
            chat_id=user_id, from_chat_id=broadcast.source_chat_id, message_id=broadcast.source_message_id,
            reply_markup=content.reply_markup, **extra,
        )
        return copied.message_id


@dataclass
class _Shown:
    """When progress was last shown, and what the rate is measured from."""

    started: float
    sent_at_start: int
    at: float = float("-inf")
