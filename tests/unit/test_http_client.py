"""KeepAliveClient against a raw TCP server on 127.0.0.1 that answers exactly as each test scripts it.

The end-to-end suite already sends every Bot API call through this client to the stand-in
(aiohttp's server); these tests cover the framings and failures that server never produces.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError
from aiogram.client.telegram import TelegramAPIServer

from bot import fast_paths
from bot.fast_paths import session as fast_session
from bot.fast_paths.http_client import HttpError, KeepAliveClient
from bot.session import BotSession

Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


class ScriptedServer:
    """Reads each request (head + Content-Length body) and lets `answer` write the reply."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                await self.answer(body, writer)
                await writer.drain()
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=ssl_context)
        port = self.server.sockets[0].getsockname()[1]
        return f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Answer], Awaitable[tuple[ScriptedServer, KeepAliveClient]]]]:
    started: list[tuple[ScriptedServer, KeepAliveClient]] = []

    async def start(answer: Answer) -> tuple[ScriptedServer, KeepAliveClient]:
        server = ScriptedServer(answer)
        client = KeepAliveClient(await server.start())
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        await client.close()
        await server.stop()


def length_framed(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


async def echo_json(body: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(length_framed(json.dumps({"ok": True, "result": json.loads(body)}).encode()))


async def test_requests_reuse_one_keep_alive_connection(serve) -> None:  # type: ignore[no-untyped-def]
    server, client = await serve(echo_json)
    for n in range(5):
        answer = await client.post("/bot1:x/sendMessage", json.dumps({"n": n}).encode(), content_type="application/json", timeout=5)
        assert answer.status == 200 and json.loads(answer.body)["result"] == {"n": n}
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /bot1:x/sendMessage HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.server.sockets[0].getsockname()[1]}" in head  # type: ignore[union-attr]
    assert "Content-Type: application/json" in head


async def test_concurrent_requests_open_connections_up_to_the_limit_and_keep_them(serve) -> None:  # type: ignore[no-untyped-def]
    async def slow(body: bytes, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.05)
        await echo_json(body, writer)

    server, _ = await serve(slow)
    client = KeepAliveClient(f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}", limit=3)  # type: ignore[union-attr]
    try:
        answers = await asyncio.gather(*(
            client.post("/m", json.dumps(n).encode(), content_type="application/json", timeout=5) for n in range(9)
        ))
        assert [json.loads(a.body)["result"] for a in answers] == list(range(9))
        assert server.connections == 3
        assert client.idle_connections == 3
    finally:
        await client.close()


async def test_a_chunked_answer_split_into_single_bytes_is_read_whole(serve) -> None:  # type: ignore[no-untyped-def]
    payload = json.dumps({"ok": True, "result": {"text": "Сәлем, әлем!"}}, ensure_ascii=False).encode()

    async def chunked(body: bytes, writer: asyncio.StreamWriter) -> None:
        wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        for piece in (payload[:7], payload[7:20], payload[20:]):
            wire += f"{len(piece):x};ext=1\r\n".encode() + piece + b"\r\n"
        wire += b"0\r\nX-Trailer: yes\r\n\r\n"
        for byte in wire:
            writer.write(bytes([byte]))
            await writer.drain()

    server, client = await serve(chunked)
    for _ in range(2):
        answer = await client.post("/m", b"{}", content_type="application/json", timeout=5)
        assert answer.body == payload
    assert server.connections == 1  # a complete chunked answer leaves the connection reusable


async def test_connection_close_and_an_answer_to_the_end_of_the_connection(serve) -> None:  # type: ignore[no-untyped-def]
    async def closing(body: bytes, writer: asyncio.StreamWriter) -> None:
        if body == b"close":
            writer.write(length_framed(b'{"ok":true,"result":1}', extra="Connection: close\r\n"))
        else:  # no length, no chunks: the body is whatever comes before the server closes
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"ok":true,"result":2}')
        await writer.drain()
        writer.close()

    server, client = await serve(closing)
    assert (await client.post("/m", b"close", content_type="application/json", timeout=5)).body == b'{"ok":true,"result":1}'
    assert (await client.post("/m", b"eof", content_type="application/json", timeout=5)).body == b'{"ok":true,"result":2}'
    assert server.connections == 2 and client.idle_connections == 0


async def test_an_error_status_is_an_answer_not_an_exception(serve) -> None:  # type: ignore[no-untyped-def]
    async def too_many(body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(length_framed(b'{"ok":false,"error_code":429,"parameters":{"retry_after":3}}', status="429 Too Many Requests"))

    _, client = await serve(too_many)
    answer = await client.post("/m", b"{}", content_type="application/json", timeout=5)
    assert answer.status == 429 and b"retry_after" in answer.body


async def test_a_connection_the_server_closed_while_idle_is_not_reused(serve) -> None:  # type: ignore[no-untyped-def]
    async def answer_then_hang_up(body: bytes, writer: asyncio.StreamWriter) -> None:
        await echo_json(body, writer)
        await writer.drain()
        writer.close()  # without saying Connection: close, as a server dropping idle connections does

    server, client = await serve(answer_then_hang_up)
    assert (await client.post("/m", b"1", content_type="application/json", timeout=5)).status == 200
    await asyncio.sleep(0.05)  # the close reaches the client while the connection sits idle
    assert client.idle_connections == 0
    assert json.loads((await client.post("/m", b"2", content_type="application/json", timeout=5)).body)["result"] == 2
    assert server.connections == 2


async def test_a_connection_lost_mid_answer_raises_and_the_next_request_gets_a_new_one(serve) -> None:  # type: ignore[no-untyped-def]
    async def half(body: bytes, writer: asyncio.StreamWriter) -> None:
        if body == b"1":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
            await writer.drain()
            writer.close()
        else:
            await echo_json(body, writer)

    server, client = await serve(half)
    with pytest.raises(HttpError):
        await client.post("/m", b"1", content_type="application/json", timeout=5)
    assert (await client.post("/m", b"2", content_type="application/json", timeout=5)).status == 200
    assert server.connections == 2


async def test_garbage_instead_of_http_raises(serve) -> None:  # type: ignore[no-untyped-def]
    async def garbage(body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")

    _, client = await serve(garbage)
    with pytest.raises(HttpError, match="not an HTTP"):
        await client.post("/m", b"{}", content_type="application/json", timeout=5)
    assert client.idle_connections == 0


async def test_a_slow_answer_times_out_and_its_connection_is_dropped(serve) -> None:  # type: ignore[no-untyped-def]
    async def never(body: bytes, writer: asyncio.StreamWriter) -> None:
        if body == b"slow":
            await asyncio.sleep(10)
        else:
            await echo_json(body, writer)

    server, client = await serve(never)
    with pytest.raises(TimeoutError):
        await client.post("/m", b"slow", content_type="application/json", timeout=0.2)
    assert client.idle_connections == 0
    assert (await client.post("/m", b"3", content_type="application/json", timeout=5)).status == 200
    assert server.connections == 2  # the late answer of the slow request can never be read as this one's


async def test_an_idle_connection_older_than_keepalive_is_not_reused(serve) -> None:  # type: ignore[no-untyped-def]
    server, _ = await serve(echo_json)
    client = KeepAliveClient(f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}", keepalive=0.05)  # type: ignore[union-attr]
    try:
        await client.post("/m", b"1", content_type="application/json", timeout=5)
        await asyncio.sleep(0.1)
        await client.post("/m", b"2", content_type="application/json", timeout=5)
        assert server.connections == 2
    finally:
        await client.close()


async def test_nobody_listening_raises_http_error() -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    client = KeepAliveClient(f"http://127.0.0.1:{port}")
    with pytest.raises(HttpError, match="cannot connect"):
        await client.post("/m", b"{}", content_type="application/json", timeout=5)


async def test_https_is_verified_against_the_given_authority(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = ScriptedServer(echo_json)
    origin = await server.start(server_context)
    trusting = KeepAliveClient(origin, ssl_context=ssl.create_default_context(cafile=str(cert)))
    default = KeepAliveClient(origin)  # certifi's authorities: a self-signed certificate is refused
    try:
        assert json.loads((await trusting.post("/m", b"7", content_type="application/json", timeout=5)).body)["result"] == 7
        with pytest.raises(HttpError):
            await default.post("/m", b"8", content_type="application/json", timeout=5)
    finally:
        await trusting.close()
        await default.close()
        await server.stop()


@pytest.fixture
def http_client_path() -> Any:
    """The `http_client` fast path on for the test (whatever FAST_PATHS says), as it was after."""
    assert fast_paths.activate("http_client")["http_client"] is True
    yield
    fast_paths.activate()


async def test_bot_session_turns_transport_failures_into_telegram_network_errors(serve, http_client_path) -> None:  # type: ignore[no-untyped-def]
    async def hang_up(body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server, _ = await serve(hang_up)
    origin = f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    session = BotSession(api=TelegramAPIServer.from_base(origin))
    bot = Bot("42:secret", session=session)
    try:
        with pytest.raises(TelegramNetworkError, match="HttpError"):
            await bot.send_message(chat_id=1, text="Сәлем")
        assert server.requests and server.requests[0].startswith(b"POST /bot42:secret/sendMessage HTTP/1.1")
    finally:
        await session.close()


async def send_through_bot_session(serve) -> bytes:  # type: ignore[no-untyped-def]
    async def answer(body: bytes, writer: asyncio.StreamWriter) -> None:
        message = {"message_id": 7, "date": 0, "chat": {"id": 1, "type": "private"}, "text": json.loads(body)["text"]}
        writer.write(length_framed(json.dumps({"ok": True, "result": message}).encode()))

    server, _ = await serve(answer)
    origin = f"http://127.0.0.1:{server.server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    session = BotSession(api=TelegramAPIServer.from_base(origin))
    bot = Bot("42:secret", session=session)
    try:
        sent = await bot.send_message(chat_id=1, text="Сәлем")
        assert sent.message_id == 7 and sent.text == "Сәлем"
    finally:
        await session.close()
    return server.requests[0]


async def test_the_self_check_passes_and_the_keep_alive_client_carries_json_requests(serve, http_client_path) -> None:  # type: ignore[no-untyped-def]
    assert fast_session.self_check() is None
    request = await send_through_bot_session(serve)
    assert b"\r\nAccept: */*\r\n" in request and b"aiohttp" not in request.lower()


async def test_when_the_self_check_fails_aiohttp_carries_every_request(
    serve, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(fast_paths._check_results, "http_client", "connector settings moved")
    try:
        with caplog.at_level("WARNING", logger="bot.fast_paths"):
            assert fast_paths.activate("on")["http_client"] is False
        assert "http_client off (self-check failed: connector settings moved" in caplog.text
        request = await send_through_bot_session(serve)
        # aiohttp's own request (it asks for compressed answers), still one JSON body.
        assert b"accept-encoding: gzip" in request.lower() and b'"text":"' in request.replace(b" ", b"")
    finally:
        fast_paths.activate()
