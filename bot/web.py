"""The bot's own HTTP server: Telegram's webhook, GET /healthz and GET /metrics.

It listens on HTTP_LISTEN (127.0.0.1:8080 by default in webhook mode), behind a reverse proxy
that terminates TLS (README, "Run it"). In webhook mode it takes updates at the path of
WEBHOOK_URL with aiogram's own aiohttp integration (SimpleRequestHandler, setup_application):

- a request without the right X-Telegram-Bot-Api-Secret-Token is answered 401 before its body
  is read, so it has no effect;
- an update is handled while Telegram waits for the answer (handle_in_background=False): the
  answer tells Telegram it was handled, a stop waits for updates in flight, and Telegram's
  max_connections bounds how many run at once. (aiogram hands an update that takes over 55 s to
  a background task and answers, so Telegram does not time out and send it again.)
- the dispatcher's start-up hooks (scheduler, broadcaster, outbox, profile) run when the server
  starts, and setWebhook is called only once it listens, so Telegram's first post finds it;
- on stop: no new connections, updates in flight are finished, then the shutdown hooks run.
  The webhook stays set, so Telegram keeps new updates (up to 24 hours) until the bot is back.

In polling mode with HTTP_LISTEN set the same server answers /healthz and /metrics only; the
dispatcher's start-up and shutdown belong to start_polling then.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.app import App
    from bot.monitoring import Monitoring

log = logging.getLogger(__name__)

# How long a stop waits for updates in flight before running the shutdown hooks anyway.
DRAIN_SECONDS = 30.0


class HttpServer:
    def __init__(self, app: App, *, webhook: bool, listen: tuple[str, int] | None = None) -> None:
        address = listen or app.settings.listen_address
        if address is None:
            raise ValueError("HTTP_LISTEN is not set")
        self.app = app
        self.webhook = webhook
        self.host, self.port = address
        self.url = ""  # http://host:port it listens on, once started (port 0 picks a free one)
        self._runner: web.AppRunner | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def monitoring(self) -> Monitoring:
        return self.app.extra["monitoring"]  # type: ignore[no-any-return]

    def build(self) -> web.Application:
        web_app = web.Application()
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/metrics", self._metrics)
        if self.webhook:
            settings = self.app.settings
            assert settings.webhook_secret is not None
            # First: wait for updates in flight before the dispatcher's shutdown hooks run.
            web_app.on_shutdown.append(self._drain)
            setup_application(web_app, self.app.dispatcher, bot=self.app.bot, bots=[self.app.bot])
            handler = SimpleRequestHandler(
                dispatcher=self.app.dispatcher,
                bot=self.app.bot,
                handle_in_background=False,
                secret_token=settings.webhook_secret.get_secret_value(),
            )
            web_app.router.add_route("POST", settings.webhook_path, self._counted(handler.handle))
            # aiogram's register() would also close the bot's session on shutdown; App does that.
        return web_app

    async def start(self) -> None:
        # No access log: the proxy in front keeps one, and nothing here needs the requester's address.
        self._runner = web.AppRunner(self.build(), access_log=None, handle_signals=False)
        await self._runner.setup()  # webhook mode: the dispatcher's start-up hooks run here
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        if self.webhook:
            await set_webhook(self.app)
        log.info("HTTP server on %s (%s)", self.url, "webhook, /healthz, /metrics" if self.webhook else "/healthz, /metrics")

    async def stop(self) -> None:
        """Stop listening, finish updates in flight, run the shutdown hooks (webhook mode)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # ------------------------------------------------------------------ handlers

    def _counted(self, handle: Any) -> Any:
        async def counted(request: web.Request) -> web.StreamResponse:
            self._in_flight += 1
            self._idle.clear()
            try:
                return await handle(request)  # type: ignore[no-any-return]
            finally:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.set()

        return counted

    async def _drain(self, _: web.Application) -> None:
        try:
            await asyncio.wait_for(self._idle.wait(), DRAIN_SECONDS)
        except TimeoutError:
            log.warning("stopping with %s updates still in flight", self._in_flight)

    async def _healthz(self, _: web.Request) -> web.Response:
        report = await self.monitoring.health.check()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)

    async def _metrics(self, _: web.Request) -> web.Response:
        metrics = self.monitoring.metrics
        await metrics.refresh(self.app.db, self.app.clock.now(), self.app.settings.tz)
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def set_webhook(app: App) -> None:
    """Tell Telegram where to post, with the secret it must send and the update types handled."""
    settings = app.settings
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    await app.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=app.dispatcher.resolve_used_update_types(),
    )
    log.info("webhook set; Telegram posts updates to the path %s", settings.webhook_path)
