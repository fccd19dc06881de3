"""The broadcast delivery engine: every running broadcast reaches each recipient once.

- Recipients are streamed from the database in pages (keyset by user id), never all loaded.
- Each recipient is marked 'sending' (committed) before its API call and recorded after, in the
  same transaction that claims the next one; after a crash the rows left in 'sending' (at most
  one per worker) become 'uncertain' and are not sent again.
- Pacing is a RateLimiter shared by all workers. The broadcaster uses its own Bot whose session
  has no SendingPolicy: on 429 the whole broadcaster pauses for retry_after (instead of one
  request sleeping while the others keep hitting the limit), and a 403 is recorded here.
- What a recipient gets is decided by an injected `compose(broadcast, language)`: a copy of the
  staff message (with the ads opt-out button for advertising) or a rendered policy notice.
- Progress and the final report are rendered by injected views and edited into the admin chat.

Runs as a background task (start/stop with the app); `run_until_idle()` is the deterministic
entry point for tests and waits for the background run if there is one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.clock import Clock, Sleep
from bot.i18n import pick_language
from bot.rate_limit import RateLimiter
from bot.sender import unreachable_reason
from storage import broadcasts, users
from storage.broadcasts import Broadcast, Delivery, Recipient
from storage.db import Database

log = logging.getLogger(__name__)


# Telegram's answers that mean "this person cannot be messaged", besides 403.
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "user not found")


@dataclass(frozen=True)
class Content:
    text: str | None                        # None: copy the broadcast's source message
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]
    rate: float          # messages per second in this run
    eta_seconds: float | None

    @property
    def remaining(self) -> int:
        return self.counts["pending"] + self.counts["sending"]


class Views(Protocol):
    def compose(self, broadcast: Broadcast, language: str) -> Content: ...
    def progress(self, broadcast: Broadcast, progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]: ...
    def report(self, broadcast: Broadcast, progress: Progress, reasons: list[tuple[str, int]]) -> str: ...


def describe_error(error: TelegramAPIError) -> str:
    """Error class and Telegram's description (never the message text), bounded."""
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
        max_rate_limited: int = 20,
        progress_every: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.views = views
        self.paid = paid
        self.limiter = limiter or RateLimiter(rate, clock=monotonic, sleep=sleep)
        # Enough requests in flight to reach the rate over a real network (one per 16 msg/s: at
        # 1000/s, 64 in flight cover answers taking up to ~60 ms); also the most recipients
        # that can be left 'uncertain' by a crash.
        self.concurrency = concurrency or max(1, min(64, round(rate / 16)))
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.max_rate_limited = max_rate_limited
        self.progress_every = progress_every
        self._monotonic = monotonic
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._run_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._cancelled: set[int] = set()

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="broadcaster")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """A broadcast was confirmed: start sending now."""
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
                await self._run(pending[0])

    # ----------------------------------------------------------------- one broadcast

    async def _run(self, broadcast: Broadcast) -> None:
        recovered = await broadcasts.recover_in_flight(self.db, broadcast.id)
        if recovered:
            log.info("broadcast %s: %s in-flight recipients marked uncertain", broadcast.id, recovered)
        started = self._monotonic()
        sent_at_start = (await broadcasts.counts(self.db, broadcast.id))["sent"]
        contents: dict[str, Content] = {}

        async def report_progress() -> None:
            while True:
                await self._sleep(self.progress_every)
                await self._show_progress(broadcast, started, sent_at_start)

        reporter = asyncio.create_task(report_progress())
        try:
            await self._send_all(broadcast, contents)
        finally:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)

        self._cancelled.discard(broadcast.id)
        if await broadcasts.state_of(self.db, broadcast.id) == "running":
            await broadcasts.finish(self.db, broadcast.id, now=self.clock.now())
        final = await broadcasts.get(self.db, broadcast.id)
        assert final is not None
        progress = await self._show_progress(final, started, sent_at_start)
        reasons = await broadcasts.failure_reasons(self.db, broadcast.id)
        if final.progress_chat_id is not None:
            try:
                await self.bot.send_message(final.progress_chat_id, self.views.report(final, progress, reasons))
            except TelegramAPIError as error:
                log.warning("broadcast %s: could not send the report: %s", broadcast.id, type(error).__name__)

    async def _show_progress(self, broadcast: Broadcast, started: float, sent_at_start: int) -> Progress:
        counts = await broadcasts.counts(self.db, broadcast.id)
        elapsed = max(self._monotonic() - started, 1e-6)
        rate = (counts["sent"] - sent_at_start) / elapsed
        remaining = counts["pending"] + counts["sending"]
        speed = rate if rate > 0 else None
        progress = Progress(counts=counts, rate=rate, eta_seconds=remaining / speed if speed else None)
        current = await broadcasts.get(self.db, broadcast.id) or broadcast
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

    async def _send_all(self, broadcast: Broadcast, contents: dict[str, Content]) -> None:
        """One bookkeeper and `concurrency` senders.

        The bookkeeper alone writes to the database: in one transaction it records every
        delivery finished since its last turn and claims ('sending', committed) as many next
        recipients as there are idle senders, then hands them over. So the database sees a few
        commits per batch instead of one per recipient, and no more than `concurrency`
        recipients are ever 'sending' (in flight or waiting for the rate limiter): after a
        crash, at most those are 'uncertain'.
        """
        recipients = aiter(self._pending(broadcast))
        to_send: asyncio.Queue[Recipient | None] = asyncio.Queue()
        finished: list[Delivery] = []
        changed = asyncio.Event()
        outstanding = 0  # claimed and not yet recorded as finished

        broken: list[BaseException] = []  # a sender's unexpected error, raised by the bookkeeper

        async def sender() -> None:
            nonlocal outstanding
            try:
                while (recipient := await to_send.get()) is not None:
                    language = pick_language(recipient.language, recipient.telegram_language)
                    if language not in contents:
                        contents[language] = self.views.compose(broadcast, language)
                    delivery = await self._deliver(broadcast, recipient.user_id, contents[language])
                    finished.append(delivery)
                    outstanding -= 1
                    changed.set()
            except Exception as error:  # the row stays 'sending' and becomes 'uncertain' on resume
                broken.append(error)
                changed.set()
                raise

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

    @staticmethod
    def _skip_reason(broadcast: Broadcast, recipient: Recipient) -> tuple[str, str] | None:
        if not recipient.reachable:
            return "unreachable", "unreachable before sending"
        if broadcast.kind == "ads" and not recipient.ads_opt_in:
            return "skipped", "opted out of advertising before sending"
        return None

    async def _deliver(self, broadcast: Broadcast, user_id: int, content: Content) -> Delivery:
        attempts = 0
        rate_limited = 0
        while True:
            attempts += 1
            try:
                async with self.limiter.slot():
                    message_id = await self._send(broadcast, user_id, content)
                return Delivery(user_id, "sent", attempts, None, message_id, self.clock.now())
            except TelegramRetryAfter as error:
                # The whole broadcaster waits; this attempt does not count against the recipient.
                self.limiter.pause(error.retry_after)
                attempts -= 1
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    return Delivery(user_id, "failed", attempts, describe_error(error))
            except TelegramForbiddenError as error:
                reason = unreachable_reason(error)
                await users.mark_unreachable(self.db, user_id, reason, self.clock.now())
                return Delivery(user_id, "unreachable", attempts, describe_error(error))
            except TelegramBadRequest as error:
                if any(marker in error.message.lower() for marker in _GONE):
                    await users.mark_unreachable(self.db, user_id, "not_found", self.clock.now())
                    return Delivery(user_id, "unreachable", attempts, describe_error(error))
                return Delivery(user_id, "failed", attempts, describe_error(error))
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempts >= self.max_attempts:
                    return Delivery(user_id, "failed", attempts, describe_error(error))
                await self._sleep(min(0.5 * 2 ** (attempts - 1), 8.0))
            except TelegramAPIError as error:
                return Delivery(user_id, "failed", attempts, describe_error(error))

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
