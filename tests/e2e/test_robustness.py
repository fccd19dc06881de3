"""Bad input, blocked users, Telegram errors and concurrency: polite answers, no lost data."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import TelegramForbiddenError

from storage import users
from tests.e2e.conftest import ADMIN_CHAT_ID, Harness


async def test_stickers_photos_unknown_commands_get_a_helpful_answer(harness: Harness) -> None:
    user = harness.user(401, language_code="kk")
    await harness.onboard(user, language="kk")
    for kwargs in ({"sticker": True}, {"photo": True}, {"text": "/nonsense"}, {"text": "сәлем"}):
        text = kwargs.pop("text", None)
        [answer] = await harness.send(user, text, **kwargs)
        assert answer.text == "Бұл хабарламаны түсінбедім. Төмендегі мәзірден әрекетті таңдаңыз немесе /help жіберіңіз."
        assert answer.reply_keyboard()  # the menu comes back with it


async def test_edited_messages_are_not_processed_twice(harness: Harness) -> None:
    user = harness.user(402)
    await harness.onboard(user)
    [sent] = [m for m in harness.server.messages(user) if not m.from_bot][-1:]
    before = await harness.app.db.fetch_value("SELECT count(*) FROM consent_records")
    update = harness.server.edited_message(user, sent.message_id, "/start")
    await harness.feed(update)
    assert harness.last_text(user) == "Бот не обрабатывает изменённые сообщения. Пожалуйста, отправьте новое сообщение."
    assert await harness.app.db.fetch_value("SELECT count(*) FROM consent_records") == before


async def test_other_groups_are_ignored_and_strangers_see_nothing(harness: Harness) -> None:
    user = harness.user(403)
    harness.server.add_group(-100555, title="Random group", members=[user])
    replies = await harness.send(user, "/mydata", chat_id=-100555)
    assert replies == []
    # Operators are not registered as customers by talking in the admin chat.
    harness.server.add_group(ADMIN_CHAT_ID, members=[user])
    await harness.send(user, "/start", chat_id=ADMIN_CHAT_ID)
    assert await users.get_user(harness.app.db, user) is None


async def test_a_user_who_blocked_the_bot_is_recorded_not_crashed(harness: Harness) -> None:
    user = harness.user(404)
    await harness.onboard(user)
    harness.server.block(user)
    with pytest.raises(TelegramForbiddenError):  # any later message to them, e.g. a notification
        await harness.app.bot.send_message(user, "Уведомление")
    stored = await users.get_user(harness.app.db, user)
    assert stored is not None and stored.reachable is False and stored.unreachable_reason == "blocked"
    # Writing again means the chat works again.
    harness.server.unblock(user)
    [answer] = await harness.send(user, "/help")
    assert "Что умеет этот бот" in (answer.text or "")
    assert (await users.get_user(harness.app.db, user)).reachable is True  # type: ignore[union-attr]


async def test_blocking_via_my_chat_member_marks_unreachable(harness: Harness) -> None:
    user = harness.user(405)
    await harness.onboard(user)
    await harness.feed(harness.server.my_chat_member(user, "kicked"))
    assert (await users.get_user(harness.app.db, user)).reachable is False  # type: ignore[union-attr]


async def test_429_and_5xx_are_retried_and_the_answer_arrives(harness: Harness) -> None:
    user = harness.user(406)
    await harness.onboard(user)
    harness.server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=user)
    harness.server.fail_next("sendMessage", error_code=502, chat_id=user)
    [answer] = await harness.send(user, "/help")
    assert "Что умеет этот бот" in (answer.text or "")
    failures = [c for c in harness.server.calls if c.method == "sendMessage" and not c.ok]
    assert [c.error_code for c in failures[-2:]] == [429, 502]


async def test_an_error_inside_a_handler_apologizes_without_logging_personal_data(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user(407, language_code="kk")
    await harness.onboard(user, language="kk")
    await harness.app.db.execute("DROP TABLE ads_choices")  # the database breaks under the bot
    caplog.set_level(logging.INFO)
    await harness.send(user, "/ads")
    await harness.press(user, "Жарнама алу")
    assert harness.last_text(user) == "Кешіріңіз, бірдеңе дұрыс болмады. Деректеріңіз сақтаулы; сәл кейінірек қайталап көріңізші."
    errors = [r for r in caplog.records if r.name == "bot.errors"]
    assert errors and "OperationalError" in errors[-1].getMessage()
    assert "ads_choices" not in errors[-1].getMessage()  # exception text could quote data: not logged


async def test_four_thousand_character_message_is_handled(harness: Harness) -> None:
    user = harness.user(408)
    await harness.onboard(user)
    [answer] = await harness.send(user, "я" * 4096)
    assert "не понял" in (answer.text or "")


async def test_polling_serves_users_concurrently_and_each_in_order(harness: Harness) -> None:
    """Real long polling: five users each send three commands at once; every user's answers
    come back in the order they were sent."""
    user_ids = [harness.user(500 + i) for i in range(5)]
    for user in user_ids:
        await harness.onboard(user)
    sequence = ["/help", "/ads", "/consent"]
    expected_start = ["Что умеет этот бот", "Реклама:", "Согласие:"]
    marks = {user: len(harness.server.bot_messages(user)) for user in user_ids}
    # All fifteen are queued before the bot fetches any, so one getUpdates answer carries them
    # and the dispatcher handles them as concurrent tasks.
    queued = [harness.server.user_message(user, command) for command in sequence for user in user_ids]
    for update in queued:
        await harness.feed(update)
    for user in user_ids:
        new = harness.server.bot_messages(user)[marks[user]:]
        starts = [next(e for e in expected_start if e in (m.text or "")) for m in new]
        assert starts == expected_start


async def test_a_button_pressed_by_someone_else_is_refused(harness: Harness) -> None:
    owner, other = harness.user(409), harness.user(410)
    await harness.onboard(owner, accept=None)  # the notice with its Accept button is waiting
    message, data = harness.find_button(owner, "Принимаю")
    await harness.feed(harness.server.callback(other, message.message_id, data, chat_id=owner))
    assert harness.server.answered_callbacks[-1]["text"] == "Эта кнопка предназначена другому пользователю."
    assert await harness.app.db.fetch_value("SELECT count(*) FROM consent_records") == 0
