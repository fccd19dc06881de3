"""Destroy and block requests carried out from the admin chat; withdrawal of consent erases at once."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot import erasure
from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from handlers.customer import consent as consent_handlers
from handlers.keyboards import claim_card_markup, erasure_buttons
from stand_in import TelegramStandIn
from storage import audit, broadcasts, consents, users
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

OPERATOR = 777
EMAIL = "zhanar.qx@example.kz"
PHONE = "77015550123"
TELEGRAM_FIRST, TELEGRAM_LAST, USERNAME = "Жанаргүл", "Қуатқызы", "zhanar_qx77"
FULL_NAME = "Жанар Сейткалиева"
CLAIM_TEXT = "Верните деньги за заказ QX-4242"
FOLLOWUP_TEXT = "Дополнение к претензии QX-5151"
REPLY_TEXT = "Ответ оператора QX-6161"
DESTROY_TEXT = "Прошу уничтожить мои данные QX-7373"
DRAFT_TEXT = "Черновик, который я не отправила QX-8484"


@pytest.fixture
async def h(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    """The background loops are off: the test runs the outbox itself."""
    app = await create_app(make_settings(scheduler_autostart=False, retention_autostart=False), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    stand_in.add_group(ADMIN_CHAT_ID, title="Operators", members=[harness.user(OPERATOR, first_name="Оператор")])
    yield harness
    await harness.stop()


async def deliver(h: Harness) -> None:
    await h.app.dispatcher["scheduler"].run_once()


async def file_request(h: Harness, user_id: int, kind: str, text: str, *, photo: bool = False) -> str:
    await h.send(user_id, "/claim")
    await h.press(user_id, kind)
    await h.send(user_id, text)
    if photo:
        await h.send(user_id, photo=True)
    await h.press(user_id, "Продолжить")
    receipt = (await h.press(user_id, "Подтвердить"))[-1].text or ""
    await deliver(h)
    return receipt


def card(h: Harness, number: str) -> int:
    return next(m.message_id for m in h.server.bot_messages(ADMIN_CHAT_ID) if f"№ {number}" in (m.text or ""))


def occurrences(path: Path, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every needle found in any value of any table of the file."""
    conn = sqlite3.connect(path)
    found = []
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_xinfo('{table}')")]
            for row in conn.execute(f"SELECT * FROM '{table}'"):
                for column, value in zip(columns, row, strict=False):
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    found += [(table, column, needle) for needle in needles if needle.lower() in text.lower()]
    finally:
        conn.close()
    return found


async def test_destroy_from_the_admin_chat_erases_the_person_everywhere_and_keeps_the_evidence(h: Harness) -> None:
    user = 4001
    h.server.add_user(user, first_name=TELEGRAM_FIRST, last_name=TELEGRAM_LAST, username=USERNAME, language_code="ru")
    await h.onboard(user)
    await h.send(user, "/ads")
    await h.press(user, "Получать рекламу")
    await h.send(user, "/mydata")
    await h.press(user, "Имя")
    await h.send(user, FULL_NAME)
    await h.send(user, "/mydata")
    await h.press(user, "E-mail")
    await h.send(user, EMAIL)
    await h.send(user, "/mydata")
    await h.press(user, "Телефон")
    await h.send(user, contact={"phone_number": PHONE, "first_name": TELEGRAM_FIRST, "user_id": user})
    stored = await users.get_user(h.app.db, user)
    assert stored is not None and stored.email == EMAIL and stored.username == USERNAME  # consent in force: kept

    await file_request(h, user, "Письменная претензия", CLAIM_TEXT, photo=True)
    await h.send(user, "/myclaims")
    await h.press(user, "Дополнить № 2026-0001")
    await h.send(user, FOLLOWUP_TEXT)
    await h.send(OPERATOR, REPLY_TEXT, chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h, "2026-0001"))
    await file_request(h, user, "Уничтожить данные", DESTROY_TEXT)
    file_ids = [r[0] for r in await h.app.db.fetch_all("SELECT file_id FROM claim_attachments")]
    assert file_ids
    # A claim begun and left unfinished: a draft in the conversation state.
    await h.send(user, "/claim")
    await h.press(user, "Письменная претензия")
    await h.send(user, DRAFT_TEXT)

    needles = [EMAIL, PHONE, TELEGRAM_FIRST, TELEGRAM_LAST, USERNAME, FULL_NAME, "Сейткалиева",
               CLAIM_TEXT, FOLLOWUP_TEXT, REPLY_TEXT, DESTROY_TEXT, DRAFT_TEXT, *file_ids]
    path = h.app.settings.database_path
    before = {needle for _, _, needle in occurrences(path, needles)}
    assert before == set(needles)  # the scan finds every one of them before

    [confirm] = await h.send(OPERATOR, "/destroy 2026-0002", chat_id=ADMIN_CHAT_ID)
    assert "Уничтожить все персональные данные" in (confirm.text or "") and "4001" in (confirm.text or "")
    await h.press(OPERATOR, "Да, уничтожить", chat_id=ADMIN_CHAT_ID)
    assert "Данные по обращению № 2026-0002 уничтожены (Оператор)" in h.last_text(ADMIN_CHAT_ID)
    await deliver(h)

    told = h.last_text(user)
    assert "Ваши персональные данные уничтожены" in told and "№ 2026-0002" in told
    assert "Сохранено без содержания" in told and "О персональных данных и их защите" in told

    assert occurrences(path, needles) == []
    # Nor in the files' free space or the write-ahead log (old page images).
    for file in path.parent.glob(path.name + "*"):
        raw = file.read_bytes()
        assert [needle for needle in needles if needle.encode() in raw] == [], file.name

    # The evidence stays, without content.
    rows = await h.app.db.fetch_all("SELECT number, type, status, closed_by, redacted_at, text FROM claims ORDER BY id")
    assert [(r["number"], r["type"], r["text"]) for r in rows] == [("2026-0001", "claim", ""), ("2026-0002", "destroy", "")]
    assert rows[1]["status"] == "closed" and rows[1]["closed_by"] == OPERATOR and rows[1]["redacted_at"]
    decisions = [r.decision for r in await consents.history(h.app.db, user)]
    assert decisions == ["withdrawn", "given"]
    entries = await audit.entries_for_user(h.app.db, user)
    [destroyed] = [e for e in entries if e.event == "data_destroyed"]
    assert destroyed.actor == f"operator:{OPERATOR}" and destroyed.details["operator_name"] == "Оператор"
    assert destroyed.details["claim"] == "2026-0002"

    # The operators' history and the customer's list still show the request, without content.
    history = await h.send(OPERATOR, "/claim 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert "2026-0001" in (history[0].text or "") and all(CLAIM_TEXT not in (m.text or "") for m in history)
    mine = "\n".join(m.text or "" for m in await h.send(user, "/myclaims"))
    assert "2026-0002" in mine and DESTROY_TEXT not in mine

    # The customer starts again: no draft left, and without consent the names are not stored.
    [answer] = await h.send(user, "просто текст")
    assert "не понял" in (answer.text or "")
    assert occurrences(path, [TELEGRAM_FIRST, USERNAME]) == []

    # Carrying it out twice changes nothing.
    await h.send(OPERATOR, "/destroy 2026-0002", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, уничтожить", chat_id=ADMIN_CHAT_ID)
    assert "уже исполнено ранее" in h.last_text(ADMIN_CHAT_ID)


async def test_destroy_needs_a_destroy_request_and_a_confirmation(h: Harness) -> None:
    user = h.user(4002)
    await h.onboard(user)
    await file_request(h, user, "Письменная претензия", CLAIM_TEXT)
    [refused] = await h.send(OPERATOR, "/destroy", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h, "2026-0001"))
    assert "другого вида" in (refused.text or "")
    [usage] = await h.send(OPERATOR, "/destroy", chat_id=ADMIN_CHAT_ID)
    assert "Укажите номер обращения" in (usage.text or "")

    await file_request(h, user, "Уничтожить данные", DESTROY_TEXT)
    await h.send(OPERATOR, "/destroy", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h, "2026-0002"))
    await h.press(OPERATOR, "Отмена", chat_id=ADMIN_CHAT_ID)
    assert "ничего не изменено" in h.last_text(ADMIN_CHAT_ID)
    claim_texts = [r[0] for r in await h.app.db.fetch_all("SELECT text FROM claims ORDER BY id")]
    assert claim_texts == [CLAIM_TEXT, DESTROY_TEXT]


async def test_block_stops_ads_broadcasts_and_corrections_until_unblocked(h: Harness) -> None:
    user = h.user(4003)
    await h.onboard(user)
    await file_request(h, user, "Заблокировать данные", "Заблокируйте обработку моих данных")
    assert await broadcasts.audience_count(h.app.db, "all") == 1

    await h.send(OPERATOR, "/block", chat_id=ADMIN_CHAT_ID, reply_to_message_id=card(h, "2026-0001"))
    await h.press(OPERATOR, "Да, заблокировать", chat_id=ADMIN_CHAT_ID)
    assert "заблокирована" in h.last_text(ADMIN_CHAT_ID)
    await deliver(h)
    assert "Обработка ваших персональных данных заблокирована" in h.last_text(user)
    assert [e.actor for e in await audit.entries_for_user(h.app.db, user) if e.event == "data_blocked"] == [f"operator:{OPERATOR}"]

    # Corrections are refused with the reason.
    await h.send(user, "/mydata")
    await h.press(user, "E-mail")
    assert "заблокирована по вашему запросу" in h.server.answered_callbacks[-1]["text"]
    # Advertising cannot be turned on.
    await h.send(user, "/ads")
    await h.press(user, "Получать рекламу")
    assert "реклама не отправляется" in h.server.answered_callbacks[-1]["text"]
    assert (await users.get_user(h.app.db, user)).ads_opt_in is False  # type: ignore[union-attr]
    # General broadcasts skip the person; the legally required notices still reach them.
    h.server.user_message(OPERATOR, "Плановые работы 10 марта", chat_id=ADMIN_CHAT_ID)
    source = [m for m in h.server.messages(ADMIN_CHAT_ID) if not m.from_bot][-1]
    [confirmation] = await h.send(OPERATOR, "/broadcast all", chat_id=ADMIN_CHAT_ID, reply_to_message_id=source.message_id)
    assert "0 получателей" in (confirmation.text or "")
    assert await broadcasts.audience_count(h.app.db, "incident") == 1
    assert await broadcasts.audience_count(h.app.db, "policy") == 1

    # Unblocking restores everything.
    await h.send(OPERATOR, "/unblock 2026-0001", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, снять блокировку", chat_id=ADMIN_CHAT_ID)
    await deliver(h)
    assert "Блокировка обработки ваших персональных данных снята" in h.last_text(user)
    assert await broadcasts.audience_count(h.app.db, "all") == 1
    await h.send(user, "/ads")
    await h.press(user, "Получать рекламу")
    assert (await users.get_user(h.app.db, user)).ads_opt_in is True  # type: ignore[union-attr]
    await h.send(user, "/mydata")
    await h.press(user, "E-mail")
    [saved] = await h.send(user, "after.unblock@example.kz")
    assert saved.text == "Сохранено. Спасибо!"


async def _withdraw(h: Harness, user: int) -> None:
    await h.send(user, "/consent")
    await h.press(user, "Отозвать согласие")
    await h.press(user, "Да, отозвать")


async def _person_with_contacts(h: Harness, user: int) -> None:
    h.server.add_user(user, first_name=TELEGRAM_FIRST, username=USERNAME, language_code="ru")
    await h.onboard(user)
    await h.send(user, "/ads")
    await h.press(user, "Получать рекламу")
    await h.send(user, "/mydata")
    await h.press(user, "E-mail")
    await h.send(user, EMAIL)


async def operators_notices(h: Harness) -> int:
    return int(await h.app.db.fetch_value("SELECT count(*) FROM outbox WHERE payload LIKE '%отозвал%'"))


async def test_withdrawal_erases_names_and_contacts_at_once_and_names_are_not_written_again(h: Harness) -> None:
    user = 4004
    await _person_with_contacts(h, user)
    assert (await users.get_user(h.app.db, user)).username == USERNAME  # type: ignore[union-attr]
    await _withdraw(h, user)
    stored = await users.get_user(h.app.db, user)
    assert stored is not None and (stored.email, stored.first_name, stored.username, stored.ads_opt_in) == (None, "", None, False)
    await h.send(user, "/start")
    [view] = await h.send(user, "/mydata")
    assert USERNAME not in (view.text or "") and TELEGRAM_FIRST not in (view.text or "")
    assert occurrences(h.app.settings.database_path, [TELEGRAM_FIRST, USERNAME, EMAIL]) == []
    await deliver(h)
    assert "отозвал согласие" in h.last_text(ADMIN_CHAT_ID)


async def test_withdrawal_keeps_telegram_names_while_a_claim_is_open(h: Harness) -> None:
    user = 4005
    await _person_with_contacts(h, user)
    await file_request(h, user, "Письменная претензия", CLAIM_TEXT)
    await _withdraw(h, user)
    stored = await users.get_user(h.app.db, user)
    assert stored is not None and stored.email is None and stored.username == USERNAME


async def test_a_crash_inside_the_withdrawal_leaves_everything_as_before(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    user = 4006
    await _person_with_contacts(h, user)

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("injected: the process dies before the commit")

    monkeypatch.setattr(erasure.outbox, "enqueue", crash)  # the last write of the transaction
    await _withdraw(h, user)
    assert "ошибка" in h.last_text(user).lower() or "извините" in h.last_text(user).lower()
    monkeypatch.undo()

    assert (await consents.latest(h.app.db, user)).decision == "given"  # type: ignore[union-attr]
    stored = await users.get_user(h.app.db, user)
    assert stored is not None and (stored.email, stored.username, stored.ads_opt_in) == (EMAIL, USERNAME, True)
    events = [e.event for e in await audit.entries_for_user(h.app.db, user)]
    assert "consent_withdrawn" not in events and "contact_data_erased" not in events and "ads_opt_out" not in events
    assert await operators_notices(h) == 0


async def test_a_crash_after_the_withdrawal_leaves_nothing_half_done(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    user = 4007
    await _person_with_contacts(h, user)

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected: the process dies right after the commit")

    monkeypatch.setattr(consent_handlers, "kick", crash)  # what the handler does after the service
    await _withdraw(h, user)
    monkeypatch.undo()

    assert (await consents.latest(h.app.db, user)).decision == "withdrawn"  # type: ignore[union-attr]
    stored = await users.get_user(h.app.db, user)
    assert stored is not None and (stored.email, stored.username, stored.ads_opt_in) == (None, None, False)
    events = [e.event for e in await audit.entries_for_user(h.app.db, user)]
    assert {"consent_withdrawn", "contact_data_erased", "ads_opt_out"} <= set(events)
    assert await operators_notices(h) == 1
    # After a restart the operators' notice goes out: nothing was lost with the process.
    await h.restart()
    await deliver(h)
    assert "отозвал согласие" in h.last_text(ADMIN_CHAT_ID)


async def test_destroy_of_a_person_in_the_middle_of_a_correction_drops_the_draft(h: Harness) -> None:
    user = h.user(4008)
    await h.onboard(user)
    await file_request(h, user, "Уничтожить данные", DESTROY_TEXT)
    await h.send(user, "/mydata")
    await h.press(user, "E-mail")  # waiting for the address
    await h.send(OPERATOR, "/destroy 2026-0001", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, уничтожить", chat_id=ADMIN_CHAT_ID)
    [answer] = await h.send(user, "late@example.kz")
    assert "не понял" in (answer.text or "")
    assert (await users.get_user(h.app.db, user)).email is None  # type: ignore[union-attr]
    assert await h.app.db.fetch_value("SELECT count(*) FROM fsm_states WHERE storage_key LIKE '%:4008:4008:%'") == 0



async def test_a_kazakh_speaking_customer_is_told_in_kazakh(h: Harness) -> None:
    user = h.user(4009, language_code="kk")
    await h.onboard(user, language="kk")
    await h.send(user, "/claim")
    await h.press(user, "Деректерді жою")
    await h.send(user, DESTROY_TEXT)
    await h.press(user, "Жалғастыру")
    await h.press(user, "Растау")
    await deliver(h)
    await h.send(OPERATOR, "/destroy 2026-0001", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, уничтожить", chat_id=ADMIN_CHAT_ID)
    await deliver(h)
    told = h.last_text(user)
    assert "Дербес деректеріңіз сұрауыңыз бойынша жойылды" in told and "Мазмұнсыз сақталғандар" in told and "№ 2026-0001" in told


async def test_the_card_buttons_ask_before_they_act(h: Harness) -> None:
    """The buttons erasure_buttons() puts on a block or destroy request's card ask first."""
    t = h.app.dispatcher["scheduler"].t
    destroy_row = erasure_buttons(t, 1, "destroy")
    assert [b.text for b in destroy_row[0]] == ["🗑 Уничтожить данные"]
    assert [b.text for b in erasure_buttons(t, 1, "block")[0]] == ["🔒 Заблокировать", "🔓 Снять блокировку"]
    assert erasure_buttons(t, 1, "claim") == [] and erasure_buttons(t, 1, None) == []
    assert destroy_row[0] in claim_card_markup(t, 1, claim_type="destroy").inline_keyboard
    assert destroy_row[0] not in claim_card_markup(t, 1, "closed", claim_type="destroy").inline_keyboard

    user = h.user(4010)
    await h.onboard(user)
    await file_request(h, user, "Уничтожить данные", DESTROY_TEXT)
    claim_id = int(await h.app.db.fetch_value("SELECT id FROM claims WHERE number = '2026-0001'"))
    # The card the operators see carries the button; pressing it there asks first.
    on_card = h.server.messages(ADMIN_CHAT_ID)
    posted = next(m for m in on_card if m.message_id == card(h, "2026-0001"))
    [confirm] = await h._new_after(
        ADMIN_CHAT_ID,
        h.server.callback(OPERATOR, posted.message_id, posted.button("Уничтожить данные"), chat_id=ADMIN_CHAT_ID),
    )
    assert "Уничтожить все персональные данные" in (confirm.text or "")
    assert await h.app.db.fetch_value("SELECT text FROM claims WHERE id = ?", (claim_id,)) == DESTROY_TEXT
    await h.press(OPERATOR, "Да, уничтожить", chat_id=ADMIN_CHAT_ID)
    assert await h.app.db.fetch_value("SELECT text FROM claims WHERE id = ?", (claim_id,)) == ""
    # The card now says the request was carried out and offers nothing more of it.
    redrawn = next(m for m in h.server.messages(ADMIN_CHAT_ID) if m.message_id == posted.message_id)
    assert "запрос исполнен" in (redrawn.text or "")
    assert "Уничтожить данные" not in str(redrawn.buttons()) and "Закрыть" not in str(redrawn.buttons())
    [history] = await h.send(OPERATOR, "/claim 2026-0001", chat_id=ADMIN_CHAT_ID)
    assert "запрос исполнен" in (history.text or "")


async def test_a_second_block_request_of_a_person_already_blocked_is_closed_and_its_card_says_so(h: Harness) -> None:
    user = h.user(4011)
    await h.onboard(user)
    await file_request(h, user, "Заблокировать данные", "Заблокируйте обработку моих данных")
    await file_request(h, user, "Заблокировать данные", "Прошу ещё раз: заблокируйте")
    await h.send(OPERATOR, "/block 2026-0001", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, заблокировать", chat_id=ADMIN_CHAT_ID)
    # The second request: the person is blocked already; the request is closed all the same.
    await h.send(OPERATOR, "/block 2026-0002", chat_id=ADMIN_CHAT_ID)
    await h.press(OPERATOR, "Да, заблокировать", chat_id=ADMIN_CHAT_ID)
    second = next(m for m in h.server.messages(ADMIN_CHAT_ID) if m.message_id == card(h, "2026-0002"))
    assert "запрос исполнен" in (second.text or "")
    assert "Заблокировать" not in str(second.buttons()) and "Закрыть" not in str(second.buttons())
