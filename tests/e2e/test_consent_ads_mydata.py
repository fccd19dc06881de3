"""Consent status and withdrawal, advertising choice, /mydata with export and corrections."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from storage import consents, users
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness


async def test_withdrawing_consent_erases_contacts_and_stops_ads(harness: Harness) -> None:
    user = harness.user(301)
    await harness.onboard(user)
    await harness.send(user, "/ads")
    await harness.press(user, "Получать рекламу")
    await harness.send(user, "/mydata")
    await harness.press(user, "E-mail")
    await harness.send(user, "aigerim@example.kz")

    harness.clock.advance(timedelta(days=3))
    [status] = await harness.send(user, "/consent")
    assert "дано 02.03.2026 09:00:00" in (status.text or "")
    assert "История: 1 запись" in (status.text or "")
    [confirm] = await harness.press(user, "Отозвать согласие")
    assert "Отозвать согласие на обработку персональных данных?" in (confirm.text or "")
    [receipt] = await harness.press(user, "Да, отозвать")
    assert "Согласие отозвано" in (receipt.text or "") and "05.03.2026 09:00:00" in (receipt.text or "")

    record = await consents.latest(harness.app.db, user)
    assert record is not None and record.decision == "withdrawn"
    stored = await users.get_user(harness.app.db, user)
    assert stored is not None and stored.email is None and stored.ads_opt_in is False
    [status] = await harness.send(user, "/consent")
    assert "отозвано 05.03.2026" in (status.text or "") and "История: 2 записи" in (status.text or "")


async def test_keeping_consent_after_all(harness: Harness) -> None:
    user = harness.user(302)
    await harness.onboard(user)
    await harness.send(user, "/consent")
    await harness.press(user, "Отозвать согласие")
    await harness.press(user, "Нет, оставить")
    assert (await consents.latest(harness.app.db, user)).decision == "given"  # type: ignore[union-attr]


async def test_ads_are_off_until_opt_in_and_every_change_is_recorded(harness: Harness) -> None:
    user = harness.user(303)
    await harness.onboard(user, accept=False)
    [view] = await harness.send(user, "/ads")
    assert "отключена" in (view.text or "")
    await harness.press(user, "Получать рекламу")
    assert harness.server.answered_callbacks[-1]["text"].startswith("Чтобы получать рекламу, сначала дайте согласие")
    assert (await users.get_user(harness.app.db, user)).ads_opt_in is False  # type: ignore[union-attr]

    await harness.send(user, "/consent")
    await harness.press(user, "Дать согласие")
    await harness.press(user, "Принимаю")
    await harness.send(user, "/ads")
    [done] = await harness.press(user, "Получать рекламу")
    assert "реклама включена" in (done.text or "")
    harness.clock.advance(timedelta(hours=2))
    [done] = await harness.press(user, "Отказаться от рекламы")
    assert "11:00:00" in (done.text or "")
    history = await users.ads_history(harness.app.db, user)
    assert [(c.opted_in, c.reason) for c in history] == [(True, "user"), (False, "user")]


async def test_export_carries_profile_consents_ads_and_audit(harness: Harness) -> None:
    user = harness.user(304, username="aigerim_k")
    await harness.onboard(user)
    await harness.send(user, "/ads")
    await harness.press(user, "Получать рекламу")
    [view] = await harness.send(user, "/mydata")
    assert "Идентификатор Telegram: 304" in (view.text or "") and "@aigerim_k" in (view.text or "")
    [file_message] = await harness.press(user, "Выгрузить в файл")
    assert file_message.document is not None
    name, content = file_message.document
    assert name == "my-data-304.json"
    export = json.loads(content)
    assert export["profile"]["telegram_id"] == 304 and export["profile"]["language"] == "ru"
    [record] = export["consents"]
    for field in ("record_id", "notice", "language", "purposes", "pii_categories", "controller", "jurisdiction",
                  "withdrawal_method", "event"):
        assert record[field], field
    assert record["event"]["type"] == "given" and record["event"]["state"] == "active"
    assert record["controller"]["identifier"]["value"] == "000000000000"
    assert record["notice"]["sha256"] == consents.notice_hash(record["notice"]["text"])
    assert export["advertising"]["opted_in"] is True
    events = [entry["event"] for entry in export["audit_trail"]]
    assert events[:3] == ["language_set", "consent_given", "ads_opt_in"]
    assert "data_viewed" in events and "data_exported" in events


async def test_corrections_validate_and_audit(harness: Harness) -> None:
    user = harness.user(305)
    await harness.onboard(user)
    await harness.send(user, "/mydata")
    await harness.press(user, "Имя")
    [refused] = await harness.send(user, "x" * 4096)
    assert "Имя должно быть текстом" in (refused.text or "")
    [refused] = await harness.send(user, sticker=True)
    assert "отправьте текст" in (refused.text or "")
    await harness.send(user, "  Айгерим   Касымова ")
    assert (await users.get_user(harness.app.db, user)).full_name == "Айгерим Касымова"  # type: ignore[union-attr]

    await harness.send(user, "/mydata")
    await harness.press(user, "E-mail")
    [refused] = await harness.send(user, "not-an-email@")
    assert "не похоже на адрес" in (refused.text or "")
    await harness.send(user, "Aigerim@Example.KZ")
    assert (await users.get_user(harness.app.db, user)).email == "Aigerim@example.kz"  # type: ignore[union-attr]

    await harness.send(user, "/mydata")
    [ask] = await harness.press(user, "Телефон")
    assert ask.reply_keyboard() and ask.reply_keyboard()[0][0].get("request_contact") is True
    [refused] = await harness.send(user, contact={"phone_number": "+77770000000", "first_name": "Other", "user_id": 999})
    assert "только ваш собственный номер" in (refused.text or "")
    await harness.send(user, contact={"phone_number": "77011234567", "first_name": "Айгерим", "user_id": user})
    stored = await users.get_user(harness.app.db, user)
    assert stored is not None and stored.phone == "+77011234567"

    events = [row[0] for row in await harness.app.db.fetch_all(
        "SELECT details FROM audit_log WHERE event = 'data_corrected' ORDER BY id")]
    assert [json.loads(e)["field"] for e in events] == ["full_name", "email", "phone"]


async def test_corrections_need_consent(harness: Harness) -> None:
    user = harness.user(306)
    await harness.onboard(user, accept=False)
    await harness.send(user, "/mydata")
    await harness.press(user, "E-mail")
    assert "сначала дайте согласие" in harness.server.answered_callbacks[-1]["text"]


async def test_a_flow_survives_a_restart(harness: Harness) -> None:
    user = harness.user(307)
    await harness.onboard(user)
    await harness.send(user, "/mydata")
    await harness.press(user, "E-mail")
    await harness.restart()
    [saved] = await harness.send(user, "restart@example.kz")
    assert saved.text == "Сохранено. Спасибо!"
    assert (await users.get_user(harness.app.db, user)).email == "restart@example.kz"  # type: ignore[union-attr]


async def test_cancel_leaves_a_flow_with_nothing_saved(harness: Harness) -> None:
    user = harness.user(308)
    await harness.onboard(user)
    await harness.send(user, "/mydata")
    await harness.press(user, "E-mail")
    [cancelled] = await harness.send(user, "/cancel")
    assert cancelled.text == "Действие отменено, ничего не сохранено."
    [answer] = await harness.send(user, "after@example.kz")
    assert "не понял" in (answer.text or "")
    assert (await users.get_user(harness.app.db, user)).email is None  # type: ignore[union-attr]


async def test_new_policy_version_makes_consent_outdated(
    make_settings: Callable[..., Settings], stand_in, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, policies)
    app = await create_app(make_settings(policy_dir=policies), clock=ManualClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    try:
        user = harness.user(309)
        await harness.onboard(user)
        shutil.copytree(policies / "2026-01-01", policies / "2026-04-01")
        await harness.restart()
        # A folder added by hand becomes current only when an operator publishes it.
        [status] = await harness.send(user, "/consent")
        assert "действует новая редакция" not in (status.text or "")
        operator = harness.user(9001, first_name="Оператор")
        stand_in.add_group(ADMIN_CHAT_ID, members=[operator])
        await harness.send(operator, "/policy_versions", chat_id=ADMIN_CHAT_ID)
        await harness.press(operator, "Опубликовать редакцию от 01.04.2026", chat_id=ADMIN_CHAT_ID)
        await harness.press(operator, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
        # The update notice goes out as a broadcast in the background: let it finish first, so
        # it does not land among the replies checked below.
        await harness.app.extra["broadcaster"].run_until_idle()
        [status] = await harness.send(user, "/consent")
        assert "с 01.04.2026 действует новая редакция" in (status.text or "")
        replies = await harness.send(user, "/start")
        assert any("Политика конфиденциальности обновилась" in (m.text or "") for m in replies)
        assert "редакция от 01.04.2026" in (replies[-1].text or "")
        await harness.press(user, "Принимаю")
        record = await consents.latest(harness.app.db, user)
        assert record is not None and record.policy_version == "2026-04-01"
    finally:
        await harness.stop()
