"""The registry of request types: its entries' locale keys, its settings, and the service's refusal
of a type it does not know (the database no longer refuses any)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import claims as domain
from bot import customer_claims as service
from bot.config import SettingsError, load_settings
from bot.deadlines import WorkingCalendar
from bot.request_types import CALENDAR, REQUEST_TYPES, WORKING, RequestType, RequestTypes
from storage.db import Database, to_iso
from storage import users
from tests.unit.test_locales import keys_of

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
BASE = {"bot_token": "123456:ABCDEFGHIJKLMNOP", "admin_chat_id": -1001, "_env_file": None}
# The environment variables deployments already set, one pair per built-in type.
ENV_NAMES = {
    "claim": ("CLAIM_RESPONSE_DAYS", "CLAIM_DAYS_KIND"),
    "access": ("ACCESS_REQUEST_DAYS", "ACCESS_REQUEST_DAYS_KIND"),
    "change": ("CHANGE_REQUEST_DAYS", "CHANGE_REQUEST_DAYS_KIND"),
    "block": ("BLOCK_REQUEST_DAYS", "BLOCK_REQUEST_DAYS_KIND"),
    "destroy": ("DESTROY_REQUEST_DAYS", "DESTROY_REQUEST_DAYS_KIND"),
}


def test_every_registered_type_has_its_name_and_button_in_both_languages() -> None:
    for language in ("kk", "ru"):
        keys = keys_of(language)
        for entry in REQUEST_TYPES:
            assert entry.name_key in keys and entry.button_key in keys, (language, entry.code)


def test_the_built_in_types_their_order_and_what_mydata_offers() -> None:
    assert REQUEST_TYPES.codes == ("claim", "access", "change", "block", "destroy")
    assert [e.code for e in REQUEST_TYPES.offered_in_mydata()] == ["access", "change", "block", "destroy"]
    defaults = load_settings(**BASE)
    assert [domain.limit_for(defaults, code) for code in REQUEST_TYPES.codes] == [
        (30, CALENDAR), (3, WORKING), (1, WORKING), (1, WORKING), (1, WORKING)]


def test_the_existing_environment_variables_still_set_each_term(monkeypatch: pytest.MonkeyPatch) -> None:
    for offset, (code, (days_name, kind_name)) in enumerate(ENV_NAMES.items()):
        monkeypatch.setenv(days_name, str(40 + offset))
        monkeypatch.setenv(kind_name, "working" if code == "claim" else "calendar")
    settings = load_settings(**BASE)
    assert [domain.limit_for(settings, code) for code in ENV_NAMES] == [
        (40, WORKING), (41, CALENDAR), (42, CALENDAR), (43, CALENDAR), (44, CALENDAR)]


@pytest.mark.parametrize(("name", "value"), [("DESTROY_REQUEST_DAYS", "0"), ("ACCESS_REQUEST_DAYS_KIND", "weekly")])
def test_a_bad_term_stops_the_bot_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings(**BASE)


def test_a_type_without_settings_has_its_default_term_and_an_unknown_type_has_none() -> None:
    extra = REQUEST_TYPES.plus(RequestType("portability", "test only", 12, CALENDAR))
    settings = load_settings(**BASE)
    assert domain.limit_for(settings, "portability", extra) == (12, CALENDAR)
    with pytest.raises(domain.UnknownRequestType):
        domain.limit_for(settings, "portability")


@pytest.mark.parametrize("entries", [
    (RequestType("claim", "", 1, CALENDAR), RequestType("claim", "", 2, CALENDAR)),  # twice
    (RequestType("Bad-Code", "", 1, CALENDAR),),
    (RequestType("x", "", 0, CALENDAR),),
    (RequestType("x", "", 1, "weekly"),),
])
def test_a_broken_registry_is_refused_when_built(entries: tuple[RequestType, ...]) -> None:
    with pytest.raises(ValueError):
        RequestTypes(entries)


async def test_the_service_refuses_a_type_the_registry_does_not_know(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await db.execute("INSERT INTO users (id, first_name, created_at, updated_at) VALUES (1, 'A', ?, ?)", (to_iso(NOW), to_iso(NOW)))
        settings = load_settings(**BASE)
        user = await users.get_user(db, 1)
        assert user is not None
        draft = domain.Draft(type="portability", text="text", attachments=[])

        def t(key: str, **_: object) -> str:
            return key

        result = await service.file_claim(db, settings, WorkingCalendar(), t, user, "ru", draft, NOW)
        assert result == service.UnknownType("portability")
        with pytest.raises(domain.UnknownRequestType):
            await domain.register(db, settings, WorkingCalendar(), t, user, "ru", draft, NOW)
        assert await db.fetch_value("SELECT COUNT(*) FROM claims") == 0
        assert await db.fetch_value("SELECT COUNT(*) FROM outbox") == 0
        # With the type in the registry the same draft is filed (the database accepts any code).
        extra = REQUEST_TYPES.plus(RequestType("portability", "test only", 12, CALENDAR))
        filed = await service.file_claim(db, settings, WorkingCalendar(), t, user, "ru", draft, NOW, extra)
        assert isinstance(filed, service.Filed) and filed.claim.type == "portability" and filed.claim.due_date == "2026-03-14"
    finally:
        await db.close()


def test_stats_by_type_follow_the_registry_then_stored_types_it_no_longer_has() -> None:
    assert domain._ordered_by_type({"legacy": 2, "access": 1}, REQUEST_TYPES) == {
        "claim": 0, "access": 1, "change": 0, "block": 0, "destroy": 0, "legacy": 2}
