"""Consent records keep what the person was shown; the export reads those records, not today's settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.consent import decide, notice_snapshot, render_notice
from bot.export import EXPORT_SCHEMA_VERSION, build_export
from bot.i18n import create_i18n_core
from storage import broadcasts, claims, consents, users
from storage.db import Database

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = {"_env_file": None, "bot_token": "1:abcdefghij", "admin_chat_id": -1}


def settings(**values: object) -> Settings:
    return Settings(**{**BASE, **values})  # type: ignore[arg-type]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    await users.touch_customer(database, user_id=7, first_name="Айгүл", last_name=None, username=None,
                               telegram_language="kk", now=NOW)
    yield database
    await database.close()


@pytest.fixture
async def t():  # type: ignore[no-untyped-def]
    core = create_i18n_core()
    await core.startup()
    return core


async def give(db: Database, config: Settings, t, language: str = "ru", version: str = "2026-01-01", at: datetime = NOW):  # type: ignore[no-untyped-def]
    text = render_notice(lambda key, **kw: t.get(key, language, **kw), config, version_label=version, language=language)
    return await decide(db, config, user_id=7, policy_version=version, language=language, decision="given",
                        notice_text=text, now=at)


async def test_the_record_keeps_what_was_shown_and_the_export_reads_it(db: Database, t) -> None:  # type: ignore[no-untyped-def]
    then = settings(consent_purposes_ru="ответы на обращения; оказание услуг, включая доставку",
                    consent_third_parties=True, consent_recipients_ru="ТОО «Курьер»; АО «Банк»",
                    consent_recipients_kk="«Курьер» ЖШС; «Банк» АҚ")
    record = await give(db, then, t)
    assert record.snapshot is not None
    assert record.snapshot["purposes"] == ["ответы на обращения", "оказание услуг, включая доставку"]
    assert record.snapshot["third_party_recipients"] == ["ТОО «Курьер»", "АО «Банк»"]
    assert record.snapshot["notice_sha256"] == record.notice_sha256
    assert record.snapshot["policy_version"] == "2026-01-01"

    # The operator changes the settings later; the person's record still says what they agreed to.
    today = settings(consent_purposes_ru="что-то совсем другое", consent_third_parties=False)
    user = await users.get_user(db, 7)
    assert user is not None
    export = await build_export(db, today, user, NOW + timedelta(days=30))
    [item] = export["consents"]
    assert item["purposes"] == ["ответы на обращения", "оказание услуг, включая доставку"]
    assert item["third_party_disclosure"] is True
    assert item["third_party_recipients"] == ["ТОО «Курьер»", "АО «Банк»"]
    assert item["pii_categories"][0] == "имя"
    assert item["storage_term"] == then.consent_term_ru
    assert item["record_created_at"] == record.created_at
    assert export["schema_version"] == EXPORT_SCHEMA_VERSION


async def test_a_withdrawal_carries_the_version_and_hash_of_the_consent_it_withdraws(db: Database, t) -> None:  # type: ignore[no-untyped-def]
    given = await give(db, settings(), t, version="2026-01-01")
    # Meanwhile a new policy version and a new notice text exist; the withdrawal is of the old consent.
    withdrawn = await consents.record_withdrawal(db, withdrawn=given, language="kk", now=NOW + timedelta(days=1))
    assert (withdrawn.policy_version, withdrawn.notice_sha256) == (given.policy_version, given.notice_sha256)
    assert withdrawn.snapshot == given.snapshot
    [again, first] = await consents.history(db, 7)
    assert again.decision == "withdrawn" and again.notice_sha256 == first.notice_sha256
    assert await consents.notice_text(db, again.notice_sha256) is not None
    with pytest.raises(ValueError):
        await consents.record_withdrawal(db, withdrawn=again, language="kk", now=NOW)


async def test_a_record_without_a_snapshot_is_not_filled_from_todays_settings(db: Database) -> None:
    # Records made before migration 0009 have no snapshot: the export says null, not today's values.
    await consents.record_decision(db, user_id=7, policy_version="2026-01-01", language="ru", decision="given",
                                   notice_text="старое уведомление", now=NOW)
    user = await users.get_user(db, 7)
    assert user is not None
    [item] = (await build_export(db, settings(), user, NOW))["consents"]
    assert item["purposes"] is None and item["schema_version"] is None
    assert item["notice"]["text"] == "старое уведомление"


async def test_a_snapshot_must_describe_the_recorded_notice(db: Database) -> None:
    snapshot = notice_snapshot(settings(), language="ru", policy_version="2026-01-01", notice_text="A")
    with pytest.raises(ValueError):
        await consents.record_decision(db, user_id=7, policy_version="2026-01-01", language="ru", decision="given",
                                       notice_text="B", now=NOW, snapshot=snapshot)


async def test_the_export_lists_claims_with_attachments_and_notices_received(db: Database) -> None:
    async with db.transaction() as tx:
        claim_id = await claims.insert_claim(
            tx, number="2026-0001", year=2026, seq=1, user_id=7, type="claim", text="Текст", language="ru",
            now=NOW, days=30, days_kind="calendar", due_date="2026-04-01",
        )
        await claims.insert_attachment(tx, claim_id=claim_id, followup_id=None, kind="document", chat_id=7,
                                       message_id=5, file_id="F1", file_name="чек.pdf", now=NOW)
    broadcast_id = await broadcasts.create_draft(db, kind="policy", created_by=1, locale="ru", now=NOW,
                                                 policy_version="2026-04-01")
    await broadcasts.start(db, broadcast_id, actor="operator:1", now=NOW)
    await db.execute("UPDATE broadcast_recipients SET state = 'sent', sent_at = ? WHERE user_id = 7",
                     ("2026-03-02T09:00:05Z",))
    user = await users.get_user(db, 7)
    assert user is not None
    export = await build_export(db, settings(), user, NOW)
    [claim] = export["claims"]
    assert claim["attachments"] == [
        {"kind": "document", "file_name": "чек.pdf", "added_at": claim["registered_at"], "with_followup": False}
    ]
    assert export["notices_received"] == [
        {"broadcast_id": broadcast_id, "kind": "policy", "policy_version": "2026-04-01", "delivery": "sent",
         "sent_at": "2026-03-02T09:00:05Z"}
    ]


# --- the notice itself ----------------------------------------------------------------------

def notice(t, config: Settings, language: str) -> str:  # type: ignore[no-untyped-def]
    return render_notice(lambda key, **kw: t.get(key, language, **kw), config, version_label="01.01.2026", language=language)


async def test_the_notice_says_consent_is_not_obligatory_and_what_refusing_means(t) -> None:  # type: ignore[no-untyped-def]
    ru, kk = notice(t, settings(), "ru"), notice(t, settings(), "kk")
    assert "Давать согласие не обязательно" in ru and "подавать обращения можно и без согласия" in ru
    assert "Келісім беру міндетті емес" in kk and "келісімсіз де мүмкін" in kk


async def test_the_notice_names_recipients_and_countries_when_transfers_are_on(t) -> None:  # type: ignore[no-untyped-def]
    config = settings(consent_third_parties=True, consent_recipients_ru="ТОО «Курьер»", consent_recipients_kk="«Курьер» ЖШС",
                      consent_cross_border=True, consent_countries_ru="Нидерланды", consent_countries_kk="Нидерланды")
    ru, kk = notice(t, config, "ru"), notice(t, config, "kk")
    assert "да; получатели: ТОО «Курьер»" in ru and "да; страны: Нидерланды" in ru
    assert "иә; алушылар: «Курьер» ЖШС" in kk and "иә; елдер: Нидерланды" in kk
    off = notice(t, settings(), "ru")
    assert "<b>Передача третьим лицам:</b> нет" in off and "получатели" not in off


def test_a_transfer_without_its_list_stops_the_start() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(**{**BASE, "consent_cross_border": True})
    assert "CONSENT_COUNTRIES_KK" in str(error.value) and "CONSENT_COUNTRIES_RU" in str(error.value)


async def test_an_individual_entrepreneur_is_named_by_iin_and_kazakh_text_has_no_too(t) -> None:  # type: ignore[no-untyped-def]
    ip = settings(operator_id_kind="iin", operator_name_ru="ИП Ахметова А.", operator_name_kk="Ахметова А. ЖК")
    assert "Оператор: ИП Ахметова А., ИИН " in notice(t, ip, "ru")
    assert "Оператор: Ахметова А. ЖК, ЖСН " in notice(t, ip, "kk")
    default_kk = notice(t, settings(), "kk")
    assert "ТОО" not in default_kk and "ЖШС" in default_kk and "БСН" in default_kk
    # Only OPERATOR_NAME set: used in both languages rather than the sample names.
    assert settings(operator_name="ACME").operator_name_in("kk") == "ACME"


def test_default_terms_allow_withdrawal_and_purposes_need_consent() -> None:
    config = settings()
    for language in ("ru", "kk"):
        terms = config.consent_terms(language)
        assert "не меньше" not in terms["term"] and "кем емес" not in terms["term"]
        assert "закон" not in terms["purposes"] and "заң" not in terms["purposes"]
    assert "отзыва" in config.consent_term_ru and "кері қайтарып" in config.consent_term_kk

