"""diff_versions: sections added, removed and changed, by number and text."""

from __future__ import annotations

import datetime

from bot.policy import PolicyVersion, parse_policy
from bot.policy_diff import diff_documents, diff_versions

OLD = """Политика конфиденциальности
Вводная часть.
1. Общие положения
Текст один.
2. Данные
Собираем имя.
3. Cookies
Используем cookies.
"""

NEW = """Политика конфиденциальности
Вводная  часть.
1. Общие положения
Текст один.
2. Данные
Собираем имя и телефон.
3. Хранение
Храним пять лет.
4. Контакты
Пишите нам.
"""


def version(name: str, text: str) -> PolicyVersion:
    return PolicyVersion(
        version=name,
        effective_date=datetime.date.fromisoformat(name),
        documents={"ru": parse_policy(text, version=name, language="ru")},
    )


def test_added_removed_changed_by_number_and_text() -> None:
    diff = diff_versions(version("2026-01-01", OLD), version("2026-04-01", NEW))["ru"]
    assert [s.number for s in diff.added] == ["4"]
    assert diff.removed == ()
    # 2: text changed; 3: same number, new title and text; the preamble differs only in spaces.
    assert [s.number for s in diff.changed] == ["2", "3"]
    assert [s.number for s in diff.to_read] == ["2", "3", "4"]
    assert not diff.empty


def test_removed_sections_come_from_the_old_document() -> None:
    old = parse_policy(NEW, version="2026-04-01", language="ru")
    new = parse_policy(OLD, version="2026-05-01", language="ru")
    diff = diff_documents(old, new)
    assert [s.number for s in diff.removed] == ["4"]
    assert diff.removed[0].title == "Контакты"


def test_identical_versions_have_an_empty_diff() -> None:
    diff = diff_versions(version("2026-01-01", OLD), version("2026-02-01", OLD))["ru"]
    assert diff.empty


def test_a_language_missing_before_is_entirely_new() -> None:
    new = PolicyVersion(
        version="2026-04-01",
        effective_date=datetime.date(2026, 4, 1),
        documents={
            "ru": parse_policy(NEW, version="2026-04-01", language="ru"),
            "kk": parse_policy(NEW, version="2026-04-01", language="kk"),
        },
    )
    diffs = diff_versions(version("2026-01-01", OLD), new)
    assert set(diffs) == {"kk", "ru"}
    assert len(diffs["kk"].added) == len(new.documents["kk"].sections)
