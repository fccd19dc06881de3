"""Wiring: build the Bot, the Dispatcher and everything they share, from Settings.

Factories, not module-level singletons: a Router can join only one Dispatcher, and tests (and
the demo) build the application more than once in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Chat
from aiogram_i18n import I18nMiddleware
from aiogram_i18n.exceptions import KeyNotFoundError

from bot import fast_paths
from bot.broadcaster import Broadcaster
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.deadlines import WorkingCalendar
from bot.scheduler import Scheduler
from handlers.keyboards import card_markup_for
from bot.fsm_storage import SQLiteStorage
from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES, create_i18n_core, create_i18n_middleware
from bot.live_policies import LivePolicies
from bot.middlewares import ChatOrderIsolation, PolicyLibraryMiddleware, UserMiddleware
from bot.monitoring import install_monitoring
from bot.policy import PolicyLibrary, load_policy_library
from bot.request_types import REQUEST_TYPES, RequestTypes, missing_locale_keys
from bot.profile import set_bot_profile
from bot import publishing
from bot.retention import RetentionJob
from bot.sender import SendingPolicy
from bot.session import BotSession
from handlers.customer import create_customer_router
from handlers.customer import claims as customer_claims
from handlers.errors import create_errors_router
from handlers.operators import claims as operator_claims
from handlers.operators.cards import redraw_overdue_cards
from handlers.operators import create_operators_router
from handlers.operators import broadcasts as operator_broadcasts
from handlers.operators import erasure as operator_erasure
from handlers.operators import policy_publish as operator_policy_publish
from handlers.operators.broadcasts import BroadcastViews
from handlers.routing import Dispatcher
from storage import users
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    clock: Clock
    live_policies: LivePolicies
    bot: Bot
    dispatcher: Dispatcher
    i18n: I18nMiddleware
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def policies(self) -> PolicyLibrary:
        """The policy library in force now (publication replaces it in the running bot)."""
        return self.live_policies.library

    async def startup(self) -> None:
        """What start_polling does before the first update; tests feeding updates call it too."""
        await self.dispatcher.emit_startup(**self.startup_data())

    async def shutdown(self) -> None:
        await self.dispatcher.emit_shutdown(**self.startup_data())
        await self.bot.session.close()
        await self.db.close()

    def startup_data(self) -> dict[str, Any]:
        return {"bot": self.bot, "bots": [self.bot], "dispatcher": self.dispatcher, **self.dispatcher.workflow_data}


def create_bot(settings: Settings, sending_policy: SendingPolicy | None = None) -> Bot:
    api = TelegramAPIServer.from_base(settings.telegram_api_url) if settings.telegram_api_url else None
    session = BotSession(api=api) if api else BotSession()
    if sending_policy is not None:
        session.middleware(sending_policy)
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings, db: Database, clock: Clock, live_policies: LivePolicies,
    request_types: RequestTypes = REQUEST_TYPES, locales_dir: Path = LOCALES_DIR,
) -> tuple[Dispatcher, I18nMiddleware]:
    dispatcher = Dispatcher(
        storage=SQLiteStorage(db, clock),
        events_isolation=ChatOrderIsolation(),
        # Shared dependencies reach handlers as keyword arguments by these names.
        settings=settings,
        db=db,
        clock=clock,
        # Not the library itself: start_polling copies this data once, so a value replaced
        # later would never reach handlers. PolicyLibraryMiddleware hands them `policies`.
        live_policies=live_policies,
        # The registry of request types (bot/request_types.py): keyboards, /mydata, filing, /stats.
        request_types=request_types,
    )
    # Order matters: the user row is loaded before the i18n middleware reads its language.
    dispatcher.update.outer_middleware(UserMiddleware())
    dispatcher.update.outer_middleware(PolicyLibraryMiddleware(live_policies))
    i18n = create_i18n_middleware(create_i18n_core(locales_dir))
    i18n.setup(dispatcher)
    dispatcher.startup.register(_request_type_names_check(request_types, i18n))  # after the translations load
    # Claims: the working-day calendar and the outbox/reminder scheduler, as dispatcher data.
    dispatcher["work_calendar"] = WorkingCalendar.from_files(settings.holidays_override_file)
    scheduler = Scheduler(settings, db, clock, i18n.core, card_markup=card_markup_for)
    dispatcher["scheduler"] = scheduler
    dispatcher.startup.register(scheduler.on_startup)
    dispatcher.shutdown.register(scheduler.on_shutdown)
    dispatcher.include_routers(
        create_errors_router(),
        create_operators_router(
            settings.admin_chat_id,
            # Commands of broadcasting and publishing first: the claims router answers every
            # other reply in the admin chat as an operator's answer to a claim.
            operator_erasure.create_router(),  # block / destroy requests (before the claims router)
            operator_broadcasts.create_router(),
            operator_policy_publish.create_router(),
            operator_claims.create_router(),
            clock=clock, operator_ids=settings.operator_ids_list,
        ),
        create_customer_router(customer_claims.create_router()),
    )

    async def on_startup(bot: Bot) -> None:
        await set_bot_profile(bot, i18n.core, settings)

    dispatcher.startup.register(on_startup)
    # Retention: the daily job, its own background task.
    storage = dispatcher.fsm.storage
    retention = RetentionJob(settings, db, clock, forget_drafts=getattr(storage, "forget", None))
    dispatcher["retention"] = retention
    dispatcher.startup.register(retention.on_startup)
    dispatcher.shutdown.register(retention.on_shutdown)
    return dispatcher, i18n


def _request_type_names_check(request_types: RequestTypes, i18n: I18nMiddleware) -> Callable[[], Awaitable[None]]:
    """A registry line without its name and button in both languages stops the bot at start,
    naming them, rather than failing at a customer's first /claim."""

    def has_key(key: str, language: str) -> bool:
        try:
            i18n.core.get(key, language)
        except KeyNotFoundError:
            return False
        return True

    async def check() -> None:
        missing = missing_locale_keys(request_types, has_key, SUPPORTED_LANGUAGES)
        if missing:
            raise RuntimeError("request types without their locale entries (bot/request_types.py): " + ", ".join(missing))

    return check


async def create_app(
    settings: Settings, *, clock: Clock | None = None, request_types: RequestTypes = REQUEST_TYPES,
    locales_dir: Path = LOCALES_DIR, admin_chat: Chat | None = None,
) -> App:
    """Everything the bot needs, checked before the first update: a bad policy folder or
    database fails here with a clear message, not in the middle of a conversation."""
    clock = clock or SystemClock()
    policies = load_policy_library(settings.policy_dir)
    fast_paths.activate(settings.fast_paths)  # self-checks; logs which fast paths run
    BotSession.prepare()  # the Bot API models an update needs, built now rather than by the first update
    db = await Database.open(settings.database_path)

    async def on_unreachable(chat_id: int, reason: str) -> None:
        await users.mark_unreachable(db, chat_id, reason, clock.now())

    bot = create_bot(settings, SendingPolicy(on_unreachable))
    # Users see only published policy versions; a publication replaces what the holder holds.
    live_policies = LivePolicies(await _published_library(db, clock, policies, settings))
    dispatcher, i18n = create_dispatcher(settings, db, clock, live_policies, request_types, locales_dir)
    # The outbox sends through a bot that does not retry by itself (the outbox does).
    outbox_bot = create_bot(settings, SendingPolicy(on_unreachable, max_attempts=1))
    dispatcher["scheduler"].bot = outbox_bot
    dispatcher["scheduler"].checked_admin_chat = admin_chat  # None: the scheduler asks Telegram itself
    # The operators' desk: a claim that becomes overdue has its card redrawn as overdue.
    dispatcher["scheduler"].on_overdue = redraw_overdue_cards(outbox_bot, db, settings, dispatcher["scheduler"], clock)

    async def close_outbox_bot() -> None:
        await outbox_bot.session.close()

    dispatcher.shutdown.register(close_outbox_bot)
    app = App(
        settings=settings, db=db, clock=clock, live_policies=live_policies, bot=bot, dispatcher=dispatcher, i18n=i18n
    )
    app.extra["broadcaster"] = _wire_broadcaster(settings, db, clock, dispatcher, i18n, live_policies)
    # Operations: /metrics counts updates and Bot API calls, /healthz checks (bot/web.py).
    app.extra["monitoring"] = install_monitoring(app, probe_bot=create_bot(settings))
    _wire_policy_schedule(settings, db, clock, dispatcher, live_policies)
    return app


async def _published_library(db: Database, clock: Clock, policies: PolicyLibrary, settings: Settings) -> PolicyLibrary:
    """A version folder added by hand becomes current only once an operator publishes it; a
    scheduled version whose date came while the bot was down is current now; a publication
    whose notice was never created gets it now (bot/publishing.py)."""
    library = await publishing.load_published_library(
        db, policy_dir=settings.policy_dir, clock=clock, tz=settings.tz, full=policies
    )
    await publishing.resume_notices(
        db, library=library, locale=settings.operator_language, paid=settings.broadcast_paid, now=clock.now(),
        progress_chat_id=settings.admin_chat_id,
    )
    return library


def _wire_policy_schedule(settings: Settings, db: Database, clock: Clock, dispatcher: Dispatcher, live_policies: LivePolicies) -> None:
    """Scheduled policy versions become current on their date, in the running bot."""
    schedule = publishing.PolicySchedule(
        db, clock, settings.tz, library=lambda: live_policies.library, install=live_policies.replace,
        interval=settings.scheduler_interval_seconds,
    )
    dispatcher["policy_schedule"] = schedule

    async def start_schedule() -> None:
        schedule.start()

    dispatcher.startup.register(start_schedule)
    dispatcher.shutdown.register(schedule.stop)


def _wire_broadcaster(
    settings: Settings, db: Database, clock: Clock, dispatcher: Dispatcher, i18n: I18nMiddleware,
    live_policies: LivePolicies,
) -> Broadcaster:
    """The broadcaster has its own Bot without SendingPolicy: a 429 pauses all of its sending."""

    broadcaster = Broadcaster(
        bot=create_bot(settings),
        db=db,
        clock=clock,
        views=BroadcastViews(i18n.core, settings, lambda: live_policies.library),
        rate=settings.broadcast_rate,
    )
    dispatcher["broadcaster"] = broadcaster
    dispatcher["install_policies"] = live_policies.replace  # the next update sees the new version

    async def start_broadcaster() -> None:
        broadcaster.start()  # resumes a broadcast interrupted by a restart

    async def stop_broadcaster() -> None:
        await broadcaster.stop()
        await broadcaster.bot.session.close()

    dispatcher.startup.register(start_broadcaster)
    dispatcher.shutdown.register(stop_broadcaster)
    return broadcaster


async def create_checked_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """The start-up check, then the app. The admin chat the check read is handed to the scheduler,
    so a start asks Telegram about it once (one getChat, one getChatMember)."""
    from bot.startup_check import StartupCheckFailed, run_checks

    report = await run_checks(settings, clock=clock)
    report.log()
    if report.failed:
        raise StartupCheckFailed(report)
    return await create_app(settings, clock=clock, admin_chat=report.admin_chat)


async def _start(settings: Settings) -> App:
    """What both modes do before the first update: the start-up check, the app, the collector's tuning."""
    app = await create_checked_app(settings)
    # aiogram's Bot API types and our modules are a large heap that lives as long as the process:
    # a full pass of the cyclic garbage collector over it is a long pause for every update in
    # flight. Freeze it out of the collector's reach.
    gc.collect()
    gc.freeze()
    # Under load many updates are in flight, each holding its models, tasks and frames for a few
    # seconds; with the default thresholds (700, 10, 10) the collector ran after every 700
    # of those allocations and traversed the same live objects over and over, a large share of the
    # bot's CPU. Rarer passes cost less CPU, but each pass over more young objects (most of them
    # cycles to free) pauses the loop longer, and those pauses set the p99 latency: a first
    # generation of 10,000 keeps the CPU cost close to the largest threshold tried while keeping
    # the pauses short. The measurements are in bench/RESULTS.md ("Figures behind code comments").
    gc.set_threshold(10_000, 20, 100)
    return app


async def run_polling(settings: Settings) -> None:
    from bot.web import HttpServer

    app = await _start(settings)
    server = HttpServer(app, webhook=False) if settings.listen_address else None
    log.info("policy version %s loaded; polling", app.policies.current.version)
    try:
        # Telegram refuses getUpdates while a webhook is set (409 Conflict): switching back from
        # webhook mode deletes it. Updates Telegram holds are kept and polled next.
        await app.bot.delete_webhook(drop_pending_updates=False)
        if server is not None:
            await server.start()
        await app.dispatcher.start_polling(
            app.bot, allowed_updates=app.dispatcher.resolve_used_update_types(), handle_as_tasks=True
        )
    finally:
        if server is not None:
            await server.stop()
        await app.db.close()


async def run_webhook(settings: Settings) -> None:
    """Webhook mode: Telegram posts updates to WEBHOOK_URL, which the proxy passes to HTTP_LISTEN."""
    from bot.web import HttpServer

    app = await _start(settings)
    server = HttpServer(app, webhook=True)
    log.info("policy version %s loaded; webhook mode", app.policies.current.version)
    try:
        await server.start()  # the dispatcher's start-up hooks, listening, then setWebhook
        await _stop_signal()
    finally:
        await server.stop()  # no new updates, those in flight finished, then the shutdown hooks
        await app.bot.session.close()
        await app.db.close()


async def _stop_signal() -> None:
    """Until SIGTERM (systemd's stop) or SIGINT (Ctrl+C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
