"""The policy-update notice: a new language version is announced as such, a missing language
is pointed out, and a scheduled version says from when it applies (rendered with the real
locale files)."""

from __future__ import annotations

import datetime

import pytest
from aiogram_i18n.cores import BaseCore

from bot.config import Settings
from bot.i18n import create_i18n_core
from bot.policy import PolicyLibrary, PolicyVersion, parse_policy
from bot.policy_diff import diff_for_reader, diff_versions
from handlers.policy_notice import policy_notice, policy_notice_keyboard

KK_OLD = "САЯСАТ\n1. ЖАЛПЫ\nМәтін.\n2. ДЕРЕКТЕР\nАты.\n3. МЕРЗІМ\nБес жыл.\n"
KK_NEW = "САЯСАТ\n1. ЖАЛПЫ\nМәтін.\n2. ДЕРЕКТЕР\nАты мен телефоны.\n3. МЕРЗІМ\nБес жыл.\n"
RU_NEW = "ПОЛИТИКА\n1. ОБЩЕЕ\nТекст.\n2. ДАННЫЕ\nИмя и телефон.\n3. СРОК\nПять лет.\n"


def version(date: str, **texts: str) -> PolicyVersion:
    return PolicyVersion(
        version=date, effective_date=datetime.date.fromisoformat(date),
        documents={lang: parse_policy(text, version=date, language=lang) for lang, text in texts.items()},
    )


@pytest.fixture
async def core() -> BaseCore:
    core = create_i18n_core()
    await core.startup()  # reads the .ftl files
    return core


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None, bot_token="123456:abcdefghijk", admin_chat_id=-100)  # type: ignore[call-arg]


OLD = version("2026-01-01", kk=KK_OLD)
NEW = version("2026-03-01", kk=KK_NEW, ru=RU_NEW)


def test_first_translation_is_a_new_language_version_with_the_changes_of_the_language_read_before() -> None:
    diff = diff_for_reader(OLD, NEW, "ru")
    assert diff.new_language
    assert [s.short_title() for s in diff.changed] == ["2. ДАННЫЕ"]  # section 2 changed in Kazakh
    assert diff.added == () and diff.removed == ()
    kk = diff_for_reader(OLD, NEW, "kk")
    assert not kk.new_language and [s.short_title() for s in kk.changed] == ["2. ДЕРЕКТЕР"]
    review = diff_versions(OLD, NEW)
    assert review["ru"].new_language and not review["kk"].new_language


def test_notice_announces_a_new_language_not_new_sections(core: BaseCore, settings: Settings) -> None:
    library = PolicyLibrary(versions=(OLD, NEW))
    text = policy_notice(core, settings, library, NEW, "ru")
    assert "Теперь политика есть и на русском языке" in text
    assert "Новый раздел" not in text
    assert "Изменён: 2. ДАННЫЕ" in text
    assert "нет на русском языке" not in text
    buttons = [b.text for row in policy_notice_keyboard(core, library, NEW, "ru").inline_keyboard for b in row]
    assert buttons[0] == "2. ДАННЫЕ"


def test_notice_says_when_the_users_language_is_missing(core: BaseCore, settings: Settings) -> None:
    kk_only = version("2026-03-01", kk=KK_NEW)
    text = policy_notice(core, settings, PolicyLibrary(versions=(OLD, kk_only)), kk_only, "ru")
    assert "Этой редакции нет на русском языке — показан текст на казахском." in text


def test_scheduled_notice_says_from_when_and_offers_nothing_to_accept(core: BaseCore, settings: Settings) -> None:
    library = PolicyLibrary(versions=(OLD,), scheduled=(NEW,))
    text = policy_notice(core, settings, library, NEW, "kk")
    assert "01.03.2026 күнінен бастап күшіне енеді" in text and "жаңартылады" in text
    buttons = [b.text for row in policy_notice_keyboard(core, library, NEW, "kk").inline_keyboard for b in row]
    assert not any("қабылдау" in b for b in buttons)
    in_force = policy_notice_keyboard(core, PolicyLibrary(versions=(OLD, NEW)), NEW, "kk")
    assert any("қабылдау" in b.text for row in in_force.inline_keyboard for b in row)
