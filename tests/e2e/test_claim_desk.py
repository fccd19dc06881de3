"""The operators' desk end to end: explicit answers, notes, honest transitions, who is an operator,
every kind of answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import StoredMessage, TelegramStandIn
from storage import audit
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness
from tests.e2e.test_claims import admin_texts, answer, card, file_claim, run_once

OPERATOR, COLLEAGUE, MEMBER = 777, 9001, 5555


@pytest.fixture
async def h(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    app = await create_app(make_settings(scheduler_autostart=False), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    yield harness
    await harness.stop()


async def customer_with_claim(h: Harness, user_id: int = 1101, **kwargs: object) -> int:
    user = h.user(user_id)
    await h.onboard(user)
    await file_claim(h, user, **kwargs)  # type: ignore[arg-type]
    return user


def seen_by(h: Harness, user: int) -> list[str]:
    return [m.text or m.caption or "" for m in h.server.bot_messages(user)]


def message(h: Harness, message_id: int) -> StoredMessage:
    return next(m for m in h.server.messages(ADMIN_CHAT_ID) if m.message_id == message_id)


async def press_on(h: Harness, person: int, target: StoredMessage, label: str) -> list[StoredMessage]:
    return await h._new_after(ADMIN_CHAT_ID, h.server.callback(person, target.message_id, target.button(label), chat_id=ADMIN_CHAT_ID))


async def history(h: Harness, number: str = "2026-0001") -> str:
    return "\n".join(m.text or "" for m in await h.send(OPERATOR, f"/claim {number}", chat_id=ADMIN_CHAT_ID))


async def test_replies_to_a_colleague_or_a_reminder_are_notes_never_sent(h: Harness) -> None:
    user = await customer_with_claim(h)
    h.clock.advance(timedelta(days=23))  # 7 days before the due date: a reminder
    await run_once(h)
    reminder = next(m for m in h.server.bot_messages(ADMIN_CHAT_ID) if "⏰" in (m.text or ""))
    await answer(h, "Вернём деньги до пятницы")  # the final answer, sent
    sent = [m for m in h.server.messages(ADMIN_CHAT_ID) if not m.from_bot and m.text == "Вернём деньги до пятницы"][0]
    before = seen_by(h, user)

    # A colleague replies to the answer; another replies to the reminder: both are notes.
    assert await h.send(COLLEAGUE, "Кто проверил сумму?", chat_id=ADMIN_CHAT_ID, reply_to_message_id=sent.message_id) == []
    [notice] = await h.send(OPERATOR, "Я возьму, спасибо", chat_id=ADMIN_CHAT_ID, reply_to_message_id=reminder.message_id)
    assert "заметка" in (notice.text or "") and "не отправлено" in (notice.text or "")
    # A reply to the bot's notice is a note too, and a reply to the preview's outcome as well.
    await h.send(COLLEAGUE, "Ок", chat_id=ADMIN_CHAT_ID, reply_to_message_id=notice.message_id)
    assert seen_by(h, user) == before
    text = await history(h)
    assert "заметка оператора" in text and "Кто проверил сумму?" in text and "Я возьму, спасибо" in text
    assert "окончательный ответ" in text
    mine = "\n".join(m.text or "" for m in await h.send(user, "/myclaims"))
    assert "Кто проверил" not in mine and "Я возьму" not in mine


async def test_interim_keeps_the_clock_running_and_the_final_answer_stops_it(h: Harness) -> None:
    user = await customer_with_claim(h)
    await answer(h, "Получили, ответим в срок", choice="Промежуточное")
    assert seen_by(h, user)[-1] == "Получили, ответим в срок"
    h.clock.advance(timedelta(days=23))  # 25.03: 7 days left
    await run_once(h)
    assert sum("⏰" in t for t in admin_texts(h)) == 1  # reminders go on after an interim message
    h.clock.advance(timedelta(days=9))  # 03.04: overdue
    await run_once(h)
    assert any("просрочено" in t for t in admin_texts(h))
    assert (card(h).text or "").startswith("❗") and "Срок ответа истёк" in (card(h).text or "")  # the card says so
    overdue = (await h.send(OPERATOR, "/overdue", chat_id=ADMIN_CHAT_ID))[-1].text or ""
    assert "2026-0001" in overdue
    mine = "\n".join(m.text or "" for m in await h.send(user, "/myclaims"))
    assert "срок истёк" in mine and "Получили, ответим в срок" in mine  # not "answered"

    done = await answer(h, "Деньги возвращены 03.04")
    assert "окончательный ответ" in done and "Срок остановлен" in done
    assert "Просроченных обращений нет" in ((await h.send(OPERATOR, "/overdue", chat_id=ADMIN_CHAT_ID))[-1].text or "")
    alerts = sum("просрочено" in t for t in admin_texts(h))
    h.clock.advance(timedelta(days=1))
    await run_once(h)
    assert sum("просрочено" in t for t in admin_texts(h)) == alerts
    assert "✅" in (card(h).text or "")  # the card says it is answered, and offers what is left
    assert [text for row in card(h).buttons() for text, _ in row] == ["✅ Закрыть", "📜 История"]


async def test_close_needs_an_answer_or_a_reason_the_customer_receives(h: Harness) -> None:
    user = await customer_with_claim(h)
    refused = (await h.send(OPERATOR, "/close 2026-0001", chat_id=ADMIN_CHAT_ID))[-1]
    assert "нет окончательного ответа" in (refused.text or "")
    assert not any("закрыто" in t.lower() for t in seen_by(h, user))
    mine = "\n".join(m.text or "" for m in await h.send(user, "/myclaims"))
    assert "зарегистрировано" in mine

    await h.send(OPERATOR, "/close 2026-0001 Заявитель <сообщил> по телефону, что вопрос решён", chat_id=ADMIN_CHAT_ID)
    told = seen_by(h, user)[-1]
    assert "закрыто без ответа по существу" in told and "Заявитель <сообщил> по телефону" in told
    # Where to appeal, as in a refusal: the authorised body by name, and the court.
    assert "Министерство искусственного интеллекта и цифрового развития" in told and "либо в суде" in told
    assert "🔒" in (card(h).text or "") and card(h).button("Открыть")
    with pytest.raises(AssertionError):
        card(h).button("Закрыть")  # only possible actions are offered
    assert "иная причина" in await history(h)


async def test_a_member_who_is_not_an_admin_is_refused(h: Harness, stand_in: TelegramStandIn) -> None:
    user = await customer_with_claim(h)
    stand_in.add_group(ADMIN_CHAT_ID, members=[MEMBER])
    [refusal] = await h.send(MEMBER, "/refuse 2026-0001 Не будем отвечать", chat_id=ADMIN_CHAT_ID)
    assert "только операторы" in (refusal.text or "")
    assert not any("отказ" in t for t in seen_by(h, user))
    assert await h.send(MEMBER, "/start@another_bot", chat_id=ADMIN_CHAT_ID) == []  # not ours to refuse
    for command in ("/claims", "/broadcast all", "/publish_policy 2026-05-01", "/stats@privacy_test_bot"):
        assert "только операторы" in ((await h.send(MEMBER, command, chat_id=ADMIN_CHAT_ID))[-1].text or "")
    # Their replies to the card are nobody's answers; their buttons do nothing.
    before = seen_by(h, user)
    assert await h.send(MEMBER, "Ответ", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h).message_id) == []
    await press_on(h, MEMBER, card(h), "Взять")
    assert "только операторы" in h.server.answered_callbacks[-1]["text"]
    assert "Новое" in (card(h).text or "") and seen_by(h, user) == before
    # Promoted to administrator, they are an operator at once (Telegram's chat_member update);
    # demoted, no longer.
    await h.feed(stand_in.promote(ADMIN_CHAT_ID, MEMBER))
    assert "2026-0001" in ((await h.send(MEMBER, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")
    await h.feed(stand_in.promote(ADMIN_CHAT_ID, MEMBER, admin=False))
    assert "только операторы" in ((await h.send(MEMBER, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")
    # A change made while the bot missed the update is seen after a while (re-read on a miss).
    stand_in.add_group(ADMIN_CHAT_ID, admins=[OPERATOR, COLLEAGUE, MEMBER])
    h.clock.advance(timedelta(minutes=1))
    assert "2026-0001" in ((await h.send(MEMBER, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")


async def test_operator_ids_narrow_the_admins(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    app = await create_app(make_settings(scheduler_autostart=False, operator_ids=str(COLLEAGUE)), clock=ManualClock(START))
    h = Harness(app, stand_in)
    await h.start()
    try:
        assert "только операторы" in ((await h.send(OPERATOR, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")
        assert "Открытых обращений нет" in ((await h.send(COLLEAGUE, "/claims", chat_id=ADMIN_CHAT_ID))[-1].text or "")
    finally:
        await h.stop()


async def test_anonymous_admin_is_asked_to_turn_anonymity_off(h: Harness) -> None:
    user = await customer_with_claim(h)
    [told] = await h.send(OPERATOR, "Ответ", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h).message_id, anonymous=True)
    assert "анонимно" in (told.text or "")
    assert not any(t == "Ответ" for t in seen_by(h, user))


async def test_two_operators_race_and_the_loser_is_told(h: Harness) -> None:
    user = await customer_with_claim(h)
    stale = card(h)
    take = stale.button("Взять")
    await press_on(h, OPERATOR, stale, "Взять")
    assert "взято в работу" in h.last_text(ADMIN_CHAT_ID)
    assert "В работе" in (card(h).text or "")
    with pytest.raises(AssertionError):
        card(h).button("Взять")  # the card no longer offers it
    # The colleague pressed the same button before the card changed on their screen.
    await h._new_after(ADMIN_CHAT_ID, h.server.callback(COLLEAGUE, stale.message_id, take, chat_id=ADMIN_CHAT_ID))
    lost = h.server.answered_callbacks[-1]["text"]
    assert "уже взял в работу" in lost and "не выполнено" in lost
    assert len(await h.app.db.fetch_all("SELECT 1 FROM claim_events WHERE event = 'taken'")) == 1

    # Both press "final answer" on the same draft: one copy reaches the user; the other is told.
    [preview] = await h.send(OPERATOR, "Ответ по существу", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h).message_id)
    data = preview.button("окончательный")
    await h._new_after(ADMIN_CHAT_ID, h.server.callback(OPERATOR, preview.message_id, data, chat_id=ADMIN_CHAT_ID))
    await h._new_after(ADMIN_CHAT_ID, h.server.callback(COLLEAGUE, preview.message_id, data, chat_id=ADMIN_CHAT_ID))
    assert "уже обработан" in h.server.answered_callbacks[-1]["text"]
    assert seen_by(h, user).count("Ответ по существу") == 1


async def test_a_reply_to_a_closed_claim_warns_and_offers_to_reopen(h: Harness) -> None:
    user = await customer_with_claim(h)
    await answer(h, "Ответ")
    await h.send(OPERATOR, "/close 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert "закрыто" in seen_by(h, user)[-1]
    [warning] = await h.send(OPERATOR, "И ещё одно", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h).message_id)
    assert "закрыто" in (warning.text or "") and "не отправлено" in (warning.text or "")
    assert seen_by(h, user)[-1] != "И ещё одно"
    await press_on(h, OPERATOR, warning, "Открыть обращение")
    assert "снова в работе" in seen_by(h, user)[-1]
    preview = message(h, warning.message_id)
    assert "не отправлен" in (preview.text or "")
    await press_on(h, OPERATOR, preview, "окончательный")
    assert seen_by(h, user)[-1] == "И ещё одно"


@pytest.mark.parametrize("media", ["video", "animation", "voice", "audio", "video_note"])
async def test_every_kind_of_answer_is_relayed(h: Harness, media: str) -> None:
    user = await customer_with_claim(h)
    await answer(h, media=media)
    assert h.server.bot_messages(user)[-1].media == media


async def test_stickers_albums_and_edits(h: Harness) -> None:
    user = await customer_with_claim(h)
    await answer(h, sticker=True, choice="Промежуточное")
    assert h.server.bot_messages(user)[-1].sticker
    # An album: one preview for the group, then every part is sent.
    target = card(h).message_id
    first = await h.send(OPERATOR, chat_id=ADMIN_CHAT_ID, reply_to_message_id=target, photo=True, caption="чеки", media_group_id="a1")
    second = await h.send(OPERATOR, chat_id=ADMIN_CHAT_ID, reply_to_message_id=target, photo=True, media_group_id="a1")
    assert len(first) == 1 and second == []
    await press_on(h, OPERATOR, first[0], "окончательный")
    photos = [m for m in h.server.bot_messages(user) if m.photo]
    assert len(photos) == 2 and photos[0].caption == "чеки"
    # Editing an answer already sent does not reach the user: the operator is told.
    [preview] = await h.send(OPERATOR, "Сумма 1000", chat_id=ADMIN_CHAT_ID, reply_to_message_id=target)
    await press_on(h, OPERATOR, preview, "Промежуточное")
    mine = next(m for m in h.server.messages(ADMIN_CHAT_ID) if not m.from_bot and m.text == "Сумма 1000")
    [told] = await h._new_after(ADMIN_CHAT_ID, h.server.edited_message(OPERATOR, mine.message_id, "Сумма 2000", chat_id=ADMIN_CHAT_ID))
    assert "Исправление не отправлено" in (told.text or "")
    assert "Сумма 2000" not in seen_by(h, user) and "Сумма 1000" in seen_by(h, user)
    # A contact is not something the desk relays: the operator is told, nothing is sent.
    [hint] = await h.send(OPERATOR, chat_id=ADMIN_CHAT_ID, reply_to_message_id=target, contact={"phone_number": "+77010000000"})
    assert "ничего не отправлено" in (hint.text or "") and not any(m.contact for m in h.server.bot_messages(user))


async def test_short_terms_get_no_reminder_at_registration(h: Harness) -> None:
    user = h.user(1102)
    await h.onboard(user)
    for button in ("Какие данные обо мне хранятся", "Изменить или дополнить"):  # 3 and 1 working days
        await h.send(user, "/mydata")
        await h.press(user, button)
        await h.send(user, "Прошу рассмотреть")
        await h.press(user, "Продолжить")
        await h.press(user, "Подтвердить")
    await run_once(h)
    assert not any("⏰" in t for t in admin_texts(h))
    h.clock.advance(timedelta(days=2))  # Wednesday 04.03: the access request is due tomorrow
    await run_once(h)
    reminders = [t for t in admin_texts(h) if "⏰" in t]
    assert len(reminders) == 1 and "2026-0001" in reminders[0]


async def test_the_choice_works_after_a_restart_and_actions_are_audited(h: Harness) -> None:
    user = await customer_with_claim(h)
    [preview] = await h.send(OPERATOR, "Ответ после перезапуска", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h).message_id)
    await h.restart()
    await press_on(h, OPERATOR, preview, "окончательный")
    assert seen_by(h, user)[-1] == "Ответ после перезапуска"
    replied = [e for e in await audit.entries_for_user(h.app.db, user) if e.event == "claim_replied"]
    assert replied and replied[0].actor == f"operator:{OPERATOR}" and replied[0].details["role"] == "final"
    assert "operator_name" in replied[0].details and "Ответ после" not in str(replied[0].details)


async def test_help_lists_the_operators_commands(h: Harness) -> None:
    [text] = await h.send(OPERATOR, "/help", chat_id=ADMIN_CHAT_ID)
    for command in ("/claims", "/overdue", "/refuse", "/close", "/broadcast", "/publish_policy", "/policy_versions"):
        assert command in (text.text or "")


async def test_when_telegram_does_not_tell_the_admins_the_refusal_says_so(h: Harness, stand_in: TelegramStandIn) -> None:
    stand_in.fail_next("getChatAdministrators", error_code=400, description="Bad Request: chat not found", times=5)
    [told] = await h.send(OPERATOR, "/claims", chat_id=ADMIN_CHAT_ID)
    assert "не смог узнать у Telegram" in (told.text or "")
