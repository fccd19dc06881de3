"""`python -m bot backup DEST` while the bot runs a broadcast: a consistent, verified, private copy."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.backup import verify
from bot.config import Settings
from tests.e2e.conftest import ADMIN_CHAT_ID, Harness
from tests.e2e.test_broadcasts import OPERATOR, broadcaster, make_harness, policy_dir, seed, start_broadcast  # noqa: F401
from tests.e2e.test_claims import file_claim


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


async def test_backup_during_a_running_broadcast_holds_the_latest_claim(make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    harness: Harness = await make_harness(broadcast_rate=20)
    await seed(harness, list(range(30_001, 30_201)))  # 200 recipients at 20 a second: ten seconds
    customer = harness.user(1001)
    await harness.onboard(customer)
    source, _ = await start_broadcast(harness, "/broadcast all", text="Плановые работы 10 марта")
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
    assert broadcaster(harness).running  # the broadcast went on meanwhile
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
