"""Broadcasts and policy publishing, end to end against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.broadcaster import Broadcaster
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from stand_in import TelegramStandIn
from storage import audit, broadcasts, consents, users
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

OPERATOR = 9001
RATE = 50


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, target)
    return target


@pytest.fixture
async def make_harness(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, policy_dir: Path
) -> AsyncIterator[Callable[..., Any]]:
    harnesses: list[Harness] = []

    async def make(**overrides: Any) -> Harness:
        settings = make_settings(**{"policy_dir": policy_dir, "broadcast_rate": RATE, **overrides})
        clock = ManualClock(START)
        # The broadcaster paces on the manual clock (it sleeps by moving it) and the stand-in
        # stamps requests and times outages on the same clock: rates are measured, not waited for.
        stand_in.clock = clock.monotonic
        app = await create_app(settings, clock=clock)
        h = Harness(app, stand_in)
        await h.start()
        stand_in.add_group(ADMIN_CHAT_ID, members=[h.user(OPERATOR, first_name="Оператор")])
        harnesses.append(h)
        return h

    yield make
    for h in harnesses:
        await h.stop()


def broadcaster(harness: Harness) -> Broadcaster:
    return harness.app.extra["broadcaster"]


async def seed(harness: Harness, ids: list[int], *, language: str = "ru", consent: bool = True, ads: bool = False) -> None:
    """Users who started the bot (fast path: straight into the database)."""
    db, now = harness.app.db, harness.clock.now()
    for user_id in ids:
        harness.user(user_id, language_code=language)
        await users.touch_customer(db, user_id=user_id, first_name="U", last_name=None, username=None,
                                   telegram_language=language, now=now)
        await users.set_language(db, user_id, language, now)
        if consent:
            await consents.record_decision(db, user_id=user_id, policy_version="2026-01-01", language=language,
                                           decision="given", notice_text="notice", now=now)
        if ads:
            await users.set_ads_opt_in(db, user_id, True, reason="user", actor=audit.user_actor(user_id), now=now)


async def start_broadcast(harness: Harness, command: str, **message: Any) -> tuple[int, str]:
    """The operator posts a message and replies to it with the command; returns (source id, confirmation)."""
    harness.server.user_message(OPERATOR, chat_id=ADMIN_CHAT_ID, **message)
    source = [m for m in harness.server.messages(ADMIN_CHAT_ID) if not m.from_bot][-1]
    [confirmation] = await harness.send(OPERATOR, command, chat_id=ADMIN_CHAT_ID, reply_to_message_id=source.message_id)
    return source.message_id, confirmation.text or ""


def copies(harness: Harness, user_id: int, source_id: int) -> int:
    return sum(1 for m in harness.server.bot_messages(user_id) if m.copied_from == (ADMIN_CHAT_ID, source_id))


def notice_index(harness: Harness, user_id: int, notice: Any) -> int:
    return [m.message_id for m in harness.server.messages(user_id)].index(notice.message_id)


def max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)


async def test_broadcast_reaches_everyone_reachable_once_at_the_rate_limit(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(10_001, 10_301))
    await seed(harness, ids)
    blocked, deleted = ids[::15], ids[7::29]
    for user_id in blocked:
        harness.server.block(user_id)
    harness.server.deleted_users.update(deleted)
    harness.server.fail_next("copyMessage", error_code=429, retry_after=1, times=2)

    source, confirmation = await start_broadcast(harness, "/broadcast all", text="Плановые работы 10 марта")
    assert "300 получателей" in confirmation
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()

    gone = set(blocked) | set(deleted)
    for user_id in ids:
        assert copies(harness, user_id, source) == (0 if user_id in gone else 1), user_id
    for user_id in gone:
        assert (await users.get_user(harness.app.db, user_id)).reachable is False  # type: ignore[union-attr]

    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Итог рассылки" in report
    assert f"Доставлено: {300 - len(gone)}" in report
    assert f"Недоступны: {len(gone)}" in report
    assert "Ошибки: 0" in report

    calls = harness.server.calls_to("copyMessage")
    assert max_in_any_second([c.at for c in calls]) <= RATE
    limited = [c for c in calls if c.error_code == 429]
    assert len(limited) == 2
    after = [c for c in calls if c.at > limited[0].at]
    assert after[0].at >= limited[0].at + 0.95  # the whole sender paused for retry_after

    # Unreachable users are skipped from then on: a second broadcast does not try them.
    before = len(harness.server.calls_to("copyMessage"))
    source2, confirmation2 = await start_broadcast(harness, "/broadcast all", text="Ещё одно")
    assert f"{300 - len(gone)} получател" in confirmation2
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    assert len(harness.server.calls_to("copyMessage")) - before == 300 - len(gone)


async def test_restart_midway_resumes_without_duplicates_and_users_are_served(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(20_001, 20_201))
    await seed(harness, ids)
    source, _ = await start_broadcast(harness, "/broadcast all", photo=True, caption="<b>Новость</b>")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await harness.server.wait_until(lambda: len(harness.server.calls_to("copyMessage")) >= 40, timeout=10)

    # A user is answered while the broadcast runs.
    [answer] = await harness.send(ids[-1], "/help")
    assert "Что умеет этот бот" in (answer.text or "")
    assert broadcaster(harness).running

    await harness.restart()  # kills the broadcaster mid-run; the new one resumes at startup
    await broadcaster(harness).run_until_idle()

    delivered = {user_id: copies(harness, user_id, source) for user_id in ids}
    assert max(delivered.values()) == 1  # nobody got it twice
    [item] = await broadcasts.recent(harness.app.db, 1)
    states = await broadcasts.recipient_states(harness.app.db, item.id)
    assert item.state == "done"
    assert set(states.values()) <= {"sent", "uncertain"}
    assert sum(1 for s in states.values() if s == "uncertain") <= broadcaster(harness).concurrency
    missing = [u for u, n in delivered.items() if n == 0]
    assert all(states[u] == "uncertain" for u in missing)  # only the message in flight is in doubt


async def test_advertising_reaches_only_opted_in_users_and_opt_out_works_on_a_photo(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    opted, others = [30_001, 30_002, 30_003], [30_004, 30_005]
    await seed(harness, opted, ads=True)
    await seed(harness, others)
    await seed(harness, [30_006], consent=False)
    source, confirmation = await start_broadcast(harness, "/broadcast ads", photo=True, caption="Скидка 20%")
    assert "3 получателя" in confirmation and "Отказаться от рекламы" in confirmation
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    for user_id in opted:
        assert copies(harness, user_id, source) == 1
    for user_id in [*others, 30_006]:
        assert copies(harness, user_id, source) == 0

    replies = await harness.press(opted[0], "Отказаться от рекламы")
    assert any("вы отказались от рекламы" in (m.text or "") for m in replies)
    assert (await users.get_user(harness.app.db, opted[0])).ads_opt_in is False  # type: ignore[union-attr]
    ad = [m for m in harness.server.bot_messages(opted[0]) if m.copied_from][-1]
    assert ad.photo and ad.caption == "Скидка 20%" and not ad.buttons()
    assert [c.reason for c in await users.ads_history(harness.app.db, opted[0])][-1] == "broadcast_button"


async def test_opting_out_under_a_text_ad_keeps_the_ad(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    await seed(harness, [30_101], ads=True)
    source, _ = await start_broadcast(harness, "/broadcast ads", text="Новая коллекция уже в магазинах")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    await harness.press(30_101, "Отказаться от рекламы")
    ad = [m for m in harness.server.bot_messages(30_101) if m.copied_from == (ADMIN_CHAT_ID, source)][-1]
    assert ad.text == "Новая коллекция уже в магазинах" and not ad.buttons()
    assert (await users.get_user(harness.app.db, 30_101)).ads_opt_in is False  # type: ignore[union-attr]


async def test_strangers_cannot_broadcast(make_harness, stand_in: TelegramStandIn) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    stranger = harness.user(40_001)
    stand_in.add_group(-100777, title="Other", members=[stranger])
    msg = stand_in.user_message(stranger, "Реклама", chat_id=-100777)
    await harness.send(stranger, "/broadcast all", chat_id=-100777, reply_to_message_id=msg["message"]["message_id"])
    mine = stand_in.user_message(stranger, "Реклама")
    await harness.send(stranger, "/broadcast all", reply_to_message_id=mine["message"]["message_id"])
    assert await harness.app.db.fetch_value("SELECT count(*) FROM broadcasts") == 0
    assert stand_in.bot_messages(-100777) == []


async def test_cancel_button_stops_a_running_broadcast(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness(broadcast_rate=10)
    ids = list(range(50_001, 50_101))
    await seed(harness, ids)
    source, _ = await start_broadcast(harness, "/broadcast", text="Тест")
    await harness.press(OPERATOR, "Всем пользователям", chat_id=ADMIN_CHAT_ID)
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await harness.server.wait_until(lambda: len(harness.server.calls_to("copyMessage")) >= 5, timeout=10)
    await harness.press(OPERATOR, "Остановить рассылку", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    sent = sum(copies(harness, user_id, source) for user_id in ids)
    assert 5 <= sent < 30
    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Остановлена" in report and f"Не отправлено: {100 - sent}" in report
    [listing] = await harness.send(OPERATOR, "/broadcasts", chat_id=ADMIN_CHAT_ID)
    assert "Остановлена" in (listing.text or "")


async def test_paid_broadcast_is_announced_and_used(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness(broadcast_paid=True)
    await seed(harness, [60_001, 60_002])
    _, confirmation = await start_broadcast(harness, "/broadcast incident 60001 99999", document=("notice.pdf", b"%PDF"))
    assert "allow_paid_broadcast" in confirmation
    assert "99999" in confirmation and "1 получатель" in confirmation
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    [call] = harness.server.calls_to("copyMessage")
    assert call.params["chat_id"] == 60_001 and call.params.get("allow_paid_broadcast") is True


async def test_policy_published_from_files_notifies_users_and_makes_consent_outdated(
    make_harness, policy_dir: Path  # type: ignore[no-untyped-def]
) -> None:
    harness: Harness = await make_harness()
    ru_user, kk_user = harness.user(70_001), harness.user(70_002, language_code="kk")
    await harness.onboard(ru_user)
    await harness.onboard(kk_user, language="kk")
    ru = (policy_dir / "2026-01-01" / "ru.md").read_text(encoding="utf-8")
    kk = (policy_dir / "2026-01-01" / "kk.md").read_text(encoding="utf-8")
    ru_new = ru.replace("2.1. Политика распространяется", "2.1. Политика теперь распространяется") + "\n11. ХРАНЕНИЕ В ОБЛАКЕ\nДанные хранятся в облаке в Казахстане.\n"
    kk_new = kk + "\n11. БҰЛТТА САҚТАУ\nДеректер Қазақстандағы бұлтта сақталады.\n"

    [staged] = await harness.send(OPERATOR, chat_id=ADMIN_CHAT_ID, document=("kk.md", kk_new.encode()))
    assert "kk.md" in (staged.text or "")
    harness.server.user_message(OPERATOR, chat_id=ADMIN_CHAT_ID, document=("ru.md", ru_new.encode()))
    ru_doc = [m for m in harness.server.messages(ADMIN_CHAT_ID) if m.document and m.document[0] == "ru.md"][-1]
    replies = await harness.send(OPERATOR, "/publish_policy 2026-03-01", chat_id=ADMIN_CHAT_ID, reply_to_message_id=ru_doc.message_id)
    review = replies[-1].text or ""
    assert "Добавлен 1 раздел: 11. ХРАНЕНИЕ В ОБЛАКЕ" in review
    assert "Изменён 1 раздел: 2. ОБЩИЕ ПОЛОЖЕНИЯ" in review
    # Nothing changes for users before the confirmation.
    [status] = await harness.send(ru_user, "/consent")
    assert "действует новая редакция" not in (status.text or "")

    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    assert (policy_dir / "2026-03-01" / "ru.md").is_file()

    notice = harness.server.last_bot_message(ru_user)
    assert "Политика конфиденциальности обновлена" in (notice.text or "")
    assert "Новый раздел: 11. ХРАНЕНИЕ В ОБЛАКЕ" in (notice.text or "")
    kk_notice = harness.server.last_bot_message(kk_user)
    assert "Құпиялылық саясаты жаңартылды" in (kk_notice.text or "")
    assert "11. БҰЛТТА САҚТАУ" in (kk_notice.text or "")

    [status] = await harness.send(ru_user, "/consent")
    assert "с 01.03.2026 действует новая редакция" in (status.text or "")
    await harness.press(ru_user, "Ознакомиться и принять")
    await harness.press(ru_user, "Даю согласие")
    # The changed section opens from the notice in a new message; the notice keeps its buttons.
    [section] = await harness.press(ru_user, "11. ХРАНЕНИЕ В ОБЛАКЕ")
    assert "Данные хранятся в облаке" in (section.text or "")
    kept = harness.server.messages(ru_user)[notice_index(harness, ru_user, notice)]
    assert "Политика конфиденциальности обновлена" in (kept.text or "") and kept.buttons()
    # The version the user consented to stays readable.
    [old] = await harness.press(kk_user, "01.01.2026")
    assert "01.01.2026" in (old.text or "")
    assert harness.server.messages(kk_user)[notice_index(harness, kk_user, kk_notice)].buttons()
    record = await consents.latest(harness.app.db, ru_user)
    assert record is not None and record.policy_version == "2026-03-01"
    [versions] = await harness.send(OPERATOR, "/policy_versions", chat_id=ADMIN_CHAT_ID)
    assert f"оператор {OPERATOR}" in (versions.text or "") and "действующая" in (versions.text or "")


# ------------------------------------------------------------------ delivery guarantees

def states_of(harness: Harness) -> Any:
    async def read() -> dict[int, str]:
        [item] = await broadcasts.recent(harness.app.db, 1)
        return await broadcasts.recipient_states(harness.app.db, item.id)
    return read()


async def test_a_502_outage_pauses_the_whole_broadcast_and_everyone_is_served_exactly_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(80_001, 80_121))
    await seed(harness, ids)
    server = harness.server
    outage: list[float] = []

    def start_outage_at_the_40th_copy(call: Any) -> None:
        # In the middle of the broadcast Telegram's front answers "502 Bad Gateway" (an HTML page,
        # as nginx does) to every send for 12 seconds.
        if not outage and call.method == "copyMessage" and len(server.calls_to("copyMessage")) == 40:
            outage.append(server.clock())
            server.fail_for(12, error_code=502, methods=["copyMessage"])

    server.observers.append(start_outage_at_the_40th_copy)
    source, _ = await start_broadcast(harness, "/broadcast incident", text="Плановые работы: сервис недоступен 10 марта")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()

    assert outage, "the outage never started"
    for user_id in ids:
        assert copies(harness, user_id, source) == 1, user_id  # exactly once, nobody written off
    assert set((await states_of(harness)).values()) == {"sent"}
    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Доставлено: 120" in report and "Ошибки: 0" in report and "Не отправлено: 0" in report
    assert "Повторить" not in str(harness.server.last_bot_message(ADMIN_CHAT_ID).buttons())

    calls = server.calls_to("copyMessage")
    failed = [c for c in calls if c.error_code == 502]
    resumed = next(c for c in calls if c.ok and c.at > outage[0])
    assert resumed.at >= outage[0] + 12  # nothing got through during the outage ...
    assert resumed.at <= outage[0] + 12 + 8 + 1  # ... and sending resumed within one back-off step of its end
    # The whole broadcast paused with growing waits instead of hammering Telegram: the requests
    # already in flight, then one probe per back-off step (1, 2, 4, 8 s).
    assert len(failed) <= 2 * broadcaster(harness).concurrency + 3
    probes = sorted(c.at for c in failed)
    gaps = [b - a for a, b in zip(probes, probes[1:]) if b - a > 0.5]
    assert gaps == sorted(gaps) and len(gaps) >= 2 and gaps[-1] > gaps[0]
    # The progress message said so while it lasted, with the reason.
    shown = [c.params.get("text", "") for c in server.calls_to("editMessageText")]
    assert any("Пауза: Telegram не отвечает" in text and "502" in text for text in shown)


async def crash_during(harness: Harness, copy_path: Path, *, after_calls: int) -> None:
    """kill -9 at the `after_calls`-th copy: what is on disk at that instant is what the next
    start finds, and the process sends nothing more."""
    server, db_path = harness.server, harness.app.settings.database_path
    crashed: list[bool] = []

    def kill(call: Any) -> None:
        if crashed or call.method != "copyMessage" or len(server.calls_to("copyMessage")) < after_calls:
            return
        crashed.append(True)
        with sqlite3.connect(db_path) as source, sqlite3.connect(copy_path) as target:
            source.backup(target)  # only what was committed: a killed process's disk
        for task in asyncio.all_tasks():
            if task.get_name() == "broadcaster":
                task.cancel()  # its next step never comes

    server.observers.append(kill)
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await server.wait_until(lambda: crashed, timeout=30, what="the crash")
    server.observers.remove(kill)
    # The next start runs on what the killed process left on disk.
    await harness.restart(harness.app.settings.model_copy(update={"database_url": f"sqlite:///{copy_path}"}))
    await broadcaster(harness).run_until_idle()


async def test_a_kill_during_a_policy_notice_leaves_nobody_without_it(make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(90_001, 90_121))
    await seed(harness, ids)
    source, confirmation = await start_broadcast(harness, "/broadcast policy", text="Мы обновили политику конфиденциальности")
    assert "получат все" in confirmation  # the operator is told the guarantee before sending
    await crash_during(harness, tmp_path / "killed.sqlite3", after_calls=40)

    received = {user_id: copies(harness, user_id, source) for user_id in ids}
    assert min(received.values()) == 1  # nobody is without the notice
    assert set((await states_of(harness)).values()) == {"sent"}  # nothing left "uncertain"
    twice = sum(1 for n in received.values() if n > 1)
    assert twice >= 1  # the copy answered at the instant of the kill went out again
    report = harness.last_text(ADMIN_CHAT_ID)
    counted = int(report.split("могли получить дважды): ")[1].split()[0])
    assert twice <= counted <= broadcaster(harness).concurrency + 1  # every possible duplicate is counted
    assert "Доставлено: 120" in report


async def test_advertising_is_not_resent_after_a_crash(make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(91_001, 91_121))
    await seed(harness, ids, ads=True)
    source, confirmation = await start_broadcast(harness, "/broadcast ads", text="Скидка 20% до пятницы")
    assert "никому не придёт дважды" in confirmation
    await crash_during(harness, tmp_path / "killed.sqlite3", after_calls=40)

    received = {user_id: copies(harness, user_id, source) for user_id in ids}
    assert max(received.values()) == 1  # nobody gets the ad twice
    states = await states_of(harness)
    uncertain = [u for u, s in states.items() if s == "uncertain"]
    assert uncertain and set(states.values()) == {"sent", "uncertain"}
    assert [u for u, n in received.items() if n == 0 and states[u] != "uncertain"] == []
    assert f"Возможно, доставлено (отправка прервана сбоем или перезапуском): {len(uncertain)}" in harness.last_text(ADMIN_CHAT_ID)


async def test_retry_button_sends_again_only_to_the_failed_recipients(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(92_001, 92_011))
    await seed(harness, ids)
    server = harness.server
    # Two recipients' copies are refused for a reason that is not an outage.
    for user_id in ids[2:4]:
        server.fail_next("copyMessage", error_code=400, description="Bad Request: message to copy not found", chat_id=user_id)
    source, _ = await start_broadcast(harness, "/broadcast incident", text="Утечка данных: что мы сделали")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Ошибки: 2" in report and "message to copy not found" in report
    assert [copies(harness, u, source) for u in ids] == [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]

    before = len(server.calls_to("copyMessage"))
    await harness.press(OPERATOR, "Повторить для получателей с ошибкой: 2", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    retried = server.calls_to("copyMessage")[before:]
    assert sorted(c.params["chat_id"] for c in retried) == ids[2:4]  # only the failed ones
    assert [copies(harness, u, source) for u in ids] == [1] * 10
    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Итог рассылки" in report and "Ошибки: 0" in report and "Доставлено: 10" in report
    [item] = await broadcasts.recent(harness.app.db, 1)
    entries = await harness.app.db.fetch_all("SELECT actor, details FROM audit_log WHERE event = 'broadcast_failed_retried'")
    assert [(e["actor"], json.loads(e["details"])) for e in entries] == [
        (f"operator:{OPERATOR}", {"broadcast_id": item.id, "recipients": 2})
    ]
    # Nobody failed this time: the new report offers no retry.
    assert "Повторить" not in str(server.last_bot_message(ADMIN_CHAT_ID).buttons())


async def test_telegram_unreachable_pauses_a_notice_and_an_ad_copy_without_answer_is_not_resent(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    server = harness.server
    others, ad_ids = list(range(93_001, 93_061)), list(range(93_101, 93_161))
    await seed(harness, others)
    await seed(harness, ad_ids, ads=True)
    everyone = others + ad_ids

    def unreachable_at_the_20th_copy(call: Any) -> None:
        # 20 copies into each broadcast (the notice reaches 120 users), Telegram stops answering:
        # connections close without an answer, for 6 seconds.
        if call.method == "copyMessage" and call.ok and len([c for c in server.calls_to("copyMessage") if c.ok]) in (20, 140):
            server.fail_for(6, error_code=0, methods=["copyMessage"])

    server.observers.append(unreachable_at_the_20th_copy)
    notice, _ = await start_broadcast(harness, "/broadcast incident", text="Сбой: ваши данные не затронуты")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    # A legal notice: sent again after the outage to whoever got no answer; everyone has it once.
    assert [c for c in server.calls_to("copyMessage") if c.error_code == 0]  # the outage happened
    assert [copies(harness, u, notice) for u in everyone] == [1] * 120
    assert "Ошибки: 0" in harness.last_text(ADMIN_CHAT_ID)

    before = len(server.calls_to("copyMessage"))
    ad, _ = await start_broadcast(harness, "/broadcast ads", text="Скидка 20%")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    calls = server.calls_to("copyMessage")[before:]
    # An ad: a copy without an answer may have arrived, so it is not sent again.
    unanswered = {c.params["chat_id"] for c in calls if c.error_code == 0}
    states = await states_of(harness)
    assert unanswered and {u for u, s in states.items() if s == "uncertain"} == unanswered
    assert [copies(harness, u, ad) for u in ad_ids] == [0 if u in unanswered else 1 for u in ad_ids]
    assert len([c for c in calls if c.params["chat_id"] in unanswered]) == len(unanswered)  # one try each
    # The outage still paused the broadcast: a handful of recipients in doubt, not all that were due.
    assert len(unanswered) <= 2 * broadcaster(harness).concurrency + 3


async def test_one_recipient_whose_sends_keep_failing_is_written_off_not_retried_for_ever(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(94_001, 94_031))
    await seed(harness, ids)
    stuck = ids[5]
    harness.server.fail_next("copyMessage", error_code=500, description="Internal Server Error", times=1000, chat_id=stuck)
    source, _ = await start_broadcast(harness, "/broadcast incident", text="Уведомление")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    assert [copies(harness, u, source) for u in ids] == [0 if u == stuck else 1 for u in ids]
    tries = [c for c in harness.server.calls_to("copyMessage") if c.params["chat_id"] == stuck]
    assert len(tries) == broadcaster(harness).max_transient  # tried again, within bounds
    report = harness.last_text(ADMIN_CHAT_ID)
    assert "Ошибки: 1" in report and "Internal Server Error" in report and "Не отправлено: 0" in report
    assert "Повторить для получателей с ошибкой: 1" in str(harness.server.last_bot_message(ADMIN_CHAT_ID).buttons())


async def test_the_report_waits_out_a_short_outage(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    await seed(harness, [96_001, 96_002])
    server = harness.server

    def outage_when_the_last_copy_is_sent(call: Any) -> None:
        if call.method == "copyMessage" and len([c for c in server.calls_to("copyMessage") if c.ok]) == 2:
            server.fail_for(10, error_code=502, methods=["sendMessage"])  # just when the report is due

    server.observers.append(outage_when_the_last_copy_is_sent)
    await start_broadcast(harness, "/broadcast incident", text="Уведомление")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    reports = [c for c in server.calls_to("sendMessage") if c.params.get("chat_id") == ADMIN_CHAT_ID]
    assert [c.error_code for c in reports][-1] is None and any(c.error_code == 502 for c in reports)
    assert "Итог рассылки" in harness.last_text(ADMIN_CHAT_ID) and "Доставлено: 2" in harness.last_text(ADMIN_CHAT_ID)


async def test_a_person_blocked_while_a_broadcast_runs_gets_no_more_than_the_law_requires(make_harness) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness()
    ids = list(range(97_001, 97_041))
    await seed(harness, ids)
    blocked_later = ids[-1]  # sent last: recipients go in the order of their ids
    broadcaster(harness).page_size = 10  # read in pages, as 100,000 recipients would be
    db, server = harness.app.db, harness.server
    tasks: list[asyncio.Task[bool]] = []

    def block_at_the_first_copy(call: Any) -> None:
        # The audience was taken when the operator confirmed; then the person's processing is
        # blocked (an operator carries out their block request) while the broadcast runs.
        if call.method == "copyMessage" and not tasks:
            tasks.append(asyncio.get_running_loop().create_task(users.set_blocked(db, blocked_later, True, harness.clock.now())))

    server.observers.append(block_at_the_first_copy)
    source, _ = await start_broadcast(harness, "/broadcast all", text="Новый филиал открыт")
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()

    assert tasks and await tasks[0]
    assert copies(harness, blocked_later, source) == 0
    assert [copies(harness, u, source) for u in ids[:-1]] == [1] * (len(ids) - 1)
    assert (await states_of(harness))[blocked_later] == "skipped"
