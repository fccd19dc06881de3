"""Publishing policy versions from the admin chat, end to end through the polling bot: scheduled
versions, refused dates, declining, withdrawing, and a crash between publication and notice."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.broadcaster import Broadcaster
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from stand_in import TelegramStandIn
from storage import broadcasts, consents
from storage.db import to_iso
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

OPERATOR = 9001
USER = 71_001
OUTDATED_CONSENT = "действует новая редакция"


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, target)
    return target


@pytest.fixture
async def harness(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, policy_dir: Path
) -> AsyncIterator[Harness]:
    app = await create_app(make_settings(policy_dir=policy_dir, broadcast_rate=50), clock=ManualClock(START))
    h = Harness(app, stand_in)
    await h.start()
    stand_in.add_group(ADMIN_CHAT_ID, members=[h.user(OPERATOR, first_name="Оператор")])
    await h.onboard(h.user(USER))
    yield h
    await h.stop()


def broadcaster(harness: Harness) -> Broadcaster:
    return harness.app.extra["broadcaster"]


def new_texts(policy_dir: Path) -> dict[str, str]:
    ru = (policy_dir / "2026-01-01" / "ru.md").read_text(encoding="utf-8")
    kk = (policy_dir / "2026-01-01" / "kk.md").read_text(encoding="utf-8")
    return {
        "ru.md": ru + "\n11. ХРАНЕНИЕ В ОБЛАКЕ\nДанные хранятся в облаке в Казахстане.\n",
        "kk.md": kk + "\n11. БҰЛТТА САҚТАУ\nДеректер Қазақстандағы бұлтта сақталады.\n",
    }


async def upload(harness: Harness, policy_dir: Path) -> None:
    for name, text in new_texts(policy_dir).items():
        await harness.send(OPERATOR, chat_id=ADMIN_CHAT_ID, document=(name, text.encode()))


async def publish_command(harness: Harness, date: str) -> str:
    replies = await harness.send(OPERATOR, f"/publish_policy {date}", chat_id=ADMIN_CHAT_ID)
    return replies[-1].text or ""


def notices(harness: Harness, user: int) -> list[str]:
    return [m.text or "" for m in harness.server.bot_messages(user) if "Политика конфиденциальности обновл" in (m.text or "")]


def almaty_midnight(year: int, month: int, day: int) -> datetime:
    # Asia/Almaty is UTC+5 all year (since 2024-03-01): 00:00 there is 19:00 UTC the day before.
    return datetime(year, month, day, tzinfo=UTC) - timedelta(hours=5)


async def consent_status(harness: Harness) -> str:
    [status] = await harness.send(USER, "/consent")
    return status.text or ""


async def test_future_version_is_announced_now_and_becomes_current_on_its_date(harness: Harness, policy_dir: Path) -> None:
    await upload(harness, policy_dir)
    review = await publish_command(harness, "2026-04-01")
    assert "действующей она станет 01.04.2026" in review
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    assert any("вступит в силу в этот день" in (m.text or "") for m in harness.server.bot_messages(ADMIN_CHAT_ID))
    await broadcaster(harness).run_until_idle()

    # Announced at once: "in force from", the new text readable, nothing to accept yet.
    [notice] = notices(harness, USER)
    assert "вступит в силу 01.04.2026" in notice and "Новый раздел: 11. ХРАНЕНИЕ В ОБЛАКЕ" in notice
    labels = [text for row in harness.server.last_bot_message(USER).buttons() for text, _ in row]
    assert not any("принять" in label for label in labels), labels
    [section] = await harness.press(USER, "11. ХРАНЕНИЕ В ОБЛАКЕ")
    assert "Данные хранятся в облаке" in (section.text or "")
    [whole] = await harness.press(USER, "Вся новая редакция")
    assert "Эта редакция вступит в силу 01.04.2026. До этого действует редакция от 01.01.2026." in (whole.text or "")
    # Not in force before its date: consent stays valid, /policy is the old version.
    assert OUTDATED_CONSENT not in await consent_status(harness)
    [toc] = await harness.send(USER, "/policy")
    assert "01.01.2026" in (toc.text or "")

    schedule = harness.app.dispatcher["policy_schedule"]
    harness.clock.set(almaty_midnight(2026, 4, 1) - timedelta(minutes=1))
    await schedule.tick()
    assert OUTDATED_CONSENT not in await consent_status(harness)  # 23:59 on 31 March in Almaty

    harness.clock.set(almaty_midnight(2026, 4, 1))
    await schedule.tick()
    assert "с 01.04.2026 действует новая редакция" in await consent_status(harness)
    [toc] = await harness.send(USER, "/policy")
    assert "01.04.2026" in (toc.text or "")
    await harness.send(USER, "/start")
    await harness.press(USER, "Даю согласие")
    record = await consents.latest(harness.app.db, USER)
    assert record is not None and record.policy_version == "2026-04-01"
    events = await harness.app.db.fetch_all("SELECT actor, event FROM audit_log WHERE event LIKE 'policy_%' ORDER BY id")
    assert [(e["actor"], e["event"]) for e in events][-2:] == [
        (f"operator:{OPERATOR}", "policy_published"), ("system", "policy_in_force"),
    ]


async def test_dates_too_far_ahead_or_before_the_version_in_force_are_refused_politely(harness: Harness, policy_dir: Path) -> None:
    await upload(harness, policy_dir)
    answer = await publish_command(harness, "9999-12-31")
    assert "не дальше чем на год вперёд" in answer and "02.03.2027" in answer
    answer = await publish_command(harness, "2025-12-31")
    assert "позже действующей (01.01.2026)" in answer
    # The files were kept: a valid date goes on to the review.
    review = await publish_command(harness, "2027-03-02")
    assert "Новая редакция политики от 02.03.2027" in review
    assert OUTDATED_CONSENT not in await consent_status(harness)


async def test_declining_removes_the_files_and_the_same_date_can_be_published_later(harness: Harness, policy_dir: Path) -> None:
    await upload(harness, policy_dir)
    await publish_command(harness, "2026-03-01")
    await harness.press(OPERATOR, "Не публиковать", chat_id=ADMIN_CHAT_ID)
    assert "загруженные файлы удалены" in harness.last_text(ADMIN_CHAT_ID)
    assert not (policy_dir / "2026-03-01").exists()
    # Nothing left over: the same date needs the files again, and then publishes.
    assert "файлы политики не присланы" in await publish_command(harness, "2026-03-01")
    await upload(harness, policy_dir)
    assert "Новая редакция политики от 01.03.2026" in await publish_command(harness, "2026-03-01")
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    assert len(notices(harness, USER)) == 1
    assert "с 01.03.2026 действует новая редакция" in await consent_status(harness)


async def test_a_scheduled_version_can_be_withdrawn_before_its_date(harness: Harness, policy_dir: Path) -> None:
    await upload(harness, policy_dir)
    await publish_command(harness, "2026-04-01")
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    [versions] = await harness.send(OPERATOR, "/policy_versions", chat_id=ADMIN_CHAT_ID)
    assert "назначена, вступит в силу 01.04.2026" in (versions.text or "")
    # The version in force cannot be withdrawn; the scheduled one can, by command or button.
    [refused] = await harness.send(OPERATOR, "/withdraw_policy 2026-01-01", chat_id=ADMIN_CHAT_ID)
    assert "только назначенную редакцию" in (refused.text or "")
    [question] = await harness.send(OPERATOR, "/withdraw_policy 2026-04-01", chat_id=ADMIN_CHAT_ID)
    assert "Отозвать назначенную редакцию от 01.04.2026?" in (question.text or "")
    await harness.press(OPERATOR, "Оставить", chat_id=ADMIN_CHAT_ID)
    assert "остаётся назначенной" in harness.last_text(ADMIN_CHAT_ID)
    await harness.press(OPERATOR, "Отозвать редакцию от 01.04.2026", chat_id=ADMIN_CHAT_ID)
    await harness.press(OPERATOR, "↩️ Отозвать", chat_id=ADMIN_CHAT_ID)
    assert "отозвана и не вступит в силу" in harness.last_text(ADMIN_CHAT_ID)
    assert not (policy_dir / "2026-04-01").exists()
    events = await harness.app.db.fetch_all("SELECT actor, event FROM audit_log WHERE event LIKE 'policy_%' ORDER BY id")
    assert (f"operator:{OPERATOR}", "policy_withdrawn") in [(e["actor"], e["event"]) for e in events]

    harness.clock.set(almaty_midnight(2026, 4, 2))
    await harness.app.dispatcher["policy_schedule"].tick()
    assert OUTDATED_CONSENT not in await consent_status(harness)
    [toc] = await harness.send(USER, "/policy")
    assert "01.01.2026" in (toc.text or "")
    # The withdrawn date is free again (here: now in the past, so published at once).
    await upload(harness, policy_dir)
    assert "Новая редакция политики от 01.04.2026" in await publish_command(harness, "2026-04-01")
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    await broadcaster(harness).run_until_idle()
    assert "с 01.04.2026 действует новая редакция" in await consent_status(harness)


async def test_a_crash_inside_the_publication_records_nothing_and_confirming_again_works(
    harness: Harness, policy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upload(harness, policy_dir)
    await publish_command(harness, "2026-03-01")
    real = broadcasts.create_running_in

    async def crash(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("killed between the publication record and its notice")

    monkeypatch.setattr(broadcasts, "create_running_in", crash)
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    # Neither the version nor the notice: the publication and its notice are one transaction.
    assert OUTDATED_CONSENT not in await consent_status(harness)
    assert await harness.app.db.fetch_value("SELECT count(*) FROM policy_publications WHERE version = '2026-03-01'") == 0
    assert notices(harness, USER) == []

    monkeypatch.setattr(broadcasts, "create_running_in", real)
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)  # the same button, again
    await broadcaster(harness).run_until_idle()
    assert len(notices(harness, USER)) == 1
    assert "с 01.03.2026 действует новая редакция" in await consent_status(harness)


async def test_a_restart_before_the_notice_was_sent_sends_it_after_the_restart(
    harness: Harness, policy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upload(harness, policy_dir)
    await publish_command(harness, "2026-03-01")
    monkeypatch.setattr(Broadcaster, "wake", lambda self: None)  # the process dies before sending
    await harness.press(OPERATOR, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
    assert notices(harness, USER) == []
    await harness.restart()
    await broadcaster(harness).run_until_idle()
    [notice] = notices(harness, USER)
    assert "действует с 01.03.2026" in notice


async def test_a_publication_whose_notice_was_never_created_gets_it_at_start_up(harness: Harness, policy_dir: Path) -> None:
    """The state an older version left after a crash between its separate steps."""
    shutil.copytree(policy_dir / "2026-01-01", policy_dir / "2026-03-01")
    await harness.app.db.execute(
        "INSERT INTO policy_publications (version, published_by, published_at, in_force_at) VALUES (?, ?, ?, ?)",
        ("2026-03-01", f"operator:{OPERATOR}", to_iso(START), to_iso(START)),
    )
    await harness.restart()
    await broadcaster(harness).run_until_idle()
    [notice] = notices(harness, USER)
    assert "действует с 01.03.2026" in notice
    assert "с 01.03.2026 действует новая редакция" in await consent_status(harness)
    assert "Итог рассылки" in harness.last_text(ADMIN_CHAT_ID)  # the operators get the report


async def test_forged_publish_buttons_touch_no_folder(harness: Harness, policy_dir: Path) -> None:
    keep = policy_dir.parent / "keep"
    keep.mkdir()
    await upload(harness, policy_dir)
    await publish_command(harness, "2026-03-01")
    review = harness.server.last_bot_message(ADMIN_CHAT_ID)
    for data in ("pp:n:../../keep", "pp:r:../../keep", "pp:y:../2026-01-01", "pp:w:2026-13-45"):
        await harness.feed(harness.server.callback(OPERATOR, review.message_id, data, chat_id=ADMIN_CHAT_ID))
        assert harness.server.answered_callbacks[-1].get("text") == "Эта кнопка устарела. Откройте нужный раздел из меню заново."
    assert keep.is_dir() and (policy_dir / ".staging" / "ru.md").is_file()
    assert OUTDATED_CONSENT not in await consent_status(harness)
