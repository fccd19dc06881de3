"""A small HTTP/1.1 client for the Bot API's JSON requests: keep-alive connections and nothing else.

Why not aiohttp's client for these: every Bot API call is one POST of a JSON body to one host,
and aiohttp's ClientSession does far more per request (cookie jar, redirects, tracing, a
multidict of headers, a stream reader, a payload writer, a timer context...); the bot makes 2–3
calls per update, and that was the largest single item of its CPU time (bench/RESULTS.md). Used
by the `http_client` fast path (bot/fast_paths/session.py); this module itself reads nothing
private of any library.

What it does: one request at a time per connection; connections are kept open and reused
(HTTP/1.1 keep-alive) unless the server says `Connection: close`; an idle connection is dropped
after `keepalive` seconds or as soon as the server closes it; at most `limit` requests at once,
like aiohttp's connector. Answers framed by Content-Length, chunked transfer encoding or the end
of the connection are all read. TLS for https URLs, verified against certifi's CA bundle as
aiogram does. What it does not do: proxies, redirects, compression, uploads (aiogram's aiohttp
session keeps those; see bot/session.py).

A request that fails (connection refused or lost, a malformed answer, the timeout) raises
`HttpError` or `TimeoutError` and its connection is discarded; nothing is retried here, the
caller (SendingPolicy, the outbox) decides, as it did with aiohttp.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi

HEAD_END = b"\r\n\r\n"
LINE_END = b"\r\n"
MAX_HEAD_BYTES = 64 * 1024


class HttpError(Exception):
    """The connection failed or ended before a whole, well-formed answer arrived."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection: sends a request and parses the one answer it is waiting for."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self._reset_answer()

    def _reset_answer(self) -> None:
        self.status = 0
        self.head_length = -1  # bytes of status line and headers, once they are complete
        self.content_length = -1
        self.chunked = False
        self.keep_alive = True
        self.to_eof = False

    # --- asyncio.Protocol --------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            self.close()  # bytes nobody asked for: the connection is out of step, never reuse it
            return
        self.buffer += data
        try:
            self._parse()
        except HttpError as error:
            self._fail(error)

    def eof_received(self) -> bool:
        if self.waiter is not None and not self.waiter.done() and self.to_eof and self.head_length >= 0:
            self._finish(bytes(self.buffer[self.head_length:]), keep_alive=False)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(HttpError(f"connection closed before the answer ({type(exc).__name__ if exc else 'EOF'})"))

    # --- requests ------------------------------------------------------------------------------
    def request(self, data: bytes) -> asyncio.Future[tuple[int, bytes, bool]]:
        assert self.transport is not None and (self.waiter is None or self.waiter.done())
        self.waiter = self.loop.create_future()
        self.buffer.clear()
        self._reset_answer()
        self.transport.write(data)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: Exception) -> None:
        self.close()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)

    def _finish(self, body: bytes, *, keep_alive: bool) -> None:
        assert self.waiter is not None
        self.waiter.set_result((self.status, body, keep_alive and self.keep_alive))

    # --- parsing -------------------------------------------------------------------------------
    def _parse(self) -> None:
        buffer = self.buffer
        if self.head_length < 0:
            end = buffer.find(HEAD_END)
            if end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    raise HttpError("answer headers too long")
                return
            self._parse_head(bytes(buffer[:end]))
            self.head_length = end + len(HEAD_END)
            if self.status < 200 or self.status in (204, 304):
                if self.status < 200:  # an interim answer (100 Continue): the real one follows
                    del buffer[: self.head_length]
                    self._reset_answer()
                    self._parse()
                    return
                self._finish(b"", keep_alive=len(buffer) == self.head_length)
                return
        if self.content_length >= 0:
            end = self.head_length + self.content_length
            if len(buffer) >= end:
                self._finish(bytes(buffer[self.head_length:end]), keep_alive=len(buffer) == end)
        elif self.chunked:
            body = self._parse_chunks(buffer, self.head_length)
            if body is not None:
                self._finish(body[0], keep_alive=body[1])
        # else: the body runs to the end of the connection (eof_received)

    def _parse_head(self, head: bytes) -> None:
        lines = head.split(LINE_END)
        parts = lines[0].split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise HttpError("not an HTTP/1.x answer")
        self.status = int(parts[1])
        self.keep_alive = parts[0] != b"HTTP/1.0"
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                raise HttpError("malformed answer header")
            name = name.strip().lower()
            value = value.strip()
            if name == b"content-length":
                if not value.isdigit():
                    raise HttpError("malformed Content-Length")
                self.content_length = int(value)
            elif name == b"transfer-encoding":
                self.chunked = value.lower().endswith(b"chunked")
            elif name == b"connection":
                tokens = value.lower()
                if b"close" in tokens:
                    self.keep_alive = False
                elif b"keep-alive" in tokens:
                    self.keep_alive = True
        if self.chunked:
            self.content_length = -1  # chunked framing wins over a Content-Length (RFC 9112 §6.3)
        elif self.content_length < 0:
            self.to_eof = True
            self.keep_alive = False

    @staticmethod
    def _parse_chunks(buffer: bytearray, start: int) -> tuple[bytes, bool] | None:
        """The whole body and whether nothing follows it, or None while chunks are still arriving."""
        body = bytearray()
        position = start
        while True:
            line_end = buffer.find(LINE_END, position)
            if line_end < 0:
                return None
            size_text = bytes(buffer[position:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpError("malformed chunk size") from None
            position = line_end + len(LINE_END)
            if size == 0:
                # Optional trailer lines, then an empty line.
                while True:
                    line_end = buffer.find(LINE_END, position)
                    if line_end < 0:
                        return None
                    empty = line_end == position
                    position = line_end + len(LINE_END)
                    if empty:
                        return bytes(body), len(buffer) == position
            if len(buffer) < position + size + len(LINE_END):
                return None
            body += buffer[position:position + size]
            position += size
            if buffer[position:position + len(LINE_END)] != LINE_END:
                raise HttpError("malformed chunk")
            position += len(LINE_END)


class KeepAliveClient:
    """POSTs to one origin (scheme, host, port) over a pool of keep-alive connections."""

    def __init__(
        self, origin: str, *, limit: int = 100, keepalive: float = 15.0, user_agent: str = "",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {origin!r}")
        self.host = parts.hostname
        self.tls = parts.scheme == "https"
        self.port = parts.port or (443 if self.tls else 80)
        default_port = self.port == (443 if self.tls else 80)
        host_header = self.host if ":" not in self.host else f"[{self.host}]"
        self._host_header = host_header if default_port else f"{host_header}:{self.port}"
        self.keepalive = keepalive
        self._ssl = (ssl_context or ssl.create_default_context(cafile=certifi.where())) if self.tls else None
        self._user_agent = user_agent
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[_Connection] = []
        self._closed = False

    async def post(self, target: str, body: bytes, *, content_type: str, timeout: float) -> HttpResponse:
        """POST `body` to `target` (path and query) and return the answer; raises HttpError or TimeoutError."""
        if self._closed:
            raise HttpError("client closed")
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {self._host_header}\r\nUser-Agent: {self._user_agent}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nAccept: */*\r\n\r\n"
        ).encode("latin-1")
        async with self._slots:
            connection: _Connection | None = None
            try:
                async with asyncio.timeout(timeout):
                    connection = self._idle_connection() or await self._connect()
                    status, content, keep_alive = await connection.request(head + body)
            except BaseException:
                if connection is not None:
                    connection.close()
                raise
            if keep_alive and not connection.closed and not self._closed:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                connection.close()
            return HttpResponse(status, content)

    def _idle_connection(self) -> _Connection | None:
        expired_before = time.monotonic() - self.keepalive
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the least likely to be stale
            if not connection.closed and connection.idle_since >= expired_before:
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await loop.create_connection(
                lambda: _Connection(loop), self.host, self.port, ssl=self._ssl,
                server_hostname=self.host if self._ssl else None,
            )
        except OSError as error:
            raise HttpError(f"cannot connect to {self._host_header}: {type(error).__name__}: {error}") from error
        return connection

    @property
    def idle_connections(self) -> int:
        return sum(1 for connection in self._idle if not connection.closed)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
