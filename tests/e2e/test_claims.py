"""Claims end to end: the customer files, the operators see the card and answer, deadlines remind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import TelegramStandIn
from storage import audit
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

TEXT = 'Верните деньги за заказ <№15> & "доставку" > 3 дней'


@pytest.fixture
async def h(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    """The loop is off: tests run the scheduler themselves, deterministically."""
    app = await create_app(make_settings(scheduler_autostart=False), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    yield harness
    await harness.stop()


async def run_once(h: Harness) -> int:
    return await h.app.dispatcher["scheduler"].run_once()


def topics_now(h: Harness) -> dict[int, dict[str, object]]:
    return h.server.topics(ADMIN_CHAT_ID)


def admin_texts(h: Harness) -> list[str]:
    return [m.text or m.caption or "" for m in h.server.bot_messages(ADMIN_CHAT_ID)]


def card(h: Harness, number: str = "2026-0001"):  # type: ignore[no-untyped-def]
    """The claim's card (its header message) in the operators' chat."""
    return next(m for m in h.server.bot_messages(ADMIN_CHAT_ID) if f"№ {number} —" in (m.text or "") and "Заявитель:" in (m.text or ""))


async def answer(h: Harness, text: str | None = None, *, choice: str = "окончательный", operator: int = 777,
                 reply_to: int | None = None, **kwargs: object) -> str:
    """An operator replies to the card (or `reply_to`) and chooses how to send it: the preview's
    text after the choice."""
    target = reply_to if reply_to is not None else card(h).message_id
    [preview] = await h.send(operator, text, chat_id=ADMIN_CHAT_ID, reply_to_message_id=target, **kwargs)
    assert preview.button(choice)
    await h._new_after(ADMIN_CHAT_ID, h.server.callback(operator, preview.message_id, preview.button(choice), chat_id=ADMIN_CHAT_ID))
    return next(m for m in h.server.bot_messages(ADMIN_CHAT_ID) if m.message_id == preview.message_id).text or ""


async def file_claim(h: Harness, user_id: int, text: str = TEXT, *, kind: str = "Письменная претензия", photo: bool = False) -> str:
    await h.send(user_id, "/claim")
    await h.press(user_id, kind)
    await h.send(user_id, text)
    if photo:
        await h.send(user_id, photo=True)
    await h.press(user_id, "Продолжить")
    replies = await h.press(user_id, "Подтвердить")
    return replies[-1].text or ""


async def test_file_claim_card_reply_myclaims_stats(h: Harness) -> None:
    user = h.user(1001, username="aigerim")
    await h.onboard(user)
    receipt = await file_claim(h, user, photo=True)
    assert "№ 2026-0001" in receipt
    assert "02.03.2026 09:00:00" in receipt  # registration to the second, Almaty time
    assert "01.04.2026" in receipt  # 30 calendar days

    texts = admin_texts(h)
    header_text = next(t for t in texts if "№ 2026-0001" in t)
    assert "Айгерим" in header_text and "@aigerim" in header_text and "1001" in header_text and "01.04.2026" in header_text
    assert TEXT in texts  # the full text, escaped so Telegram shows it as written
    assert any(m.photo and m.copied_from for m in h.server.bot_messages(ADMIN_CHAT_ID))

    # An operator answers by replying to the card: nothing goes out before the choice; a photo
    # goes as an interim message, the text as the final answer.
    header = card(h)
    before = len(h.server.bot_messages(user))
    [preview] = await h.send(777, "Деньги вернём до пятницы", chat_id=ADMIN_CHAT_ID, reply_to_message_id=header.message_id)
    assert "не отправлен" in (preview.text or "") and len(h.server.bot_messages(user)) == before
    await h.press(777, "Промежуточное", chat_id=ADMIN_CHAT_ID)
    user_msgs = h.server.bot_messages(user)
    assert "Промежуточное сообщение по обращению № 2026-0001" in (user_msgs[-2].text or "")
    assert user_msgs[-1].text == "Деньги вернём до пятницы"
    said = next(m for m in h.server.bot_messages(ADMIN_CHAT_ID) if m.message_id == preview.message_id)
    assert "Отправлено заявителю как промежуточное" in (said.text or "") and not said.reply_markup  # the preview says what was done
    done = await answer(h, photo=True, caption="чек")
    assert "окончательный ответ" in done and h.server.bot_messages(user)[-1].photo

    mine = await h.send(user, "/myclaims")
    body = "\n".join(m.text or "" for m in mine)
    assert "№ 2026-0001" in body and "дан ответ" in body and "Деньги вернём до пятницы" in body

    stats = (await h.send(777, "/stats", chat_id=ADMIN_CHAT_ID))[-1].text or ""
    assert "всего 1" in stats and "Дан ответ: 1" in stats and "100 %" in stats

    events = [e.event for e in await audit.entries_for_user(h.app.db, user)]
    assert "claim_registered" in events and "claim_replied" in events
    assert all(TEXT not in str(e.details) for e in await audit.entries_for_user(h.app.db, user))


async def test_kazakh_claim_and_take_close_reopen_refuse(h: Harness) -> None:
    user = h.user(1002, language_code="kk")
    await h.onboard(user, language="kk")
    await h.send(user, "/claim")
    await h.press(user, "Жазбаша шағым")
    await h.send(user, "Тапсырыс <жеткізілмеді> & ақша қайтарылмады")
    await h.press(user, "Жалғастыру")
    receipt = (await h.press(user, "Растау"))[-1].text or ""
    assert "Өтініш тіркелді" in receipt and "№ 2026-0001" in receipt

    await h.press(777, "Взять", chat_id=ADMIN_CHAT_ID)
    assert "взято в работу" in h.last_text(ADMIN_CHAT_ID)
    # Without a final answer a claim is closed only with a stated reason, which the user receives.
    await h.press(777, "Закрыть", chat_id=ADMIN_CHAT_ID)
    assert "нет окончательного ответа" in h.last_text(ADMIN_CHAT_ID) and "жабылды" not in h.last_text(user)
    await h.press(777, "Повторное обращение", chat_id=ADMIN_CHAT_ID)
    assert "закрыто" in h.last_text(ADMIN_CHAT_ID)
    assert "жабылды" in h.last_text(user) and "қайталайды" in h.last_text(user)
    await h.send(777, "/reopen 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert "снова открыто" in h.last_text(ADMIN_CHAT_ID)
    usage = await h.send(777, "/refuse 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert "мотивирован" in (usage[-1].text or "")
    await h.send(777, "/refuse 2026-0001 Заказ <доставлен> 01.03", chat_id=ADMIN_CHAT_ID)
    refusal = h.last_text(user)
    assert "бас тарту" in refusal and "Заказ <доставлен> 01.03" in refusal
    mine = "\n".join(m.text or "" for m in await h.send(user, "/myclaims"))
    assert "жабылды" in mine and "Заказ <доставлен> 01.03" in mine


async def test_strangers_see_nothing(h: Harness) -> None:
    user = h.user(1003)
    await h.onboard(user)
    await file_claim(h, user)
    stranger = h.user(2001)
    await h.onboard(stranger)
    answer = await h.send(stranger, "/claims")
    assert all("2026-0001" not in (m.text or "") for m in answer)
    h.server.add_group(-1009, title="Other group")
    for command in ("/claims", "/claim 2026-0001", "/stats", "/overdue"):
        assert await h.send(stranger, command, chat_id=-1009) == []
    assert "2026-0001" in ((await h.send(777, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")


async def test_input_checks_and_cancel(h: Harness) -> None:
    user = h.user(1004)
    await h.onboard(user)
    await h.send(user, "/claim")
    await h.press(user, "Письменная претензия")
    assert "Сначала напишите текст" in ((await h.send(user, photo=True))[-1].text or "")
    assert "пустой" in ((await h.send(user, "   "))[-1].text or "")
    assert "слишком длинный" in ((await h.send(user, "а" * 4097))[-1].text or "")
    assert "отменено" in ((await h.send(user, "/cancel"))[-1].text or "")
    assert await h.app.db.fetch_value("SELECT COUNT(*) FROM claims") == 0
    assert "нет обращений" in ((await h.send(user, "/myclaims"))[-1].text or "")
    # A text of 4096 characters is accepted and reaches the operators whole.
    long_text = "<&>" + "я" * 4093
    await file_claim(h, user, long_text)
    assert long_text in admin_texts(h)


async def test_reminders_and_overdue_alerts_once_across_restart(h: Harness) -> None:
    user = h.user(1005)
    await h.onboard(user)
    await file_claim(h, user)  # due 01.04.2026
    base = len(admin_texts(h))
    h.clock.advance(timedelta(days=22))  # 24.03: 8 days left
    await run_once(h)
    assert len(admin_texts(h)) == base
    h.clock.advance(timedelta(days=1))  # 25.03: 7 days left
    await run_once(h)
    await run_once(h)
    assert sum("⏰" in t for t in admin_texts(h)) == 1
    await h.restart()
    await run_once(h)
    assert sum("⏰" in t for t in admin_texts(h)) == 1
    h.clock.advance(timedelta(days=4))  # 29.03: 3 days left
    await run_once(h)
    h.clock.advance(timedelta(days=2))  # 31.03: 1 day left
    await run_once(h)
    reminders = [t for t in admin_texts(h) if "⏰" in t]
    assert len(reminders) == 3 and "остался 1 день" in reminders[-1]
    h.clock.advance(timedelta(days=1))  # 01.04: due today, no alert
    await run_once(h)
    assert not any("просрочено" in t for t in admin_texts(h))
    h.clock.advance(timedelta(days=1))  # 02.04: overdue
    await run_once(h)
    await h.restart()
    await run_once(h)
    assert sum("просрочено" in t for t in admin_texts(h)) == 1
    h.clock.advance(timedelta(days=1))
    await run_once(h)
    assert sum("просрочено" in t for t in admin_texts(h)) == 2
    overdue = (await h.send(777, "/overdue", chat_id=ADMIN_CHAT_ID))[-1].text or ""
    assert "2026-0001" in overdue
    # Days past the due date are said in words, never as a negative number of days left.
    assert "просрочено на 2 дня" in [t for t in admin_texts(h) if "просрочено" in t][-1]
    assert "срок истёк 2 дня назад" in overdue and "-2" not in overdue.replace("2026-0001", "")
    # Once answered (a final answer), the alerts stop.
    await answer(h, "Ответ")
    h.clock.advance(timedelta(days=1))
    await run_once(h)
    assert sum("просрочено" in t for t in admin_texts(h)) == 2
    stats = (await h.send(777, "/stats", chat_id=ADMIN_CHAT_ID))[-1].text or ""
    assert "0 % (0 из 1)" in stats


async def test_outbox_retries_after_429_and_after_restart(h: Harness) -> None:
    user = h.user(1006)
    await h.onboard(user)
    h.server.fail_next("sendMessage", error_code=429, retry_after=30, chat_id=ADMIN_CHAT_ID)
    receipt = await file_claim(h, user)
    assert "№ 2026-0001" in receipt  # registered and told, although the operators' chat refused
    assert not any("2026-0001" in t for t in admin_texts(h))
    await run_once(h)  # retry_after not yet over
    assert not any("2026-0001" in t for t in admin_texts(h))
    h.clock.advance(timedelta(seconds=31))
    await run_once(h)
    assert any("№ 2026-0001" in t for t in admin_texts(h)) and TEXT in admin_texts(h)

    # The stand-in fails (5xx) while a second claim is filed; the bot restarts; the card arrives.
    h.server.fail_next("sendMessage", error_code=500, times=3, chat_id=ADMIN_CHAT_ID)
    await file_claim(h, user, "Вторая претензия")
    assert not any("2026-0002" in t for t in admin_texts(h))
    await h.restart()
    for _ in range(4):
        h.clock.advance(timedelta(minutes=10))
        await run_once(h)
    texts = admin_texts(h)
    assert sum("№ 2026-0002" in t for t in texts) == 1 and texts.count("Вторая претензия") == 1


async def test_forum_topics(h: Harness) -> None:
    h.server.add_group(ADMIN_CHAT_ID, title="Operators", is_forum=True)
    await h.restart()
    user = h.user(1007)
    await h.onboard(user)
    await file_claim(h, user)
    topics = h.server.topics(ADMIN_CHAT_ID)
    assert len(topics) == 1
    thread = next(iter(topics))
    card = [m for m in h.server.bot_messages(ADMIN_CHAT_ID) if m.message_thread_id == thread]
    assert any("№ 2026-0001" in (m.text or "") for m in card)
    # Writing in the claim's topic drafts an answer to the user; the choice sends it.
    [preview] = await h.send(777, "Ответ в теме", chat_id=ADMIN_CHAT_ID, message_thread_id=thread)
    assert preview.message_thread_id == thread and h.last_text(user) != "Ответ в теме"
    await h.press(777, "окончательный", chat_id=ADMIN_CHAT_ID)
    assert h.last_text(user) == "Ответ в теме"
    # The topic follows the claim: renamed when answered, closed with it, reopened with it.
    assert topics_now(h)[thread]["name"].startswith("✅")
    await h.send(777, "/close 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert topics_now(h)[thread].get("is_closed") and topics_now(h)[thread]["name"].startswith("🔒")
    await h.send(777, "/reopen 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert not topics_now(h)[thread].get("is_closed") and topics_now(h)[thread]["name"].startswith("✅")


async def test_blocked_user_is_reported_and_followups_reach_operators(h: Harness) -> None:
    user = h.user(1008)
    await h.onboard(user)
    await file_claim(h, user)
    await h.send(user, "/myclaims")
    await h.press(user, "Дополнить")
    saved = await h.send(user, "Забыл номер заказа: 15")
    assert "принято" in (saved[-1].text or "")
    assert any("Дополнение к № 2026-0001" in t for t in admin_texts(h)) and "Забыл номер заказа: 15" in admin_texts(h)
    h.server.block(user)
    assert "заблокировал бота" in await answer(h, "Ответ")
    # Not delivered: the claim is not answered, and the draft can still be kept as a note.
    assert "зарегистрировано" in ((await h.send(777, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")
    preview, data = h.find_button(ADMIN_CHAT_ID, "Заметка")
    await h._new_after(ADMIN_CHAT_ID, h.server.callback(777, preview.message_id, data, chat_id=ADMIN_CHAT_ID))
    history = "\n".join(m.text or "" for m in await h.send(777, "/claim 2026-0001", chat_id=ADMIN_CHAT_ID))
    assert "заметка оператора" in history and "Ответ" in history


async def test_data_requests_from_mydata_have_working_day_deadlines(h: Harness) -> None:
    user = h.user(1009)
    await h.onboard(user)
    expected = {  # registered Monday 02.03.2026 09:00 in Almaty
        "Какие данные обо мне хранятся": "05.03.2026",  # 3 working days
        "Изменить или дополнить": "03.03.2026",  # 1 working day
        "Заблокировать": "03.03.2026",
        "Уничтожить": "03.03.2026",
    }
    for number, (button, due) in enumerate(expected.items(), start=1):
        await h.send(user, "/mydata")
        await h.press(user, button)
        await h.send(user, "Прошу рассмотреть")
        await h.press(user, "Продолжить")
        receipt = (await h.press(user, "Подтвердить"))[-1].text or ""
        assert f"№ 2026-000{number}" in receipt and due in receipt
        assert any(f"№ 2026-000{number}" in t and due in t for t in admin_texts(h))
    export_before = len(h.server.bot_messages(user))
    await h.send(user, "/mydata")
    await h.press(user, "Выгрузить")
    document = h.server.bot_messages(user)[-1].document
    assert export_before and document is not None and b'"claims"' in document[1] and b"2026-0004" in document[1]


async def test_withdrawal_of_consent_notifies_operators(h: Harness) -> None:
    user = h.user(1010)
    await h.onboard(user)
    await h.send(user, "/consent")
    await h.press(user, "Отозвать")
    await h.press(user, "Да")
    assert any("отозвал согласие" in t and "1010" in t for t in admin_texts(h))


async def test_a_message_telegram_refuses_for_good_does_not_block_the_operators_chat(h: Harness) -> None:
    """An attachment deleted before its copy reached the operators: the copy becomes a line
    saying so (tests/e2e/test_outbox.py), and the next claim's card still arrives."""
    user = h.user(1020)
    await h.onboard(user)
    await h.send(user, "/claim")
    await h.press(user, "Письменная претензия")
    await h.send(user, "Претензия с фото")
    await h.send(user, photo=True)
    photo = [m for m in h.server.messages(user) if not m.from_bot and m.photo][-1]
    await h.app.bot.delete_message(user, photo.message_id)  # gone before the operators saw it
    await h.press(user, "Продолжить")
    await h.press(user, "Подтвердить")
    await file_claim(h, user, "Вторая претензия")
    for _ in range(8):
        await run_once(h)
        h.clock.advance(timedelta(minutes=5))
    texts = admin_texts(h)
    assert any("№ 2026-0001" in t for t in texts) and any("№ 2026-0002" in t for t in texts)
    assert "Вторая претензия" in texts
    states = [row[0] for row in await h.app.db.fetch_all("SELECT state FROM outbox WHERE kind = 'copy'")]
    assert states == ["delivered"] and any("больше недоступно" in t for t in texts)
    assert await h.app.db.fetch_value("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')") == 0



async def test_the_claim_steps_turn_the_pressed_message_into_the_next(h: Harness) -> None:
    """Choosing the type and pressing "Continue" replace the pressed message (no spent buttons
    left in the chat); a pressed message that is gone by then gets the next step as a new one."""
    user = h.user(1030)
    await h.onboard(user)
    await h.send(user, "/claim")
    types, _ = h.find_button(user, "Письменная претензия")
    assert await h.press(user, "Письменная претензия") == []
    prompt = next(m for m in h.server.bot_messages(user) if m.message_id == types.message_id)
    assert "Письменная претензия" in (prompt.text or "") and not prompt.reply_markup and prompt.edited

    await h.send(user, "Прошу прекратить звонки")
    step, _ = h.find_button(user, "Продолжить")
    assert await h.press(user, "Продолжить") == []
    summary = next(m for m in h.server.bot_messages(user) if m.message_id == step.message_id)
    assert "Прошу прекратить звонки" in (summary.text or "") and summary.button("Подтвердить")

    # The same steps when the pressed message was deleted meanwhile: the next step arrives anew.
    await h.send(user, "/claim")
    types, type_data = h.find_button(user, "Письменная претензия")
    pressed = h.server.callback(user, types.message_id, type_data)  # pressed, then deleted before the bot got to it
    await h.app.bot.delete_message(user, types.message_id)
    fresh = await h._new_after(user, pressed)
    assert len(fresh) == 1 and "Письменная претензия" in (fresh[0].text or "")
    await h.send(user, "Прошу прекратить звонки")
    step, data = h.find_button(user, "Продолжить")
    pressed = h.server.callback(user, step.message_id, data)
    await h.app.bot.delete_message(user, step.message_id)
    fresh = await h._new_after(user, pressed)
    assert len(fresh) == 1 and fresh[0].button("Подтвердить")
    receipt = (await h.press(user, "Подтвердить"))[-1].text or ""
    assert "№ 2026-0001" in receipt

    # A request pressed in /mydata's menu: the menu stays for its other buttons, the prompt is new.
    await h.send(user, "/mydata")
    menu, _ = h.find_button(user, "Выгрузить")
    [prompt] = await h.press(user, "Какие данные обо мне хранятся")
    assert "Запрос сведений о данных" in (prompt.text or "")
    kept = next(m for m in h.server.bot_messages(user) if m.message_id == menu.message_id)
    assert kept.button("Выгрузить") and not kept.edited
