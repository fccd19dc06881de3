"""A version published from the admin chat takes effect in the running (polling) bot at once.

Regression: start_polling copies the dispatcher's data once, so a library stored there after
start was never seen by handlers: the operator was told "published", users got the notice, and
then every button of the notice was "outdated", /policy and /consent showed the old version and
/policy_versions lost the new one, until a restart. The Harness runs the bot through
start_polling, as production does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from storage import consents
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness

OUTDATED = "Эта кнопка устарела"


async def test_publication_is_seen_everywhere_without_a_restart(
    make_settings: Callable[..., Settings], stand_in, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(SAMPLE_POLICY_DIR, policies)
    harness = Harness(await create_app(make_settings(policy_dir=policies), clock=ManualClock(START)), stand_in)
    await harness.start()
    try:
        user = harness.user(321)
        await harness.onboard(user)
        # A folder added later is on disk but not in force until an operator publishes it.
        shutil.copytree(policies / "2026-01-01", policies / "2026-04-01")
        await harness.restart()
        operator = harness.user(9001, first_name="Оператор")
        stand_in.add_group(ADMIN_CHAT_ID, members=[operator])

        await harness.send(operator, "/policy_versions", chat_id=ADMIN_CHAT_ID)
        await harness.press(operator, "Опубликовать редакцию от 01.04.2026", chat_id=ADMIN_CHAT_ID)
        await harness.press(operator, "✅ Опубликовать", chat_id=ADMIN_CHAT_ID)
        await harness.app.extra["broadcaster"].run_until_idle()

        # The operators' list shows the new version as the one in force.
        [versions] = await harness.send(operator, "/policy_versions", chat_id=ADMIN_CHAT_ID)
        line = next((row for row in (versions.text or "").splitlines() if row.startswith("01.04.2026")), "")
        assert "действующая" in line, versions.text
        # The notice reached the user and each of its buttons works.
        notice = harness.server.last_bot_message(user)
        assert "Политика конфиденциальности обновлена" in (notice.text or "")
        for label in ("Вся новая редакция", "Ознакомиться и принять"):
            replies = await harness.press(user, label)
            assert replies and all(OUTDATED not in (m.text or "") for m in replies), label
            assert OUTDATED not in str(harness.server.answered_callbacks[-1].get("text"))
        # "Review and accept" shows the notice for the new version; /consent calls the old
        # consent outdated until the user accepts; /policy is the new text.
        assert "редакция от 01.04.2026" in harness.last_text(user)
        [status] = await harness.send(user, "/consent")
        assert "с 01.04.2026 действует новая редакция" in (status.text or "")
        [toc] = await harness.send(user, "/policy")
        assert "01.04.2026" in (toc.text or "")
        await harness.send(user, "/start")
        await harness.press(user, "Принимаю")
        record = await consents.latest(harness.app.db, user)
        assert record is not None and record.policy_version == "2026-04-01"
    finally:
        await harness.stop()
