"""Titles of policies as they really come from websites: the heading that names the policy, not
the menu around it; the introduction is not a numbered section."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy import parse_policy

FIXTURES = Path(__file__).parent / "fixtures"
# A trimmed excerpt of a real Kazakh shop policy, pasted with the site's account menu above it
# and its cookie banner and menu below.
KK_SHOP = FIXTURES / "pasted_policy_kk_shop.txt"
KK_TITLE = "ДЕРБЕС ДЕРЕКТЕРДІ ӨҢДЕУГЕ ҚАТЫСТЫ САЯСАТ"


def numbered(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.number for s in doc.sections if s.number is not None]


def test_kazakh_shop_policy_title_is_its_heading_not_the_account_menu() -> None:
    doc = parse_policy(KK_SHOP.read_text(encoding="utf-8"), version="2022-06-02", language="kk")
    assert doc.title == KK_TITLE
    preamble = doc.sections[0]
    assert preamble.number is None and preamble.lines[0].startswith("Осы дербес деректердің құпиялылық саясаты")
    assert not any(line in ("Сайтқа кіру", "Тіркелу", KK_TITLE) for line in preamble.lines)
    assert numbered(doc) == [str(n) for n in range(1, 10)]  # nine sections; the introduction is apart
    for furniture in ("Құпия сөзді жаңарту", "Сайтқа кіру", "Тіркелу", "Қабылдау", "Made on"):
        assert furniture in doc.junk
    assert any("cookie" in line for line in doc.junk)  # the banner at the bottom
    assert doc.sections[-1].lines[-1] == "2022 жылдың 02 маусымында жаңартылды"  # kept: it is text


@pytest.mark.parametrize(
    "menu",
    [
        ["Главная", "Каталог", "Акции", "Обновить пароль", "Войти на сайт", "Регистрация"],
        ["Мы используем cookie. Продолжая пользоваться сайтом, вы соглашаетесь с этим.", "Принять",
         "Забыли пароль?", "Главная / Политика конфиденциальности", "Политика конфиденциальности"],
        ["Update password", "Log in", "Sign up", "Доставка и оплата"],
    ],
)
def test_menus_before_the_title_are_not_the_title(menu: list[str]) -> None:
    text = "\n".join(menu + [
        "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ ТОО «ГОРОДСКОЙ МАРКЕТ»",
        "Настоящая Политика определяет порядок обработки персональных данных покупателей магазина.",
        "1. ОБЩИЕ ПОЛОЖЕНИЯ", "1.1. Текст.", "2. ПРАВА", "2.1. Текст.",
        "Мы используем файлы cookie. Оставаясь на сайте, вы соглашаетесь с их использованием.", "Хорошо",
    ])
    doc = parse_policy(text, version="2026-01-01", language="ru")
    assert doc.title == "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ ТОО «ГОРОДСКОЙ МАРКЕТ»"
    # The menu link that happens to name the policy is not furniture by any pattern: kept, above.
    kept = tuple(line for line in menu if line == "Политика конфиденциальности")
    assert doc.sections[0].lines == kept + (
        "Настоящая Политика определяет порядок обработки персональных данных покупателей магазина.",
    )
    assert numbered(doc) == ["1", "2"]
    assert doc.sections[-1].lines[-1] == "2.1. Текст."  # the cookie banner below is furniture


@pytest.mark.parametrize(
    "lead",
    [
        ("Редакция утверждена приказом директора от 1 марта 2026 года и действует бессрочно.",),
        ("УТВЕРЖДЕНО", "приказом директора", "ТОО «Альфа Трейд»", "от 01.03.2026 № 5"),
    ],
)
def test_text_before_the_title_is_kept(lead: tuple[str, ...]) -> None:
    """Only furniture above the heading is dropped; anything else stays (in the preamble)."""
    doc = parse_policy("\n".join(["Войти", *lead, "Главная", "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ", "1. ОБЩЕЕ", "1.1. Текст."]),
                       version="2026-01-01", language="ru")
    assert doc.title == "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ"
    assert doc.sections[0].lines == lead
    assert doc.junk == ("Войти", "Главная")


def test_a_numbered_item_about_cookies_at_the_end_is_kept() -> None:
    doc = parse_policy(
        "ПОЛИТИКА\n1. COOKIE\n1.1. Мы используем cookie; продолжая, вы соглашаетесь с этим.",
        version="2026-01-01", language="ru",
    )
    assert doc.sections[-1].lines[-1].startswith("1.1. Мы используем cookie")


def test_a_policy_without_a_naming_heading_keeps_its_first_short_line_as_title() -> None:
    doc = parse_policy("Правила\n1. ОБЩЕЕ\n1.1. Текст.", version="2026-01-01", language="ru")
    assert doc.title == "Правила"
