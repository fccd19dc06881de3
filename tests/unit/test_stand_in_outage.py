"""The stand-in's outages (fail_for): what a bot sees while Telegram is down, on the stand-in's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError, TelegramServerError

from bot.app import create_bot
from bot.config import Settings
from stand_in import TelegramStandIn

USER = 1001


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def tg() -> AsyncIterator[TelegramStandIn]:
    server = TelegramStandIn()
    await server.start()
    server.add_user(USER)
    yield server
    await server.stop()


@pytest.fixture
async def bot(tg: TelegramStandIn) -> AsyncIterator[Bot]:
    # The bot's own session (bot/session.py), as the broadcaster uses it.
    settings = Settings(_env_file=None, bot_token=tg.token, admin_chat_id=-100, telegram_api_url=tg.url)  # type: ignore[call-arg]
    bot = create_bot(settings)
    yield bot
    await bot.session.close()


async def test_an_outage_answers_an_html_502_page_until_its_time_is_up(tg: TelegramStandIn, bot: Bot) -> None:
    clock = Seconds()
    tg.clock = clock
    tg.fail_for(12, methods=["sendMessage"])
    with pytest.raises(ClientDecodeError) as caught:  # not the Bot API's JSON: an nginx page
        await bot.send_message(USER, "during")
    assert "<title>502 Bad Gateway</title>" in caught.value.data
    await bot.get_me()  # other methods are not affected
    assert tg.messages(USER) == []  # nothing was carried out
    clock.now += 11.9
    with pytest.raises(ClientDecodeError):
        await bot.send_message(USER, "still")
    clock.now += 0.2
    await bot.send_message(USER, "after")
    assert [m.text for m in tg.messages(USER)] == ["after"]
    assert [c.error_code for c in tg.calls_to("sendMessage")] == [502, 502, None]
    assert [c.at for c in tg.calls_to("sendMessage")] == [1000.0, 1011.9, pytest.approx(1012.1)]


async def test_an_outage_as_json_errors_and_as_closed_connections(tg: TelegramStandIn, bot: Bot) -> None:
    clock = Seconds()
    tg.clock = clock
    tg.fail_for(5, error_code=500, html=False)
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(USER, "x")
    clock.now += 5
    tg.fail_for(5, error_code=0)
    with pytest.raises(TelegramNetworkError):  # no answer at all
        await bot.send_message(USER, "y")
    clock.now += 5
    await bot.send_message(USER, "z")
    assert [m.text for m in tg.messages(USER)] == ["z"]
    with pytest.raises(ValueError, match="does not implement"):
        tg.fail_for(1, methods=["sendMesage"])
