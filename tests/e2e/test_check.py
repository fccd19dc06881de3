"""`python -m bot check` and the same checks at start, against the stand-in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import create_checked_app, run_polling
from bot.clock import ManualClock
from bot.config import Settings
from bot.startup_check import Report, StartupCheckFailed, run_checks
from stand_in import TelegramStandIn
from tests.e2e.conftest import ADMIN_CHAT_ID, START, Harness
from tests.e2e.test_backup import run_bot_command
from tests.e2e.test_outbox import customer, file_claim, run_once


def finding(report: Report, name: str) -> tuple[str, str, str | None]:
    [f] = [f for f in report.findings if f.name == name]
    return f.status, f.detail, f.fix


async def test_check_reports_a_bot_that_is_not_in_the_admin_chat(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    settings = make_settings()
    stand_in.set_bot_member(ADMIN_CHAT_ID, "left")
    code, output = await run_bot_command(settings, tmp_path, "check")
    assert code == 1, output
    assert f"FAIL  admin chat: the bot is not in the admin chat {ADMIN_CHAT_ID}" in output
    assert "fix: add @privacy_test_bot to the operators' group and make it an administrator" in output
    assert "ok    telegram: getMe: @privacy_test_bot" in output
    assert "problems found." in output

    stand_in.set_bot_member(ADMIN_CHAT_ID, "administrator")
    code, output = await run_bot_command(settings, tmp_path, "check")
    assert code == 0, output
    assert "FAIL" not in output and "ready to run." in output


async def test_the_bot_refuses_to_start_and_says_why(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    stand_in.set_bot_member(ADMIN_CHAT_ID, "kicked")
    with pytest.raises(StartupCheckFailed) as failure:
        await run_polling(make_settings())
    status, detail, fix = finding(failure.value.report, "admin chat")
    assert status == "fail" and "not in the admin chat" in detail and fix and "add @privacy_test_bot" in fix
    assert stand_in.calls_to("getUpdates") == [] and stand_in.calls_to("sendMessage") == []


async def test_rights_in_the_admin_chat(make_settings: Callable[..., Settings], stand_in: TelegramStandIn) -> None:
    settings = make_settings()
    stand_in.set_bot_member(ADMIN_CHAT_ID, "restricted", can_send_messages=False)
    status, detail, fix = finding(await run_checks(settings), "admin chat")
    assert status == "fail" and "cannot post" in detail and fix and "administrator" in fix

    stand_in.add_group(ADMIN_CHAT_ID, is_forum=True)
    stand_in.set_bot_member(ADMIN_CHAT_ID, "administrator", can_manage_topics=False)
    status, detail, fix = finding(await run_checks(settings), "admin chat")
    assert status == "fail" and "forum" in detail and "cannot create topics" in detail
    assert fix and "Manage topics" in fix

    stand_in.set_bot_member(ADMIN_CHAT_ID, "member")
    status, detail, fix = finding(await run_checks(settings), "admin chat")
    assert status == "fail" and "cannot create topics" in detail  # a plain member cannot either

    stand_in.set_bot_member(ADMIN_CHAT_ID, "administrator")
    report = await run_checks(settings)
    assert not report.failed and finding(report, "admin chat")[0] == "ok"


async def test_token_policy_and_database_problems_each_with_a_fix(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, tmp_path: Path
) -> None:
    empty = tmp_path / "no-policy"
    empty.mkdir()
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    report = await run_checks(make_settings(
        bot_token="123456:WRONG-token", policy_dir=empty, database_url=f"sqlite:///{blocked}/bot.sqlite3",
    ))
    assert report.failed
    status, detail, fix = finding(report, "telegram")
    assert status == "fail" and "401" in detail and fix and "@BotFather" in fix
    status, detail, fix = finding(report, "policy")
    assert status == "fail" and fix and "YYYY-MM-DD" in fix
    status, detail, fix = finding(report, "database")
    assert status == "fail" and fix and "DATABASE_URL" in fix
    assert not any(f.name == "admin chat" for f in report.findings)  # not asked with a refused token


async def test_a_start_asks_telegram_about_the_admin_chat_once_and_still_learns_it_is_a_forum(
    make_settings: Callable[..., Settings], stand_in: TelegramStandIn, caplog: pytest.LogCaptureFixture,
) -> None:
    """The start-up check and the scheduler both need the chat; the check's answer serves both."""
    stand_in.add_group(ADMIN_CHAT_ID, title="Operators", is_forum=True)
    with caplog.at_level(logging.INFO):
        # As `python -m bot` starts: the check and the app, then start_polling's start-up.
        h = Harness(await create_checked_app(make_settings(scheduler_autostart=False), clock=ManualClock(START)), stand_in)
        await h.start()
    try:
        assert len(stand_in.calls_to("getChat")) == 1 and len(stand_in.calls_to("getChatMember")) == 1
        logged = [r.getMessage() for r in caplog.records]
        assert any(m.startswith("check admin chat: ") and "forum" in m for m in logged)
        assert f"operators' chat ADMIN_CHAT_ID={ADMIN_CHAT_ID} reachable (supergroup, forum)" in logged
        # The scheduler knows it is a forum without asking: the claim's card gets its own topic.
        await file_claim(h, await customer(h, 4101), "Претензия")
        await run_once(h)
        assert len(stand_in.topics(ADMIN_CHAT_ID)) == 1
        assert len(stand_in.calls_to("getChat")) == 1
    finally:
        await h.stop()
