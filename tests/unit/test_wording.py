"""Endings that do not depend on the digits, Russian plurals, days left never negative.

Every message of both languages is rendered with sample values — numbers for plural selectors
(1, 2, 5, 21), every variant of the other selectors, a date, a time, a number or a name for the
rest — with Fluent's isolation marks on, so the text shows exactly where each inserted value
starts (U+2068) and ends (U+2069). Two rules are checked on what follows a value:

1. No letters attached to it (`{ $x }-ге`, `{ $x }дейін`, `{ $n }-й`): a Kazakh suffix after a
   number or a date must harmonise with how the number is read (1-ден, 2-ден, 6-дан, 10-нан,
   20-дан), and a name's ending with its last vowel, so no fixed text can be right for every value.
   Applies to both languages.
2. Kazakh only: no postposition that governs an oblique case right after a value (`{ $date }
   бастап`, `({ $max } дейін)`, `{ $due } кешіктірілмей`, `{ $total } ішінен`): the value itself
   would need the case ending (2026-04-01-ден бастап). The texts put a word in between that
   carries the ending («{ $date } күнінен бастап», «{ $max } таңбаға дейін») or use a label form
   («уақыты: { $time }», «{ $sent } / { $total }»); a value in brackets after a word that carries
   the case is an apposition and fine («қолданыстағыдан ({ $current }) кейін»). Postpositions taking the nominative (туралы,
   үшін, бойынша, арқылы, сайын) are fine and not listed.

Deliberate exceptions: none today. A new one goes into EXCEPTIONS with its reason; the rule is
narrow enough (a value directly followed by letters, or by one of the words below) that a
correct text should not need one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast

from bot.claims import left_words
from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES, create_i18n_core

FSI, PDI = "\u2068", "\u2069"

# Postpositions that need the preceding word in the ablative, dative or another oblique case
# (the value before them would have to carry a digit-dependent ending).
OBLIQUE_POSTPOSITIONS = (
    "бастап", "басталып", "дейін", "дейінгі", "шейін", "кейін", "кейінгі", "соң", "бұрын", "бері",
    "кешіктірмей", "кешіктірілмей", "ішінен", "ішінде", "асырмай", "артық", "астам", "гөрі", "қарай",
    "жуық", "таман", "сәйкес", "қарсы", "байланысты",
)
ATTACHED = re.compile(PDI + r"+[-‐'’]?[^\W\d_]")
_WORDS = "(" + "|".join(OBLIQUE_POSTPOSITIONS) + r")(?!\w)"
# A value, or a value followed by another in brackets («{ $time } ({ $tz }) бастап»), right before
# the postposition. A bracketed value after a word is an apposition and fine: the word carries the
# case («қолданыстағыдан ({ $current }) кейін»).
POSTPOSITION = re.compile(PDI + r"+(?:\s*\(" + FSI + r"[^()]*" + PDI + r"+\))?[»\"]*\s+" + _WORDS)

# message id → why a value may be followed by letters there (none yet).
EXCEPTIONS: dict[str, str] = {}

PLURAL_KEYS = {"zero", "one", "two", "few", "many"}  # "other" alone is a plain default
PLURAL_SAMPLES = (1, 2, 5, 21)
DATES = {"date", "due", "current", "latest", "version", "previous"}
TIMES = {"time", "created"}
NUMBERS = {
    "count", "max", "limit", "days", "hours", "minutes", "left", "overdue", "id", "record", "sections",
    "sent", "total", "failed", "unreachable", "remaining", "uncertain", "skipped", "attempts", "page",
    "pages", "attachments", "percent", "answered", "counted", "in_progress", "closed", "registered",
}


def messages(language: str) -> Iterator[ast.Message]:
    parser = FluentParser(with_spans=False)
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        for entry in parser.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, ast.Message) and entry.value is not None:
                yield entry


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, ast.BaseNode):
        for child in vars(node).values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def selectors(message: ast.Message) -> dict[str, list[object]]:
    """variable → the values to try: numbers for a plural select, else each variant's key."""
    found: dict[str, list[object]] = {}
    for node in _walk(message):
        if isinstance(node, ast.SelectExpression) and isinstance(node.selector, ast.VariableReference):
            keys = [v.key.name if isinstance(v.key, ast.Identifier) else v.key.value for v in node.variants]
            plural = any(isinstance(v.key, ast.NumberLiteral) for v in node.variants) or bool(PLURAL_KEYS & set(keys))
            found[node.selector.id.name] = list(PLURAL_SAMPLES) if plural else keys
    return found


def variables(message: ast.Message) -> set[str]:
    return {node.id.name for node in _walk(message) if isinstance(node, ast.VariableReference)}


def sample(name: str) -> object:
    if name in DATES:
        return "01.03.2026"
    if name in TIMES:
        return "01.03.2026 10:00:00"
    if name in NUMBERS:
        return 21
    return "Ақмарал"


def renderings(language: str) -> Iterator[tuple[str, str]]:
    """(message id, text with isolation marks) for every message and every selector variant."""
    bundle = FluentBundle([language], use_isolating=True)
    for path in sorted((LOCALES_DIR / language).glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    for message in messages(language):
        choices = selectors(message)
        plain = {name: sample(name) for name in variables(message) if name not in choices}
        names = sorted(choices)
        for combination in itertools.product(*(choices[name] for name in names)):
            args = {**plain, **dict(zip(names, combination, strict=True))}
            text, errors = bundle.format_pattern(bundle.get_message(message.id.name).value, args)
            assert not errors, (message.id.name, errors)
            yield message.id.name, text


def _show(text: str, start: int) -> str:
    return text[max(0, start - 40): start + 40].replace(FSI, "⟦").replace(PDI, "⟧")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_letters_attached_to_an_inserted_value(language: str) -> None:
    problems = {
        (key, _show(text, found.start()))
        for key, text in renderings(language)
        if key not in EXCEPTIONS
        for found in ATTACHED.finditer(text)
    }
    assert not problems, sorted(problems)


def test_no_kazakh_postposition_that_needs_a_case_ending_on_the_value() -> None:
    problems = {
        (key, _show(text, found.start()))
        for key, text in renderings("kk")
        if key not in EXCEPTIONS
        for found in POSTPOSITION.finditer(text)
    }
    assert not problems, sorted(problems)


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        (f"мерзімі {FSI}01.03.2026{PDI} бастап", True),
        (f"({FSI}21{PDI} дейін)", True),
        (f"{FSI}01.03.2026{PDI} ({FSI}UTC+05:00{PDI}) бастап", True),
        (f"{FSI}21{PDI}-ге", True),
        (f"{FSI}01.03.2026{PDI} күнінен бастап", False),
        (f"({FSI}21{PDI} таңбаға дейін)", False),
        (f"{FSI}21{PDI} күн бұрын", False),
        (f"№ {FSI}2026-0001{PDI} өтініш бойынша", False),
        (f"қолданыстағыдан ({FSI}01.03.2026{PDI}) кейін", False),
    ],
)
def test_the_rules_catch_what_they_should(text: str, caught: bool) -> None:
    """The rules themselves: the wrong forms are caught, the right ones pass."""
    assert bool(ATTACHED.search(text) or POSTPOSITION.search(text)) is caught


def test_russian_plural_selects_cover_one_few_and_many() -> None:
    """Every Russian select on a number picks the same form for 1 and 21, for 2, 3, 22 and 34,
    for 5, 11, 12 and 25, and a different one for 1 than for 5 (genitive after «до» keeps
    «символа» for 21 too)."""
    bundle = FluentBundle(["ru"], use_isolating=False)
    for path in sorted((LOCALES_DIR / "ru").glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    checked = 0
    for message in messages("ru"):
        for name, values in selectors(message).items():
            if values != list(PLURAL_SAMPLES):
                continue
            others = {v: sample(v) for v in variables(message) if v != name}
            for key, keys in selectors(message).items():
                if key != name:
                    others[key] = keys[0]

            def form(n: int) -> str:
                text, errors = bundle.format_pattern(bundle.get_message(message.id.name).value, {**others, name: n})
                assert not errors, (message.id.name, errors)
                return re.sub(r"\d+", "N", text)

            key = message.id.name
            assert form(1) == form(21) == form(31), key
            assert form(2) == form(3) == form(22) == form(34), key
            assert form(5) == form(11) == form(12) == form(25) == form(100), key
            assert form(1) != form(5), key
            checked += 1
    assert checked >= 10


@pytest.fixture
async def core():  # type: ignore[no-untyped-def]
    translations = create_i18n_core()
    await translations.startup()
    return translations


async def test_days_left_are_words_never_a_negative_number(core) -> None:  # type: ignore[no-untyped-def]
    def t(language: str):  # type: ignore[no-untyped-def]
        return lambda key, **args: core.get(key, language, **args)

    assert left_words(t("ru"), 3) == "осталось 3 дня"
    assert left_words(t("ru"), 1) == "остался 1 день"
    assert left_words(t("ru"), 0) == "срок истекает сегодня"
    assert left_words(t("ru"), -36) == "срок истёк 36 дней назад"
    assert left_words(t("kk"), -36) == "мерзімі 36 күн бұрын өтті"
    card_line = core.get("op-claims-line", "ru", number="2026-0001", type="T", status="S", due="01.03.2026",
                         left=left_words(t("ru"), -36))
    assert "-36" not in card_line and "срок истёк 36 дней назад" in card_line
