"""Webhook mode end to end: the bot's own server on 127.0.0.1, the stand-in posting as Telegram does."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram.exceptions import TelegramConflictError

from bot.app import App, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.web import HttpServer
from stand_in import TelegramStandIn
from storage import users
from tests.e2e.conftest import START

SECRET = "Xk2_vQ9-Lm4pR7tZ1wY8bN3cH6jD0fG5sA"  # 34 characters
PUBLIC_URL = "https://bot.example.kz/telegram/updates"


@pytest.fixture
async def webhook_app(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[tuple[App, HttpServer]]:
    settings = make_settings(webhook_url=PUBLIC_URL, webhook_secret=SECRET, http_listen="127.0.0.1:0")
    app = await create_app(settings, clock=ManualClock(START))
    server = HttpServer(app, webhook=True)
    await server.start()
    yield app, server
    await server.stop()
    await app.bot.session.close()
    await app.db.close()


async def test_updates_with_the_secret_are_served_others_refused(
    webhook_app: tuple[App, HttpServer], stand_in: TelegramStandIn
) -> None:
    app, server = webhook_app
    # setWebhook: the public URL, the secret and exactly the update types the bot handles.
    [call] = stand_in.calls_to("setWebhook")
    assert call.params["url"] == PUBLIC_URL
    assert call.params["secret_token"] == SECRET
    assert sorted(call.params["allowed_updates"]) == sorted(app.dispatcher.resolve_used_update_types())
    assert {"message", "callback_query"} <= set(call.params["allowed_updates"])
    # As on Telegram, polling is refused while the webhook is set.
    with pytest.raises(TelegramConflictError):
        await app.bot.get_updates()

    hook = server.url + "/telegram/updates"  # where the proxy in front would pass the public URL to
    stand_in.add_user(1001, first_name="Айгерим", language_code="ru")
    update = stand_in.user_message(1001, "/start")
    sends_before = len(stand_in.calls_to("sendMessage"))

    # Someone who is not Telegram: no secret, or a wrong one. Refused, and nothing happens.
    for secret in (None, "wrong-" + SECRET[6:], SECRET[:-1]):
        status, _ = await stand_in.post_update(update, secret_token=secret, url=hook)
        assert status in (401, 403)
    assert len(stand_in.calls_to("sendMessage")) == sends_before
    assert stand_in.bot_messages(1001) == []
    assert await users.get_user(app.db, 1001) is None

    # Telegram itself: the stand-in posts the pending update with the secret from setWebhook.
    stand_in.webhook_target = hook
    reply = await stand_in.wait_bot_message(1001)
    assert "Русский" in str(reply.buttons()) or reply.text  # the language choice of /start
    assert await users.get_user(app.db, 1001) is not None
    await stand_in.wait_until(lambda: stand_in.pending_update_count == 0, what="the update acknowledged")
    info = await app.bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.last_error_message is None  # answered 200: delivered

    # The conversation goes on through the webhook: a button press is served too.
    before = {m.message_id for m in stand_in.bot_messages(1001)}
    stand_in.press(1001, "Русский")
    await stand_in.wait_until(
        lambda: any(m.message_id not in before or m.edited for m in stand_in.bot_messages(1001)), what="an answer to the press"
    )
    assert stand_in.answered_callbacks


async def test_the_webhook_answers_only_at_its_path(webhook_app: tuple[App, HttpServer], stand_in: TelegramStandIn) -> None:
    _, server = webhook_app
    stand_in.add_user(1002, language_code="kk")
    update: dict[str, Any] = stand_in.user_message(1002, "/start")
    status, _ = await stand_in.post_update(update, url=server.url + "/somewhere/else")
    assert status == 404
    assert stand_in.bot_messages(1002) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_python_m_bot_in_webhook_mode_serves_and_stops_gracefully(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    """The real entry point in its own process: start-up check, setWebhook, an update, SIGTERM."""
    settings = make_settings()
    port = free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": stand_in.token, "ADMIN_CHAT_ID": str(settings.admin_chat_id),
        "DATABASE_URL": settings.database_url, "TELEGRAM_API_URL": stand_in.url,
        "WEBHOOK_URL": PUBLIC_URL, "WEBHOOK_SECRET": SECRET, "HTTP_LISTEN": f"127.0.0.1:{port}",
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await stand_in.wait_for_call("setWebhook", timeout=60)
        stand_in.add_user(1003, first_name="Айгерим", language_code="ru")
        stand_in.webhook_target = f"http://127.0.0.1:{port}/telegram/updates"
        stand_in.user_message(1003, "/start")
        await stand_in.wait_bot_message(1003, timeout=30)
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as answer:
            assert answer.status == 200, await answer.text()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    assert any("webhook set" in entry["message"] for entry in lines)
    assert not any("Айгерим" in json.dumps(entry, ensure_ascii=False) for entry in lines)
    assert stand_in.webhook is not None  # left set: Telegram keeps updates while the bot is down


async def test_stand_in_refuses_webhooks_telegram_refuses(stand_in: TelegramStandIn) -> None:
    from aiogram.exceptions import TelegramBadRequest

    bot = stand_in.create_bot()
    try:
        for url, secret, reason in (
            ("http://bot.example.kz/hook", SECRET, "An HTTPS URL must be provided"),
            ("https://bot.example.kz:8080/hook", SECRET, "ports 80, 88, 443 or 8443"),
            ("https://bot.example.kz/hook", "with spaces", "secret token contains unallowed characters"),
        ):
            with pytest.raises(TelegramBadRequest, match=reason):
                await bot.set_webhook(url, secret_token=secret)
        assert stand_in.webhook is None
        await bot.set_webhook("https://bot.example.kz/hook", secret_token=SECRET, allowed_updates=["message"])
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.kz/hook" and info.allowed_updates == ["message"]
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == "" and await bot.get_updates(timeout=0) == []
    finally:
        await bot.session.close()


async def test_switching_back_to_polling_deletes_the_webhook_and_keeps_pending_updates(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    """Without WEBHOOK_URL `python -m bot` deletes a webhook left over and polls what Telegram held."""
    settings = make_settings()
    bot = stand_in.create_bot()
    try:
        await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)  # left over from webhook mode
    finally:
        await bot.session.close()
    stand_in.add_user(1004, first_name="Айгерим", language_code="ru")
    stand_in.user_message(1004, "/start")  # arrived while the bot was down: Telegram holds it
    env = {
        **os.environ,
        "BOT_TOKEN": stand_in.token, "ADMIN_CHAT_ID": str(settings.admin_chat_id),
        "DATABASE_URL": settings.database_url, "TELEGRAM_API_URL": stand_in.url,
    }
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "HTTP_LISTEN"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await stand_in.wait_bot_message(1004, timeout=60)  # the held update, answered
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert stand_in.webhook is None
    [delete] = stand_in.calls_to("deleteWebhook")
    assert not delete.params.get("drop_pending_updates")
    polls = stand_in.calls_to("getUpdates")
    assert polls and all(call.ok for call in polls) and polls[0].at > delete.at  # never a 409
