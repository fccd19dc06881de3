"""`python -m bot backup DEST` while the bot runs a broadcast: a consistent, verified, private copy."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import create_app
from bot.backup import verify
from bot.clock import ManualClock
from bot.config import Settings
from stand_in import TelegramStandIn
from storage import broadcasts, consents, users
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

OPERATOR = 9001


async def run_bot_command(settings: Settings, cwd: Path, *args: str) -> tuple[int, str]:
    """`python -m bot ARGS` in its own process with these settings, this loop running meanwhile."""
    env = {
        **os.environ,
        "BOT_TOKEN": settings.bot_token.get_secret_value(),
        "ADMIN_CHAT_ID": str(settings.admin_chat_id),
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_API_URL": settings.telegram_api_url or "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


class RealPacedClock(ManualClock):
    """A ManualClock whose broadcaster paces on real time: the backup must run while it sends,
    and on a ManualClock's own time ten seconds of pacing pass at once."""

    monotonic = None  # type: ignore[assignment]
    sleep = None  # type: ignore[assignment]


@pytest.fixture
async def slow_broadcasting(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> AsyncIterator[Harness]:
    """The bot with an operator in the admin chat, broadcasting 20 messages a second of real time."""
    app = await create_app(make_settings(broadcast_rate=20), clock=RealPacedClock(START))
    harness = Harness(app, stand_in)
    await harness.start()
    stand_in.add_group(ADMIN_CHAT_ID, members=[harness.user(OPERATOR, first_name="Оператор")])
    yield harness
    await harness.stop()


async def seed(harness: Harness, ids: list[int]) -> None:
    """Users who started the bot and gave consent (straight into the database)."""
    db, now = harness.app.db, harness.clock.now()
    for user_id in ids:
        harness.user(user_id)
        await users.touch_customer(db, user_id=user_id, first_name="U", last_name=None, username=None,
                                   telegram_language="ru", now=now)
        await users.set_language(db, user_id, "ru", now)
        await consents.record_decision(db, user_id=user_id, policy_version="2026-01-01", language="ru",
                                       decision="given", notice_text="notice", now=now)


async def file_claim(harness: Harness, user_id: int) -> str:
    await harness.send(user_id, "/claim")
    await harness.press(user_id, "Письменная претензия")
    await harness.send(user_id, "Верните деньги за заказ")
    await harness.press(user_id, "Продолжить")
    return (await harness.press(user_id, "Подтвердить"))[-1].text or ""


async def test_backup_during_a_running_broadcast_holds_the_latest_claim(slow_broadcasting: Harness, tmp_path: Path) -> None:
    harness = slow_broadcasting
    await seed(harness, list(range(30_001, 30_201)))  # 200 recipients at 20 a second: ten seconds
    customer = harness.user(1001)
    await harness.onboard(customer)
    # The operator posts a notice and broadcasts it to everyone.
    harness.server.user_message(OPERATOR, "Плановые работы 10 марта", chat_id=ADMIN_CHAT_ID)
    source = [m for m in harness.server.messages(ADMIN_CHAT_ID) if not m.from_bot][-1]
    await harness.send(OPERATOR, "/broadcast all", chat_id=ADMIN_CHAT_ID, reply_to_message_id=source.message_id)
    await harness.press(OPERATOR, "Отправить", chat_id=ADMIN_CHAT_ID)
    await harness.server.wait_until(lambda: len(harness.server.calls_to("copyMessage")) >= 10, timeout=10)

    # A claim filed while the broadcast runs is the newest thing in the database.
    receipt = await file_claim(harness, customer)
    assert "2026-0001" in receipt
    sent_before = len(harness.server.calls_to("copyMessage"))

    dest = tmp_path / "backups" / "bot.sqlite3"
    dest.parent.mkdir()
    code, output = await run_bot_command(harness.app.settings, tmp_path, "backup", str(dest))
    assert code == 0, output
    assert await broadcasts.running(harness.app.db)  # still sending after the backup
    assert len(harness.server.calls_to("copyMessage")) > sent_before
    assert sent_before < 200

    assert dest.stat().st_mode & 0o777 == 0o600
    assert verify(dest) == []
    assert not dest.with_name(dest.name + "-wal").exists()  # one self-contained file
    copy = sqlite3.connect(f"{dest.as_uri()}?mode=ro", uri=True)
    try:
        numbers = [row[0] for row in copy.execute("SELECT number FROM claims")]
        sent = copy.execute("SELECT COUNT(*) FROM broadcast_recipients WHERE state = 'sent'").fetchone()[0]
        state = copy.execute("SELECT state FROM broadcasts").fetchone()[0]
    finally:
        copy.close()
    assert numbers == ["2026-0001"]
    assert state == "running" and 0 < sent < 200  # a snapshot taken mid-broadcast
    assert list(dest.parent.iterdir()) == [dest]  # no partial file left behind

    # A folder as DEST gets a timestamped file; the previous backup is untouched.
    code, output = await run_bot_command(harness.app.settings, tmp_path, "backup", str(dest.parent))
    assert code == 0, output
    files = sorted(p.name for p in dest.parent.iterdir())
    assert len(files) == 2 and files[0].startswith("bot-") and files[1] == "bot.sqlite3"
