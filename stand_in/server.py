"""The stand-in's HTTP server: the aiohttp application answering Bot API requests, failure
injection (refusals, outages), and updates handed out through getUpdates or posted to a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import math
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiogram.client.telegram import TelegramAPIServer
from aiohttp import ClientSession, ClientTimeout, web

from stand_in.methods import _METHODS, BotApiMethods, _ApiError, _api, _as_int, _bad
from stand_in.world import ApiCall, Upload, World, _Chat, _File

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties

log = logging.getLogger(__name__)


@dataclass
class _FailRule:
    method: str  # lower case
    error_code: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None


def _html_error_page(code: int, phrase: str) -> str:
    """What the front-end server answers when the Bot API behind it is down (nginx's page)."""
    title = f"{code} {phrase}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@dataclass
class _Outage:
    until: float  # on TelegramStandIn.clock
    error_code: int
    methods: frozenset[str] | None  # lower case; None: every method
    html: bool


# Fields whose value is text even when it looks like JSON ("123", "true").
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "description", "short_description", "name", "data", "title",
        "callback_query_id", "inline_message_id", "file_id", "parse_mode", "url", "action",
        "language_code", "emoji", "icon_custom_emoji_id", "business_connection_id",
        "message_effect_id", "document", "photo", "sticker", "video", "audio", "voice",
        "animation", "thumbnail", "phone_number", "first_name", "last_name", "vcard",
        "secret_token", "ip_address", "certificate", "custom_title", "query",
    }
)  # fmt: skip
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


class TelegramStandIn(World, BotApiMethods):
    """An in-process Bot API server holding a small Telegram world. See stand_in/__init__.py."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_id: int = 123456,
        bot_username: str = "privacy_test_bot",
        bot_name: str = "Privacy Bot",
        keep_history: bool = True,
    ) -> None:
        self.token = token
        # False (benchmarks with many recipients): what the bot sends to private chats is not
        # stored, and the calls that sent it are not appended to ``calls``; observers still see
        # every call, and group chats (the operators' chat) keep their messages as usual.
        self.keep_history = keep_history
        self.url = ""
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.strict_html = True  # see the package docstring: bare "&" is rejected

        # What the bot did.
        self.calls: list[ApiCall] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.scoped_commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.names: dict[str | None, str] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []  # every update ever produced

        # Behaviour controls.
        self.blocked: set[int] = set()
        self.deleted_users: set[int] = set()

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _File] = {}
        self._files_by_path: dict[str, _File] = {}
        self._fail_rules: list[_FailRule] = []
        # What ApiCall.at and outages (fail_for) are measured on; a test driving the bot on a
        # manual clock passes that clock's monotonic(), so both sides see the same seconds.
        self.clock: Callable[[], float] = time.monotonic
        self._outages: list[_Outage] = []
        self._migrated: dict[int, int] = {}  # old group id → its supergroup's id
        self._removed_from: set[int] = set()  # groups the bot was removed from
        self._pending: list[dict[str, Any]] = []  # updates not yet confirmed via offset
        self._issued_callbacks: set[str] = set()
        self._answered_callback_ids: set[str] = set()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._updates_ready: asyncio.Event | None = None
        self._waiters: list[asyncio.Future[None]] = []
        # Callables told of every answered request (benchmarks measure latency with these).
        self.observers: list[Callable[[ApiCall], None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        # Webhook (setWebhook): Telegram's record of it, and where the stand-in really posts.
        self.webhook: dict[str, Any] | None = None
        self.webhook_target: str | None = None  # e.g. the bot's http://127.0.0.1:PORT/path
        self._webhook_task: asyncio.Task[None] | None = None
        # The bot's membership of groups, where it is not the default administrator.
        self._bot_members: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Starts listening; port 0 picks a free one. ``self.url`` is set afterwards."""
        self._closing = False
        self._updates_ready = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram allows 50 MB uploads
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # A short shutdown timeout: pending long polls are released in stop() anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        log.debug("Telegram stand-in listening on %s", self.url)

    async def stop(self) -> None:
        """Releases waiting long polls and stops the server."""
        self._closing = True
        if self._updates_ready is not None:
            self._updates_ready.set()
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def api_server(self) -> TelegramAPIServer:
        if not self.url:
            raise RuntimeError("start() the stand-in before asking for its address")
        return TelegramAPIServer.from_base(self.url)

    def create_bot(self, default: DefaultBotProperties | None = None) -> Bot:
        """A real aiogram Bot wired to this stand-in; close it with ``await bot.session.close()``."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        return Bot(self.token, session=AiohttpSession(api=self.api_server()), default=default)

    # ------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (only to ``chat_id`` if given) fail this way."""
        if method.lower() not in _METHODS:
            raise ValueError(f"the stand-in does not implement {method!r}; a typo?")
        if error_code == 429 and retry_after is None:
            retry_after = 1  # aiogram raises TelegramRetryAfter only with a positive retry_after
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif error_code == 403:
                description = "Forbidden: bot was blocked by the user"
            else:
                description = HTTPStatus(error_code).phrase
        self._fail_rules.append(
            _FailRule(method.lower(), error_code, description, retry_after, times, chat_id)
        )

    def fail_for(
        self,
        seconds: float,
        *,
        error_code: int = 502,
        methods: Iterable[str] | None = None,
        html: bool = True,
    ) -> None:
        """An outage: every call (or every call of ``methods``) fails for the next ``seconds`` of
        ``self.clock``. With ``html`` (the default for 5xx) the answer is the HTML page Telegram's
        front-end server answers when the Bot API behind it is down ("502 Bad Gateway", not the
        Bot API's JSON); otherwise the Bot API's JSON error. ``error_code=0``: no answer at all,
        the connection is closed (Telegram unreachable). Nothing is carried out meanwhile."""
        names = None
        if methods is not None:
            names = frozenset(m.lower() for m in methods)
            unknown = [m for m in names if m not in _METHODS]
            if unknown:
                raise ValueError(f"the stand-in does not implement {unknown}; a typo?")
        self._outages.append(_Outage(self.clock() + seconds, error_code, names, html))

    def _outage_failure(self, method: str) -> _ApiError | None:
        now = self.clock()
        self._outages = [o for o in self._outages if o.until > now]
        for outage in self._outages:
            if outage.methods is None or method.lower() in outage.methods:
                if outage.error_code == 0:
                    return _ApiError(0, "connection closed without an answer (outage)")
                phrase = HTTPStatus(outage.error_code).phrase
                return _ApiError(outage.error_code, phrase, html=outage.html)
        return None

    def outage(self, *, error_code: int = 502) -> None:
        """Telegram is down: every request fails with the Bot API's JSON error ``error_code``
        until ``end_outage()``."""
        self._outages.append(_Outage(math.inf, error_code, None, html=False))

    def end_outage(self) -> None:
        """Every outage ends now (``outage()``'s and ``fail_for``'s)."""
        self._outages.clear()

    def _injected_failure(self, method: str, params: dict[str, Any]) -> _ApiError | None:
        outage = self._outage_failure(method)
        if outage is not None:
            return outage
        for rule in self._fail_rules:
            if rule.method != method.lower():
                continue
            if rule.chat_id is not None and _as_int(params.get("chat_id")) != rule.chat_id:
                continue
            rule.times -= 1
            if rule.times <= 0:
                self._fail_rules.remove(rule)
            return _ApiError(rule.error_code, rule.description, retry_after=rule.retry_after)
        return None

    # ------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = self.clock()
        params = await self._read_params(request)
        requested = request.match_info["method"]
        entry = _METHODS.get(requested.lower())
        call = ApiCall(method=entry[0] if entry else requested, params=params, at=arrived)
        error_page: str | None = None
        dropped = False
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if entry is None:
                raise _ApiError(404, "Not Found: method not found")
            failure = self._injected_failure(call.method, params)
            if failure is not None:
                raise failure
            result = entry[1](self, params)
            if inspect.isawaitable(result):
                result = await result
        except _ApiError as exc:
            call.ok, call.error_code, call.description = False, exc.code, exc.description
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            if exc.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": exc.migrate_to_chat_id}
            status = exc.code
            if exc.code == 0:
                dropped = True
            if exc.html:
                error_page = _html_error_page(exc.code, exc.description)
        except Exception as exc:  # a stand-in bug must show up as a failed request, not a hang
            log.exception("stand-in failed on %s", call.method)
            call.ok, call.error_code, call.description = False, 500, f"Internal Server Error: {exc!r}"
            body = {"ok": False, "error_code": 500, "description": call.description}
            status = 500
        else:
            call.result = result
            body = {"ok": True, "result": result}
            status = 200
        if self.keep_history or not self._private_send(call):
            self.calls.append(call)
        log.debug("%s %s -> %s", call.method, params, "ok" if call.ok else call.description)
        for observer in self.observers:
            observer(call)
        self._notify()
        if dropped and request.transport is not None:
            request.transport.close()  # the client sees the connection close without an answer
            return web.Response(status=502)
        if error_page is not None:
            return web.Response(text=error_page, status=status, content_type="text/html")
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    @staticmethod
    def _private_send(call: ApiCall) -> bool:
        chat_id = _as_int(call.params.get("chat_id"))
        return chat_id is not None and chat_id > 0

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        """Request fields decoded the way Telegram reads them (aiogram sends strings)."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.method == "POST":
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename or key, value.file.read())
                    else:
                        raw[key] = value
        params = {key: self._decode_field(key, value) for key, value in raw.items()}
        attached: set[str] = set()
        for key, value in params.items():
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                attached.add(value[9:])
                params[key] = files[value[9:]]
        for key, upload in files.items():
            if key not in attached:
                params.setdefault(key, upload)  # a file sent under the field name itself
        return params

    @staticmethod
    def _decode_field(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in _STRING_FIELDS:
            return value
        if value in ("true", "false"):
            return value == "true"
        if _INT_RE.fullmatch(value):
            return int(value)
        if _FLOAT_RE.fullmatch(value):
            return float(value)
        if value[:1] in ("{", "["):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        rec = self._files_by_path.get(request.match_info["path"])
        if rec is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=rec.data, content_type="application/octet-stream")

    # ------------------------------------------------------------ methods: bot and updates

    @_api("getMe")
    def _get_me(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("getUpdates")
    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = _as_int(p.get("offset")) or 0
        limit = min(max(_as_int(p.get("limit")) or 100, 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        # Like Telegram: a positive offset confirms every earlier update; a negative
        # one keeps only the last |offset| updates.
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ready = self._updates_ready
        while not self._pending and not self._closing and ready is not None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            ready.clear()
            try:
                await asyncio.wait_for(ready.wait(), remaining)
            except TimeoutError:
                break
        # No copy needed: a queued update is the stand-in's own (copied in _queue_update) and never changed.
        return self._pending[:limit]

    @_api("setWebhook")
    def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = str(p.get("url") or "")
        if not url:  # an empty URL removes the webhook, as deleteWebhook does
            return self._delete_webhook(p)
        # What Telegram answers (core.telegram.org/bots/api#setwebhook): HTTPS only, on ports
        # 443, 80, 88 or 8443; secret_token of 1-256 characters A-Z, a-z, 0-9, _ and -.
        match = re.fullmatch(r"https://([^/:?#]+)(?::(\d+))?([/?#].*)?", url)
        if match is None:
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if int(match.group(2) or 443) not in (443, 80, 88, 8443):
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        allowed = p.get("allowed_updates")
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": list(allowed) if isinstance(allowed, list) else None,
            "max_connections": _as_int(p.get("max_connections")) or 40,
            "last_error_date": None,
            "last_error_message": None,
        }
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook(), name="stand-in-webhook")
        return True

    @_api("deleteWebhook")
    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        return True

    @_api("getWebhookInfo")
    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}
        info: dict[str, Any] = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            "max_connections": self.webhook["max_connections"],
        }
        if self.webhook["allowed_updates"] is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook["last_error_date"] is not None:
            info["last_error_date"] = self.webhook["last_error_date"]
            info["last_error_message"] = self.webhook["last_error_message"]
        return info

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed (by a getUpdates offset, or a webhook's 2xx answer)."""
        return len(self._pending)

    async def post_update(
        self, update: dict[str, Any], *, secret_token: str | None = "", url: str | None = None
    ) -> tuple[int, str]:
        """POST one update as Telegram's webhook does: to ``url`` (default ``webhook_target``),
        with X-Telegram-Bot-Api-Secret-Token set to ``secret_token`` ("" means the secret
        given to setWebhook; None sends no header). Returns (HTTP status, body)."""
        target = url or self.webhook_target
        if target is None:
            raise RuntimeError("set webhook_target (or pass url=) to post an update")
        if secret_token == "":
            secret_token = (self.webhook or {}).get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with ClientSession(timeout=ClientTimeout(total=60)) as session:
            async with session.post(target, data=json.dumps(update, ensure_ascii=False), headers=headers) as answer:
                return answer.status, await answer.text()

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates in order while a webhook is set; a failed post is retried, and
        its reason shows in getWebhookInfo's last_error_message, as Telegram does."""
        while self.webhook is not None and not self._closing:
            if not self._pending or self.webhook_target is None:
                ready = self._updates_ready
                if ready is not None:
                    ready.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ready.wait(), 0.05)
                else:
                    await asyncio.sleep(0.05)
                continue
            update = self._pending[0]
            try:
                status, _ = await self.post_update(update)
            except Exception as error:  # connection refused, timeout
                status, reason = 0, f"Connection failed: {type(error).__name__}"
            else:
                reason = f"Wrong response from the webhook: {status}"
            if 200 <= status < 300:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                self._notify()
                continue
            if self.webhook is not None:
                self.webhook["last_error_date"] = int(time.time())
                self.webhook["last_error_message"] = reason
            await asyncio.sleep(0.2)

    @_api("logOut")
    def _log_out(self, p: dict[str, Any]) -> bool:
        return True

    @_api("close")
    def _close(self, p: dict[str, Any]) -> bool:
        return True
