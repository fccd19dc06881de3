"""Fast path `http_client`: Bot API calls without files go over KeepAliveClient, not aiohttp.

Why: every Bot API call is one POST of a JSON body to one host, and aiohttp's ClientSession does
far more per request (cookie jar, redirects, tracing, a multidict of headers, a stream reader, a
payload writer, a timer context...): per call, the largest single item of the bot's CPU time
(bench/RESULTS.md has what the path buys). `bot/fast_paths/http_client.py` is a plain HTTP/1.1
keep-alive client for exactly these requests.

What it reads that aiogram does not promise: the TLS context aiogram's AiohttpSession builds for
its connector (`_connector_init["ssl"]`, certifi's authorities), so both transports verify the
same way. A session with a proxy, and every upload, still goes through aiohttp as aiogram sends
it. `self_check` checks that a fresh AiohttpSession still keeps an `ssl.SSLContext` there and
has the public `proxy` property; otherwise the path stays off and aiohttp carries every call.
"""

from __future__ import annotations

import asyncio
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

from aiogram import __version__ as aiogram_version
from aiogram.client.session.aiohttp import AiohttpSession

from bot.fast_paths.http_client import HttpError, HttpResponse, KeepAliveClient

__all__ = ["HttpError", "HttpResponse", "KeepAliveTransport", "self_check", "split_url"]


@lru_cache(maxsize=256)
def split_url(url: str) -> tuple[str, str]:
    """'https://host:port/bot<token>/sendMessage?x' -> ('https://host:port', '/bot<token>/sendMessage?x')."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}", parts.path + (f"?{parts.query}" if parts.query else "")


def tls_context(session: AiohttpSession) -> ssl.SSLContext | None:
    """The TLS context aiogram's connector would use (private in aiogram)."""
    context = session._connector_init.get("ssl")  # noqa: SLF001 - the one private read of this path
    return context if isinstance(context, ssl.SSLContext) else None


class KeepAliveTransport:
    """A session's keep-alive clients, one per origin (in practice one: the Bot API server)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._clients: dict[str, KeepAliveClient] = {}

    @staticmethod
    def usable(session: AiohttpSession) -> bool:
        return session.proxy is None  # a proxy is aiohttp's (and aiohttp-socks') business

    async def post(self, session: AiohttpSession, url: str, body: bytes, timeout: float) -> HttpResponse:
        origin, target = split_url(url)
        client = self._clients.get(origin)
        if client is None:
            client = self._clients[origin] = KeepAliveClient(
                origin, limit=self.limit, user_agent=f"aiogram/{aiogram_version}", ssl_context=tls_context(session),
            )
        return await client.post(target, body, content_type="application/json", timeout=timeout)

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        await asyncio.gather(*(client.close() for client in clients.values()))


def self_check() -> str | None:
    session = AiohttpSession()
    init = getattr(session, "_connector_init", None)
    if not isinstance(init, dict) or not isinstance(init.get("ssl"), ssl.SSLContext):
        return "aiogram's AiohttpSession no longer keeps its TLS context in `_connector_init['ssl']`"
    if not isinstance(type(session).__dict__.get("proxy"), property) or session.proxy is not None:
        return "aiogram's AiohttpSession has no `proxy` property (None without a proxy)"
    return None
