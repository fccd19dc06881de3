"""A real `kill -9` of `python -m bot` in the middle of a policy notice, then a new start.

The bot runs in its own process against the stand-in (as in production, with its own clock and
pacing); the test sends it SIGKILL while it is sending, starts the bot again on the same database
and checks that every recipient has the notice: at least once, with the possible duplicates
counted in the report.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

from bot.app import create_app
from bot.broadcaster import Broadcaster
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from stand_in import TelegramStandIn
from storage import broadcasts, users
from storage.db import Database
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

PROJECT = Path(__file__).resolve().parents[2]
OPERATOR = 9001
RECIPIENTS = list(range(95_001, 95_121))


async def prepare(db_path: Path, server: TelegramStandIn) -> tuple[int, int]:
    """Users who started the bot, and a confirmed policy notice copying an operator's message."""
    server.add_user(OPERATOR, first_name="Оператор")
    server.add_group(ADMIN_CHAT_ID, members=[OPERATOR])
    server.user_message(OPERATOR, "Мы обновили политику конфиденциальности", chat_id=ADMIN_CHAT_ID)
    source = server.messages(ADMIN_CHAT_ID)[-1].message_id
    db = await Database.open(db_path)
    try:
        for user_id in RECIPIENTS:
            server.add_user(user_id, first_name="U", language_code="ru")
            await users.touch_customer(db, user_id=user_id, first_name="U", last_name=None, username=None,
                                       telegram_language="ru", now=START)
        draft = await broadcasts.create_draft(
            db, kind="policy", created_by=OPERATOR, locale="ru", now=START, source_chat_id=ADMIN_CHAT_ID,
            source_message_id=source, policy_version="2026-01-01",
        )
        started = await broadcasts.start(db, draft, actor=f"operator:{OPERATOR}", now=START)
        assert started is not None and started.total == len(RECIPIENTS)
    finally:
        await db.close()
    return draft, source


async def test_sigkill_during_a_policy_notice_leaves_nobody_without_it(
    tmp_path: Path, stand_in: TelegramStandIn, make_settings
) -> None:  # type: ignore[no-untyped-def]
    server = stand_in
    db_path = tmp_path / "bot.sqlite3"
    policy_dir = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, policy_dir)
    broadcast_id, source = await prepare(db_path, server)

    env = {
        **os.environ, "PYTHONPATH": str(PROJECT), "BOT_TOKEN": server.token, "ADMIN_CHAT_ID": str(ADMIN_CHAT_ID),
        "TELEGRAM_API_URL": server.url, "DATABASE_URL": f"sqlite:///{db_path}", "POLICY_DIR": str(policy_dir),
        "BROADCAST_RATE": "40", "LOG_LEVEL": "WARNING",
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        # It resumes the running notice at start; kill it a quarter of the way through.
        await server.wait_until(lambda: len(server.calls_to("copyMessage")) >= 30, timeout=90, what="sending")
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    assert bot.returncode == -signal.SIGKILL
    sent_before = len(server.calls_to("copyMessage"))
    assert sent_before < len(RECIPIENTS), "the bot finished before it was killed"

    # Started again on the same database (here in-process, on a manual clock).
    settings: Settings = make_settings(database_url=f"sqlite:///{db_path}", policy_dir=policy_dir, broadcast_rate=40)
    clock = ManualClock(START)
    server.clock = clock.monotonic
    harness = Harness(await create_app(settings, clock=clock), server)
    await harness.start()
    try:
        broadcaster: Broadcaster = harness.app.extra["broadcaster"]
        await broadcaster.run_until_idle()
        received = {
            user_id: sum(1 for m in server.bot_messages(user_id) if m.copied_from == (ADMIN_CHAT_ID, source))
            for user_id in RECIPIENTS
        }
        assert min(received.values()) == 1, [u for u, n in received.items() if not n]  # nobody without it
        states = await broadcasts.recipient_states(harness.app.db, broadcast_id)
        assert set(states.values()) == {"sent"}
        twice = sum(1 for n in received.values() if n > 1)
        counted = await broadcasts.possible_duplicates(harness.app.db, broadcast_id)
        assert twice <= counted  # whoever may have it twice is counted (and shown in the report)
        assert await broadcasts.state_of(harness.app.db, broadcast_id) == "done"
    finally:
        await harness.stop()

