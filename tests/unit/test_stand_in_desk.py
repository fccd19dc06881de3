"""The stand-in's parts the operators' desk relies on: administrators, other media, topics, anonymity."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest

from bot.config import Settings
from stand_in import TelegramStandIn

GROUP = -100777


async def test_administrators_media_topics_and_anonymous_admins() -> None:
    tg = TelegramStandIn()
    await tg.start()
    bot = tg.create_bot()
    try:
        tg.add_user(11)
        tg.add_group(GROUP, title="Ops", is_forum=True, admins=[11, 12], members=[13])
        admins = await bot.get_chat_administrators(GROUP)
        assert [(m.status, m.user.id) for m in admins] == [("administrator", tg.bot_user["id"]), ("creator", 11), ("administrator", 12)]
        tg.add_group(GROUP, title="Ops", is_forum=True, members=[14])  # admins kept when not given
        assert len(await bot.get_chat_administrators(GROUP)) == 3

        update = tg.user_message(11, chat_id=GROUP, media="voice", media_group_id="g1")
        assert update["message"]["voice"]["duration"] and update["message"]["media_group_id"] == "g1"
        copied = await bot.copy_message(11, GROUP, update["message"]["message_id"])
        assert next(m for m in tg.messages(11) if m.message_id == copied.message_id).media == "voice"
        with pytest.raises(ValueError):
            tg.user_message(11, chat_id=GROUP, media="hologram")

        anonymous = tg.user_message(12, "hi", chat_id=GROUP, anonymous=True)["message"]
        assert anonymous["sender_chat"]["id"] == GROUP and anonymous["from"]["is_bot"]

        topic = await bot.create_forum_topic(GROUP, "№ 1")
        await bot.close_forum_topic(GROUP, topic.message_thread_id)
        assert tg.topics(GROUP)[topic.message_thread_id]["is_closed"]
        with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
            await bot.close_forum_topic(GROUP, topic.message_thread_id)
        await bot.reopen_forum_topic(GROUP, topic.message_thread_id)
        with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
            await bot.edit_forum_topic(GROUP, topic.message_thread_id, name="№ 1")
    finally:
        await bot.session.close()
        await tg.stop()


def test_operator_ids_setting() -> None:
    base = {"_env_file": None, "bot_token": "1:abcdefghij", "admin_chat_id": -1}
    assert Settings(**base, operator_ids=" 5, 7 ").operator_ids_list == [5, 7]  # type: ignore[arg-type]
    assert Settings(**base).operator_ids_list == []  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="OPERATOR_IDS"):
        Settings(**base, operator_ids="@boss")  # type: ignore[arg-type]
