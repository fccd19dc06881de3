"""The customer's side at any size: /myclaims in pages within Telegram's limits, every answer in
full, and polite caps against flooding (open claims, claims per day, attachments, follow-ups)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import TelegramStandIn, utf16_len
from storage import claims as store
from tests.e2e.conftest import START, Harness

WORD = re.compile(r"а\d+б\d+")


@contextlib.asynccontextmanager
async def running(make_settings: Callable[..., Settings], stand_in: TelegramStandIn, **overrides: Any) -> AsyncIterator[Harness]:
    app = await create_app(make_settings(scheduler_autostart=False, **overrides), clock=ManualClock(START))
    h = Harness(app, stand_in)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def customer(h: Harness, user_id: int, language: str = "ru") -> int:
    h.user(user_id, language_code=language)
    await h.onboard(user_id, language=language)
    return user_id


async def file_claim(h: Harness, user_id: int, text: str, *, photos: int = 0) -> list[Any]:
    await h.send(user_id, "/claim")
    await h.press(user_id, "Письменная претензия")
    await h.send(user_id, text)
    for _ in range(photos):
        await h.send(user_id, photo=True)
    await h.press(user_id, "Продолжить")
    return await h.press(user_id, "Подтвердить")


def long_answer(index: int, length: int = 3000, emoji: bool = False) -> str:
    """Numbered words (checked one by one on the pages), with characters HTML must escape."""
    lead = f"Ответ <№{index}> & итог:\n"
    words = []
    size = len(lead)
    j = 0
    while True:
        word = f"{'😀' if emoji else ''}а{index}б{j:04d}"
        if size + len(word) + 1 > length:
            break
        words.append(word)
        size += len(word) + 1
        j += 1
    text = lead + " ".join(words)
    return text + "." * (length - len(text))


async def read_all_pages(h: Harness, user_id: int, first: Any) -> list[str]:
    """The pages of the message `first`, stepping with "Далее" until there is none."""
    texts = [first.text or ""]
    for _ in range(50):
        current = next(m for m in h.server.bot_messages(user_id) if m.message_id == first.message_id)
        if not any("Далее" in label for row in current.buttons() for label, _ in row):
            return texts
        await h.press_data(user_id, current.message_id, current.button("Далее ▶️"))
        texts.append(next(m for m in h.server.bot_messages(user_id) if m.message_id == first.message_id).text or "")
    raise AssertionError("more than 50 pages")


async def test_myclaims_after_eight_3000_character_answers_shows_everything_within_limits(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn,
) -> None:
    async with running(make_settings, stand_in) as h:
        user = await customer(h, 4001)
        await file_claim(h, user, "Претензия")
        claim = await store.get_by_number(h.app.db, "2026-0001")
        assert claim is not None
        answers = [long_answer(i, emoji=(i == 8)) for i in range(1, 9)]
        for i, text in enumerate(answers):
            h.clock.advance(timedelta(minutes=1))
            current = await store.get(h.app.db, claim.id)
            assert current is not None
            await store.record_reply(h.app.db, current, operator_id=777, kind="text", text=text, admin_message_id=None,
                                     user_message_id=None, now=h.clock.now())
        shown = await h.send(user, "/myclaims")
        assert len(shown) == 1 and "Извините" not in (shown[0].text or "")
        pages = await read_all_pages(h, user, shown[0])
        assert len(pages) >= 6  # 24,000 characters do not fit in fewer
        assert all(utf16_len(page) <= 4096 for page in pages)
        seen = [word for page in pages for word in WORD.findall(page)]
        assert seen == [word for text in answers for word in WORD.findall(text)]  # every word, in order
        joined = "\n".join(pages)
        assert all(f"Ответ <№{i}> & итог:" in joined for i in range(1, 9))  # escaped, shown as written
        assert "№ 2026-0001" in pages[0] and "дан ответ" in pages[0]
        # Back to the first page, and the follow-up button is on every page of an open claim.
        message = next(m for m in h.server.bot_messages(user) if m.message_id == shown[0].message_id)
        assert any("Дополнить" in label for row in message.buttons() for label, _ in row)
        await h.press_data(user, message.message_id, message.button("◀️ Назад"))
        assert (next(m for m in h.server.bot_messages(user) if m.message_id == message.message_id).text or "") == pages[-2]


async def test_a_long_list_of_claims_is_paged_and_each_claim_opens(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn,
) -> None:
    async with running(make_settings, stand_in, claim_open_limit=20, claim_daily_limit=20) as h:
        user = await customer(h, 4002)
        for n in range(7):
            await file_claim(h, user, f"Претензия {n}")
        shown = await h.send(user, "/myclaims")
        pages = await read_all_pages(h, user, shown[0])
        assert len(pages) == 2
        numbers = re.findall(r"№ (2026-\d{4})", "\n".join(pages))
        assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, 8)]
        await h.press(user, "№ 2026-0002")  # on the second page, the oldest claims
        message = next(m for m in h.server.bot_messages(user) if m.message_id == shown[0].message_id)
        assert "№ 2026-0002" in (message.text or "") and "Ответов по этому обращению пока нет" in (message.text or "")
        await h.press(user, "Все обращения")
        message = next(m for m in h.server.bot_messages(user) if m.message_id == shown[0].message_id)
        assert "№ 2026-0007" not in (message.text or "") and "№ 2026-0001" in (message.text or "")  # back on that page


async def test_open_claims_cap_refuses_politely(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    async with running(make_settings, stand_in, claim_open_limit=2) as h:
        user = await customer(h, 4003)
        await file_claim(h, user, "Первая")
        await file_claim(h, user, "Вторая")
        refused = await h.send(user, "/claim")
        assert "Открытых обращений у вас сейчас: 2" in (refused[-1].text or "")
        await h.send(user, "/mydata")  # the requests in /mydata's menu are refused the same way
        await h.press(user, "Уничтожить")
        assert "Открытых обращений у вас сейчас: 2" in h.last_text(user)
        assert await h.app.db.fetch_value("SELECT COUNT(*) FROM claims") == 2


async def test_claims_per_day_cap_refuses_in_kazakh_until_the_day_has_passed(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn,
) -> None:
    async with running(make_settings, stand_in, claim_daily_limit=2) as h:
        user = await customer(h, 4004, "kk")
        for text in ("Бірінші", "Екінші"):
            await h.send(user, "/claim")
            await h.press(user, "Жазбаша шағым")
            await h.send(user, text)
            await h.press(user, "Жалғастыру")
            await h.press(user, "Растау")
        refused = (await h.send(user, "/claim"))[-1].text or ""
        assert "шектеулі: 2" in refused and "беруге болатын уақыт: 03.03.2026 09:00:00 (UTC+05:00)" in refused
        h.clock.advance(timedelta(hours=24))
        assert "шектеулі" not in ((await h.send(user, "/claim"))[-1].text or "")


async def test_attachments_per_claim_cap_refuses_politely(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    async with running(make_settings, stand_in, claim_attachments_limit=2) as h:
        user = await customer(h, 4005)
        await h.send(user, "/claim")
        await h.press(user, "Письменная претензия")
        await h.send(user, "С фото")
        await h.send(user, photo=True)
        await h.send(user, photo=True)
        third = await h.send(user, photo=True)
        assert "ограниченное число файлов и фото: 2" in (third[-1].text or "")
        await h.press(user, "Продолжить")
        await h.press(user, "Подтвердить")
        assert await h.app.db.fetch_value("SELECT COUNT(*) FROM claim_attachments") == 2
        await h.send(user, "/myclaims")
        await h.press(user, "Дополнить")
        refused = await h.send(user, photo=True)
        assert "ограниченное число файлов и фото: 2" in (refused[-1].text or "")
        saved = await h.send(user, "Тогда текстом: чек № 15")  # the follow-up itself is still welcome
        assert "принято" in (saved[-1].text or "")
        assert await h.app.db.fetch_value("SELECT COUNT(*) FROM claim_attachments") == 2


async def test_followups_per_hour_cap_refuses_politely(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    async with running(make_settings, stand_in, claim_followups_per_hour=2) as h:
        user = await customer(h, 4006)
        await file_claim(h, user, "Претензия")
        for text in ("Дополнение 1", "Дополнение 2"):
            await h.send(user, "/myclaims")
            await h.press(user, "Дополнить")
            assert "принято" in ((await h.send(user, text))[-1].text or "")
        await h.send(user, "/myclaims")
        refused = await h.press(user, "Дополнить")
        assert "ограниченное число дополнений: 2" in (refused[-1].text or "")
        assert "02.03.2026 10:00:00 (UTC+05:00)" in (refused[-1].text or "")
        h.clock.advance(timedelta(hours=1))
        await h.send(user, "/myclaims")
        await h.press(user, "Дополнить")
        assert "принято" in ((await h.send(user, "Дополнение 3"))[-1].text or "")
