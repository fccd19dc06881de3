"""Webhook mode end to end: the bot's own server on 127.0.0.1, the stand-in posting as Telegram does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram.exceptions import TelegramConflictError

from bot.app import App, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.stand_in import TelegramStandIn
from bot.web import HttpServer
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
