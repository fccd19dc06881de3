"""The customer's services on a real SQLite file: each thing a person does is one transaction
that returns what happened, and a failure anywhere in it leaves nothing half-written.

The failures are injected with a trigger that makes the audit insert of that event fail: the
audit entry is the last write of each service, so everything before it must be rolled back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import ads, consent, corrections, language_choice, my_data, reachability
from bot.ads import AdsOutcome
from bot.config import Settings
from bot.consent import ConsentStatus, DecisionOutcome
from bot.corrections import CorrectionOutcome, Refusal
from storage import audit, consents, users
from storage.db import Database, to_iso
from storage.users import User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
SETTINGS = Settings(_env_file=None, bot_token="1:abcdefghij", admin_chat_id=-100)  # type: ignore[call-arg]
VERSION = "2026-01-01"
PERSON = 7


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


async def person(db: Database) -> User:
    return await users.touch_customer(db, user_id=PERSON, first_name="Айгүл", last_name=None, username="aigul",
                                      telegram_language="kk", now=NOW)


async def consented(db: Database) -> User:
    user = await person(db)
    answer = await consent.answer_notice(
        db, SETTINGS, user_id=PERSON, policy_version=VERSION, current_version=VERSION, language="ru",
        decision="given", notice_text="the notice", now=NOW,
    )
    assert answer.outcome is DecisionOutcome.RECORDED
    return user


async def events(db: Database) -> list[str]:
    return [entry.event for entry in await audit.entries_for_user(db, PERSON)]


async def fail_audit_of(db: Database, event: str) -> None:
    """From now on, writing the audit entry `event` fails (as a full disk or a bug would)."""
    await db.execute(
        f"CREATE TRIGGER injected_failure BEFORE INSERT ON audit_log WHEN NEW.event = '{event}' "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )


# --------------------------------------------------------------------------- advertising


async def test_advertising_needs_consent_and_is_recorded_with_its_history(db: Database) -> None:
    await person(db)
    refused = await ads.choose(db, user_id=PERSON, opt_in=True, from_ad=False, now=NOW)
    assert refused.outcome is AdsOutcome.NEEDS_CONSENT
    assert not (await users.get_user(db, PERSON)).ads_opt_in  # type: ignore[union-attr]

    await consented(db)
    on = await ads.choose(db, user_id=PERSON, opt_in=True, from_ad=False, now=LATER)
    assert on.outcome is AdsOutcome.TURNED_ON and on.status is not None and on.status.opted_in
    assert on.status.since == to_iso(LATER)  # "on since" is the choice's time
    assert (await ads.choose(db, user_id=PERSON, opt_in=True, from_ad=False, now=LATER)).outcome is AdsOutcome.ALREADY
    # Turning it off needs nothing: not consent, not even being unblocked.
    off = await ads.choose(db, user_id=PERSON, opt_in=False, from_ad=True, now=LATER)
    assert off.outcome is AdsOutcome.TURNED_OFF and off.status is not None and not off.status.opted_in
    assert [(c.opted_in, c.reason) for c in await users.ads_history(db, PERSON)] == [(True, "user"), (False, "broadcast_button")]
    assert (await events(db))[-2:] == ["ads_opt_in", "ads_opt_out"]


async def test_advertising_stays_off_while_processing_is_blocked(db: Database) -> None:
    await consented(db)
    async with db.transaction() as tx:
        await users.set_blocked(tx, PERSON, True, NOW)
    choice = await ads.choose(db, user_id=PERSON, opt_in=True, from_ad=False, now=LATER)
    assert choice.outcome is AdsOutcome.BLOCKED and choice.status is not None and choice.status.blocked
    assert await users.ads_history(db, PERSON) == []


async def test_a_failed_audit_entry_leaves_the_advertising_choice_unrecorded(db: Database) -> None:
    await consented(db)
    await fail_audit_of(db, "ads_opt_in")
    with pytest.raises(sqlite3.IntegrityError):
        await ads.choose(db, user_id=PERSON, opt_in=True, from_ad=False, now=LATER)
    assert not (await users.get_user(db, PERSON)).ads_opt_in  # type: ignore[union-attr]
    assert await users.ads_history(db, PERSON) == []


# --------------------------------------------------------------------------- corrections


async def test_corrections_need_consent_in_force_and_no_block(db: Database) -> None:
    await person(db)
    assert await corrections.may_correct(db, PERSON) is Refusal.NEEDS_CONSENT
    outcome = await corrections.correct(db, user_id=PERSON, field="email", value="a@example.kz", now=NOW)
    assert outcome is CorrectionOutcome.NEEDS_CONSENT
    assert (await users.get_user(db, PERSON)).email is None  # type: ignore[union-attr]

    await consented(db)
    assert await corrections.may_correct(db, PERSON) is None
    assert await corrections.correct(db, user_id=PERSON, field="email", value="a@example.kz", now=NOW) is CorrectionOutcome.SAVED
    assert (await users.get_user(db, PERSON)).email == "a@example.kz"  # type: ignore[union-attr]
    assert await corrections.correct(db, user_id=PERSON, field="email", value=None, now=LATER) is CorrectionOutcome.DELETED
    assert (await users.get_user(db, PERSON)).email is None  # type: ignore[union-attr]
    entries = [e for e in await audit.entries_for_user(db, PERSON) if e.event == "data_corrected"]
    assert len(entries) == 2 and "a@example.kz" not in repr(entries)  # the audit names the field, never the value

    async with db.transaction() as tx:
        await users.set_blocked(tx, PERSON, True, LATER)
    assert await corrections.may_correct(db, PERSON) is Refusal.BLOCKED
    outcome = await corrections.correct(db, user_id=PERSON, field="full_name", value="Айгүл Сейт", now=LATER)
    assert outcome is CorrectionOutcome.BLOCKED
    assert (await users.get_user(db, PERSON)).full_name is None  # type: ignore[union-attr]


async def test_a_correction_refused_at_saving_when_consent_went_meanwhile(db: Database) -> None:
    await consented(db)
    assert await corrections.may_correct(db, PERSON) is None  # asked: allowed
    latest = await consents.latest(db, PERSON)
    assert latest is not None
    await consents.record_withdrawal(db, withdrawn=latest, language="ru", now=NOW)  # meanwhile
    outcome = await corrections.correct(db, user_id=PERSON, field="phone", value="+77011234567", now=LATER)
    assert outcome is CorrectionOutcome.NEEDS_CONSENT
    assert (await users.get_user(db, PERSON)).phone is None  # type: ignore[union-attr]


async def test_a_failed_audit_entry_leaves_the_field_as_it_was(db: Database) -> None:
    await consented(db)
    await corrections.correct(db, user_id=PERSON, field="email", value="old@example.kz", now=NOW)
    await fail_audit_of(db, "data_corrected")
    with pytest.raises(sqlite3.IntegrityError):
        await corrections.correct(db, user_id=PERSON, field="email", value="new@example.kz", now=LATER)
    assert (await users.get_user(db, PERSON)).email == "old@example.kz"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- consent


async def test_answering_the_notice(db: Database) -> None:
    await person(db)

    async def answer(decision: str, version: str = VERSION) -> consent.NoticeAnswer:
        return await consent.answer_notice(
            db, SETTINGS, user_id=PERSON, policy_version=version, current_version=VERSION, language="kk",
            decision=decision, notice_text="the notice", now=NOW,
        )

    outdated = await answer("given", version="2025-01-01")
    assert outdated.outcome is DecisionOutcome.OUTDATED and await consents.latest(db, PERSON) is None
    given = await answer("given")
    assert given.outcome is DecisionOutcome.RECORDED and given.record is not None and given.record.decision == "given"
    again = await answer("given")
    assert again.outcome is DecisionOutcome.ALREADY_GIVEN and again.record == given.record
    declined = await answer("declined")
    assert declined.outcome is DecisionOutcome.RECORDED and declined.record is not None
    assert [r.decision for r in await consent.decisions(db, PERSON)] == ["declined", "given"]
    assert await consent.status_now(db, PERSON, VERSION) is ConsentStatus.DECLINED
    assert (await events(db))[-2:] == ["consent_given", "consent_declined"]


async def test_a_failed_audit_entry_leaves_no_consent_record_and_no_notice(db: Database) -> None:
    await person(db)
    await fail_audit_of(db, "consent_given")
    with pytest.raises(sqlite3.IntegrityError):
        await consent.answer_notice(
            db, SETTINGS, user_id=PERSON, policy_version=VERSION, current_version=VERSION, language="ru",
            decision="given", notice_text="the notice", now=NOW,
        )
    assert await consents.latest(db, PERSON) is None
    assert await consents.notice_text(db, consents.notice_hash("the notice")) is None


# --------------------------------------------------------------------------- language


async def test_the_first_language_choice_leads_home_and_a_later_one_does_not(db: Database) -> None:
    user = await person(db)
    first = await language_choice.choose(db, user=user, language="kk", current_version=VERSION, now=NOW)
    assert first.first_choice and first.user.language == "kk" and first.consent is ConsentStatus.NONE
    second = await language_choice.choose(db, user=first.user, language="ru", current_version=VERSION, now=LATER)
    assert not second.first_choice and second.user.language == "ru"
    assert (await users.get_user(db, PERSON)).language == "ru"  # type: ignore[union-attr]
    assert (await events(db)).count("language_set") == 2
    with pytest.raises(ValueError):
        await language_choice.choose(db, user=user, language="en", current_version=VERSION, now=LATER)


async def test_a_failed_audit_entry_leaves_the_language_unchosen(db: Database) -> None:
    user = await person(db)
    await fail_audit_of(db, "language_set")
    with pytest.raises(sqlite3.IntegrityError):
        await language_choice.choose(db, user=user, language="kk", current_version=VERSION, now=NOW)
    assert (await users.get_user(db, PERSON)).language is None  # type: ignore[union-attr]


# --------------------------------------------------------------------------- /mydata, reachability


async def test_looking_at_and_exporting_the_data_are_audited(db: Database) -> None:
    user = await consented(db)
    shown = await my_data.view(db, user, NOW)
    # What is stored (no Telegram names: there was no consent when they came), not what the
    # update carried; and the consent in force.
    assert user.username == "aigul" and shown.user.username is None
    assert shown.consent is not None and shown.consent.decision == "given"
    assert not shown.ads.opted_in
    document = await my_data.export(db, SETTINGS, user, LATER)
    assert (await events(db))[-2:] == ["data_viewed", "data_exported"]
    assert document["consents"] and document["consents"][0]["event"]["type"] == "given"


async def test_a_failed_audit_entry_makes_the_export_fail_rather_than_go_unrecorded(db: Database) -> None:
    user = await consented(db)
    await fail_audit_of(db, "data_exported")
    with pytest.raises(sqlite3.IntegrityError):
        await my_data.export(db, SETTINGS, user, NOW)
    assert "data_exported" not in await events(db)


async def test_blocking_the_bot_is_remembered_once_and_not_half(db: Database) -> None:
    await person(db)
    await fail_audit_of(db, "user_unreachable")
    with pytest.raises(sqlite3.IntegrityError):
        await reachability.bot_blocked(db, PERSON, NOW)
    assert (await users.get_user(db, PERSON)).reachable  # type: ignore[union-attr]
    await db.execute("DROP TRIGGER injected_failure")
    assert await reachability.bot_blocked(db, PERSON, NOW)
    assert not await reachability.bot_blocked(db, PERSON, LATER)
    assert not (await users.get_user(db, PERSON)).reachable  # type: ignore[union-attr]
    assert (await events(db)).count("user_unreachable") == 1
