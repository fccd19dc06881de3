"""Prometheus metrics (GET /metrics): what the bot handles, what it asks of Telegram, what it owes.

Labels are update types, Bot API method names, answer codes and row states: never a chat, a
user, a claim number or any text. Each App has its own CollectorRegistry (tests and the demo
build several apps in one process; the global registry would refuse the second).

- updates: counted and timed by an outer middleware on the dispatcher's updates (from where
  the user is loaded to the handler's end: routing, filters, the handler, its Bot API calls);
- Bot API calls: a request middleware on each Bot's session (`bot.session.middleware(...)`),
  inside SendingPolicy, so every attempt is counted with its answer; it also notes when Telegram
  last answered, for /healthz;
- what the database holds (open and overdue claims, the outbox, running broadcasts, its size):
  read when /metrics is scraped (`refresh`), not kept up to date on every change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: F401  (re-exported for the web server)

from storage import broadcasts, claims, monitoring
from storage.db import Database

log = logging.getLogger(__name__)

# Handling an update itself needs little CPU (bench/RESULTS.md: CPU per update), so the finest
# buckets hold the usual update; a slow one waits for Telegram or the database.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# aiogram raises one class per Telegram answer code (aiogram/client/session/base.py check_response).
_ERROR_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramBadRequest, "400"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
)


def error_code(error: BaseException) -> str:
    for cls, code in _ERROR_CODES:
        if isinstance(error, cls):
            return code
    return "other"


class Metrics:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.monotonic = monotonic
        r = self.registry
        self.updates = Counter("bot_updates", "Updates handled, by type", ["type"], registry=r)
        self.update_errors = Counter("bot_update_errors", "Updates whose handler raised, by type", ["type"], registry=r)
        self.update_seconds = Histogram(
            "bot_update_handling_seconds", "Time to handle an update, by type", ["type"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.api_calls = Counter(
            "bot_telegram_calls", "Bot API calls by method and answer code (200, 400, 429, 5xx, network, ...)",
            ["method", "code"], registry=r,
        )
        self.api_errors = Counter(
            "bot_telegram_errors", "Bot API calls that failed, by method and answer code", ["method", "code"], registry=r
        )
        self.claims_open = Gauge("bot_claims_open", "Claims not yet closed", registry=r)
        self.claims_overdue = Gauge("bot_claims_overdue", "Unanswered claims past their due date", registry=r)
        self.outbox_depth = Gauge("bot_outbox_depth", "Outbox rows still to deliver (pending or sending)", registry=r)
        self.outbox_parked = Gauge("bot_outbox_parked", "Outbox rows Telegram refused for good (parked as dead)", registry=r)
        self.broadcasts_running = Gauge("bot_broadcasts_running", "Broadcasts being sent", registry=r)
        self.broadcast_recipients = Gauge(
            "bot_broadcast_recipients", "Recipients of running broadcasts, by delivery state", ["state"], registry=r
        )
        self.database_bytes = Gauge("bot_database_size_bytes", "SQLite database file plus its WAL", registry=r)
        # When Telegram last answered any call (ok or an API error; not a network failure).
        self.telegram_answered_at: float | None = None

    # ------------------------------------------------------------------ middlewares

    def update_middleware(self) -> UpdateMetrics:
        return UpdateMetrics(self)

    def session_middleware(self) -> ApiMetrics:
        return ApiMetrics(self)

    def watch(self, *bots: Bot) -> None:
        """Count every Bot API call these bots make."""
        for bot in bots:
            bot.session.middleware(self.session_middleware())

    # ------------------------------------------------------------------ scrape

    async def refresh(self, db: Database, now: datetime, tz: ZoneInfo) -> None:
        """Read what the database holds into the gauges (counts only)."""
        today = now.astimezone(tz).date().isoformat()
        self.claims_open.set(await claims.count_open(db))
        self.claims_overdue.set(await claims.count_overdue(db, today))
        outbox = await monitoring.outbox_by_state(db)
        self.outbox_depth.set(outbox["pending"] + outbox["sending"])
        self.outbox_parked.set(outbox["dead"])
        running = await broadcasts.running(db)
        self.broadcasts_running.set(len(running))
        totals: dict[str, int] = dict.fromkeys(broadcasts.RECIPIENT_STATES, 0)
        for broadcast in running:
            for state, count in (await broadcasts.counts(db, broadcast.id)).items():
                totals[state] = totals.get(state, 0) + count
        for state, count in totals.items():
            self.broadcast_recipients.labels(state=state).set(count)
        self.database_bytes.set(database_size(db.path))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def database_size(path: Path) -> int:
    size = 0
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            size += file.stat().st_size
        except OSError:
            pass
    return size


class UpdateMetrics(BaseMiddleware):
    """Counts and times each update; registered as an outer middleware of dispatcher.update."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        # prometheus-client's labels() takes a lock and builds a key on every call:
        # the labelled children are looked up once per update type and kept.
        self._children: dict[str, tuple[Any, Any, Any]] = {}

    def _for(self, kind: str) -> tuple[Any, Any, Any]:
        children = self._children.get(kind)
        if children is None:
            m = self.metrics
            children = self._children[kind] = (
                m.updates.labels(type=kind), m.update_seconds.labels(type=kind), m.update_errors.labels(type=kind),
            )
        return children

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        count, seconds, errors = self._for(_update_type(event))
        monotonic = self.metrics.monotonic
        started = monotonic()
        try:
            return await handler(event, data)
        except BaseException:
            errors.inc()
            raise
        finally:
            count.inc()
            seconds.observe(monotonic() - started)


def _update_type(event: TelegramObject) -> str:
    if isinstance(event, Update):
        try:
            return event.event_type
        except Exception:  # aiogram's UpdateTypeLookupError: a type newer than this aiogram
            return "unknown"
    return type(event).__name__


class ApiMetrics(BaseRequestMiddleware):
    """Counts each Bot API call by method and answer; notes when Telegram last answered."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._ok: dict[str, Any] = {}  # method -> its labelled "200" counter (see UpdateMetrics)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            response = await make_request(bot, method)
        except TelegramAPIError as error:
            name, code = method.__api_method__, error_code(error)
            if code != "network":
                self.metrics.telegram_answered_at = self.metrics.monotonic()
            self.metrics.api_calls.labels(method=name, code=code).inc()
            self.metrics.api_errors.labels(method=name, code=code).inc()
            raise
        self.metrics.telegram_answered_at = self.metrics.monotonic()
        name = method.__api_method__
        ok = self._ok.get(name)
        if ok is None:
            ok = self._ok[name] = self.metrics.api_calls.labels(method=name, code="200")
        ok.inc()
        return response
