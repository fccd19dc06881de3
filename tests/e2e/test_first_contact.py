"""First contact in each language, the consent notice, accepting and declining."""

from __future__ import annotations

from storage import consents
from storage.consents import notice_hash
from tests.e2e.conftest import Harness


async def test_first_contact_in_russian(harness: Harness) -> None:
    user = harness.user(101, language_code="ru-RU")
    [prompt] = await harness.send(user, "/start")
    labels = [text for row in prompt.buttons() for text, _ in row]
    assert "✓ Русский" in labels and "Қазақша" in labels  # preselected from language_code

    replies = await harness.press(user, "Русский")
    texts = "\n".join(m.text or "" for m in replies)
    assert "Здравствуйте" in texts
    notice = replies[-1]
    # Law 94-V Art. 8(4): operator, BIN, data, purposes, term; and transfers, how to withdraw.
    for expected in ("Пример Сервис", "БИН 000000000000", "Какие данные", "Цели", "Срок",
                     "Передача третьим лицам: нет", "Трансграничная передача (за рубеж): нет", "/consent", "01.01.2026"):
        assert expected in (notice.text or ""), expected
    assert [text for row in notice.buttons() for text, _ in row] == ["📄 Прочитать политику", "✅ Даю согласие", "✖️ Не даю согласия"]
    assert (await harness.app.db.fetch_value("SELECT language FROM users WHERE id = ?", (user,))) == "ru"


async def test_first_contact_in_kazakh_and_accept(harness: Harness) -> None:
    user = harness.user(102, language_code="kk")
    [prompt] = await harness.send(user, "/start")
    assert "✓ Қазақша" in [text for row in prompt.buttons() for text, _ in row]
    replies = await harness.press(user, "Қазақша")
    notice = replies[-1]
    assert "Дербес деректерді жинауға және өңдеуге келісім" in (notice.text or "")
    assert "БСН 000000000000" in (notice.text or "")

    [receipt] = await harness.press(user, "Келісім беремін")
    record = await consents.latest(harness.app.db, user)
    assert record is not None and record.decision == "given" and record.language == "kk"
    assert f"№ {record.id} жазба" in (receipt.text or "")
    assert "02.03.2026 09:00:00 (UTC+05:00)" in (receipt.text or "")  # stored UTC, shown in Almaty time
    # The record's hash is the hash of exactly the notice text the user was shown.
    assert record.notice_sha256 == notice_hash(notice.html or "")
    # The notice's buttons are gone: it can't be answered twice by accident.
    assert receipt.message_id != notice.message_id
    shown = next(m for m in harness.server.messages(user) if m.message_id == notice.message_id)
    assert not shown.reply_markup


async def test_decline_is_respected_and_explained(harness: Harness) -> None:
    user = harness.user(103)
    await harness.onboard(user, accept=False)
    text = harness.last_text(user)
    assert "Вы не дали согласия" in text and "/consent" in text
    record = await consents.latest(harness.app.db, user)
    assert record is not None and record.decision == "declined"
    # Later, the user can still give consent from /consent.
    await harness.send(user, "/consent")
    assert "вы отказались" in harness.last_text(user)
    await harness.press(user, "Дать согласие")
    await harness.press(user, "Даю согласие")
    assert (await consents.latest(harness.app.db, user)).decision == "given"  # type: ignore[union-attr]


async def test_returning_user_gets_a_greeting_not_the_prompt(harness: Harness) -> None:
    user = harness.user(104, first_name="Данияр")
    await harness.onboard(user)
    replies = await harness.send(user, "/start")
    assert len(replies) == 1 and "Здравствуйте, Данияр!" in (replies[0].text or "")


async def test_language_can_be_changed_later(harness: Harness) -> None:
    user = harness.user(105)
    await harness.onboard(user)
    await harness.send(user, "/language")
    [changed] = await harness.press(user, "Қазақша")
    assert changed.text == "Тіл қазақ тіліне ауыстырылды."
    [help_text] = await harness.send(user, "/help")
    assert "Бот не істей алады" in (help_text.text or "")


async def test_commands_menu_and_descriptions_in_both_languages(harness: Harness) -> None:
    commands = {language: harness.server.scoped_commands[('{"type": "all_private_chats"}', language)] for language in ("kk", "ru", None)}
    assert {c["command"] for c in commands["kk"]} >= {"start", "policy", "consent", "ads", "mydata", "language"}
    assert next(c for c in commands["ru"] if c["command"] == "policy")["description"] == "Политика конфиденциальности"
    assert next(c for c in commands["kk"] if c["command"] == "policy")["description"] == "Құпиялылық саясаты"
    assert None in commands  # default for other languages
    assert "Пример Сервис" in harness.server.descriptions["ru"]
    assert harness.server.short_descriptions["kk"]


async def test_reading_the_policy_from_the_notice_keeps_the_notice_answerable(harness: Harness) -> None:
    user = harness.user(106)
    await harness.onboard(user, accept=None)
    notice, _ = harness.find_button(user, "Даю согласие")
    [toc] = await harness.press(user, "Прочитать политику")  # opens in a new message
    assert toc.message_id != notice.message_id and "Редакция от 01.01.2026" in (toc.text or "")
    await harness.press(user, "1.")  # reading a section turns the table of contents, not the notice
    kept = next(m for m in harness.server.messages(user) if m.message_id == notice.message_id)
    assert [t for row in kept.buttons() for t, _ in row] == ["📄 Прочитать политику", "✅ Даю согласие", "✖️ Не даю согласия"]
    await harness.press(user, "Даю согласие")
    assert (await consents.latest(harness.app.db, user)).decision == "given"  # type: ignore[union-attr]
