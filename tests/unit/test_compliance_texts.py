"""Wording rules of issue 14 that a reader of the texts would notice."""

from __future__ import annotations

import pytest

from bot.i18n import LOCALES_DIR, create_i18n_core

OWNED = ("common", "start", "consent", "mydata", "ads", "compliance")


@pytest.fixture
async def core():  # type: ignore[no-untyped-def]
    translations = create_i18n_core()
    await translations.startup()
    return translations


async def test_russian_genitive_after_do_follows_the_number(core) -> None:  # type: ignore[no-untyped-def]
    assert "до 21 символа)" in core.get("mydata-ask-name", "ru", max=21)
    assert "до 100 символов)" in core.get("mydata-ask-name", "ru", max=100)
    assert "от 1 до 31 символа." in core.get("mydata-name-invalid", "ru", max=31)


@pytest.mark.parametrize("name", OWNED)
def test_kazakh_texts_use_kazakh_forms(name: str) -> None:
    text = (LOCALES_DIR / "kk" / f"{name}.ftl").read_text(encoding="utf-8")
    assert "Рахмет" not in text  # the standard spelling is «Рақмет»
    assert "ТОО" not in text  # the Kazakh legal form is «ЖШС»
    assert "«Бас тарту»" not in text  # Cancel is «Болдырмау»; «Бас тарту» means to refuse


async def test_cancel_and_refuse_are_different_words_in_kazakh(core) -> None:  # type: ignore[no-untyped-def]
    assert "Болдырмау" in core.get("cancel-button", "kk")
    assert "бермеймін" in core.get("consent-decline-button", "kk")
