"""Every user-facing key exists in Kazakh and Russian, and Russian plurals are right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiogram_i18n.cores import FluentRuntimeCore
from aiogram_i18n.exceptions import FluentMessageError
from fluent.syntax import FluentParser, ast

from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES, create_i18n_core, language_from_code, pick_language

PROJECT = Path(__file__).resolve().parents[2]


def keys_of(language: str) -> dict[str, set[str]]:
    """message id → the variables it uses, over every .ftl file of the language."""
    parser = FluentParser(with_spans=False)
    found: dict[str, set[str]] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        resource = parser.parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            assert not isinstance(entry, ast.Junk), f"syntax error in {path}: {entry.content[:80]!r}"
            if isinstance(entry, ast.Message):
                assert entry.id.name not in found, f"{entry.id.name} defined twice in {language}"
                found[entry.id.name] = _variables(entry)
    return found


def _variables(node: object) -> set[str]:
    names: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, ast.VariableReference):
            names.add(value.id.name)
        if isinstance(value, ast.BaseNode):
            for child in vars(value).values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return names


def test_both_languages_have_the_same_keys_and_variables() -> None:
    kk, ru = keys_of("kk"), keys_of("ru")
    assert sorted(set(kk) - set(ru)) == [], "keys missing in ru"
    assert sorted(set(ru) - set(kk)) == [], "keys missing in kk"
    for key in kk:
        assert kk[key] == ru[key], f"{key}: kk uses {sorted(kk[key])}, ru uses {sorted(ru[key])}"


def test_every_key_used_in_code_exists() -> None:
    """A key referenced from Python must exist in both languages (catches typos)."""
    used: set[str] = set()
    pattern = re.compile(r"""(?:i18n\.get|\bt|core\.get)\(\s*f?["']([a-z][a-z0-9-]+)["']""")
    for folder in ("bot", "handlers"):
        for path in (PROJECT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    for language in SUPPORTED_LANGUAGES:
        missing = used - set(keys_of(language))
        assert not missing, f"{language} lacks {sorted(missing)}"


async def test_russian_plurals() -> None:
    core = create_i18n_core()
    await core.startup()
    titles = {n: core.get("consent-history-title", "ru", count=n) for n in (1, 2, 5, 11, 21, 22, 25)}
    assert titles[1].endswith("1 запись")
    assert titles[2].endswith("2 записи")
    assert titles[5].endswith("5 записей")
    assert titles[11].endswith("11 записей")
    assert titles[21].endswith("21 запись")
    assert titles[22].endswith("22 записи")
    assert titles[25].endswith("25 записей")
    header = core.get("policy-header", "ru", title="T", date="01.01.2026", sections=3)
    assert "3 раздела" in header
    assert "9 разделов" in core.get("policy-header", "ru", title="T", date="d", sections=9)
    assert "1 жазба" in core.get("consent-history-title", "kk", count=1)


@pytest.mark.parametrize(
    ("stored", "code", "expected"),
    [("kk", "ru", "kk"), (None, "kk", "kk"), (None, "ru-RU", "ru"), (None, "en", "ru"), (None, None, "ru"), ("ru", "kk", "ru")],
)
def test_language_choice_order(stored: str | None, code: str | None, expected: str) -> None:
    assert pick_language(stored, code) == expected


def test_language_code_split() -> None:
    assert language_from_code("KK-kz") == "kk"
    assert language_from_code("uk") is None


async def test_texts_without_arguments_come_from_the_cache_right_for_each_language() -> None:
    cached = create_i18n_core()
    plain = FluentRuntimeCore(path=LOCALES_DIR / "{locale}", default_locale="ru")
    await cached.startup()
    await plain.startup()
    checked = 0
    for language in (*SUPPORTED_LANGUAGES, *reversed(SUPPORTED_LANGUAGES)):  # each language after the other
        for key in keys_of(language):
            try:
                expected = plain.get(key, language)
            except Exception:  # noqa: BLE001 - a message that needs arguments
                continue
            assert cached.get(key, language) == expected, (key, language)
            checked += 1
    assert checked > 100
    assert cached.get("menu-claim", "kk") != cached.get("menu-claim", "ru")
    # With arguments: kept per language and arguments, so each repeat gives what Fluent gives.
    for _ in range(2):
        for count in (1, 2, 5, 21):
            for language in SUPPORTED_LANGUAGES:
                assert cached.get("consent-history-title", language, count=count) == plain.get(
                    "consent-history-title", language, count=count
                )
    assert "2 записи" in cached.get("consent-history-title", "ru", count=2)
    assert "5 записей" in cached.get("consent-history-title", "ru", count=5)
    # The type is part of the key: 1.5 is not taken for 1, nor True for 1.
    assert cached.get("consent-history-title", "ru", count=1.5) == plain.get("consent-history-title", "ru", count=1.5)
    assert cached.get("consent-history-title", "ru", count=True) == plain.get("consent-history-title", "ru", count=True)
    # An argument that cannot be a key is handed to Fluent as it is (which refuses a list, as before).
    for core in (cached, plain):
        with pytest.raises(FluentMessageError):
            core.get("policy-header", "ru", title=["T"], date="d", sections=3)


async def test_the_cache_of_texts_with_arguments_stays_bounded_and_right() -> None:
    cached = create_i18n_core()
    plain = FluentRuntimeCore(path=LOCALES_DIR / "{locale}", default_locale="ru")
    await cached.startup()
    await plain.startup()
    for count in range(cached.RECENT_SIZE * 2 + 7):
        text = cached.get("consent-history-title", "ru", count=count)
        if count % 997 == 0:
            assert text == plain.get("consent-history-title", "ru", count=count)
    assert len(cached._recent) <= cached.RECENT_SIZE  # noqa: SLF001 - the bound is the point of this test
    for count in (7, 21, 5000):
        assert cached.get("consent-history-title", "ru", count=count) == plain.get("consent-history-title", "ru", count=count)
