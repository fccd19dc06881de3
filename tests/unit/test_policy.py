"""bot.policy: cleaning pasted policies, section splitting, paging and loading versions."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import policy
from bot.policy import (
    JUNK_PATTERNS,
    SUPPORTED_LANGUAGES,
    PolicyDocument,
    PolicyError,
    PolicySection,
    load_policy_library,
    paginate,
    parse_policy,
)

FIXTURES = Path(__file__).parent / "fixtures"
PASTED_RU = FIXTURES / "pasted_policy_ru.txt"
SAMPLE_DIR = Path(policy.__file__).parent / "sample_policy"

# What a website wraps around the fixture policy: menu, breadcrumbs, cookie banner on top,
# copyright and the Tilda badge below.
FIXTURE_HEAD_JUNK = (
    "Главная",
    "О компании",
    "Войти",
    "Корзина (0)",
    "Меню",
    "RU | KZ",
    "Главная / Политика конфиденциальности",
    "Мы используем файлы cookie, чтобы сайт работал лучше.",
    "Принять",
)
FIXTURE_TAIL_JUNK = ("© 2024 ТОО «Альфа Трейд»", "Все права защищены", "Наверх", "Made on", "Tilda")


def read_raw(path: Path) -> str:
    # newline="" keeps CRLF: the parser, not Python's universal newlines, must handle it.
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def normalized_content_lines(text: str) -> list[str]:
    """An independent, deliberately naive normalization to compare the parser against."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def document_lines(doc: PolicyDocument) -> list[str]:
    head = [doc.title] if doc.title is not None else []
    return head + [line for section in doc.sections for line in section.lines]


def make_policy(*numbers: int, extra: dict[int, list[str]] | None = None) -> str:
    extra = extra or {}
    out = ["ПОЛИТИКА", "Кіріспе мәтін."]
    for n in numbers:
        out += [f"{n}. БӨЛІМ {n}", f"{n}.1. Мазмұны {n}."] + extra.get(n, [])
    return "\n".join(out)


@pytest.fixture(scope="module")
def pasted() -> PolicyDocument:
    return parse_policy(read_raw(PASTED_RU), version="2024-03-15", language="ru")


# --- the real-world-style fixture -------------------------------------------------------


def test_fixture_is_as_messy_as_real_pastes() -> None:
    # Guards the fixture itself: if an editor or git normalizes it, these tests get weaker.
    raw = read_raw(PASTED_RU)
    assert "\r\n" in raw
    assert "\u00a0" in raw
    assert 12_000 <= len(raw) <= 20_000
    assert max(len(line) for line in raw.split("\r\n")) > 5_000
    assert re.search(r"^8\.2\.\S", raw, re.MULTILINE)


def test_fixture_sections_follow_the_top_level_numbering(pasted: PolicyDocument) -> None:
    assert pasted.title == "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ И ОБРАБОТКИ ПЕРСОНАЛЬНЫХ ДАННЫХ"
    assert [s.number for s in pasted.sections] == [None] + [str(n) for n in range(1, 12)]
    assert [s.index for s in pasted.sections] == list(range(len(pasted.sections)))
    preamble = pasted.sections[0]
    assert preamble.title == "" and preamble.short_title() == ""
    for section in pasted.sections[1:]:
        assert section.lines[0].startswith(f"{section.number}.")
        assert section.title and not section.title[0].isdigit()
        assert section.text == "\n".join(section.lines)


def test_fixture_junk_is_reported_from_both_ends_only(pasted: PolicyDocument) -> None:
    assert pasted.junk == FIXTURE_HEAD_JUNK + FIXTURE_TAIL_JUNK


def test_fixture_loses_no_content_line(pasted: PolicyDocument) -> None:
    expected = normalized_content_lines(read_raw(PASTED_RU))
    head, tail = len(FIXTURE_HEAD_JUNK), len(FIXTURE_TAIL_JUNK)
    assert expected[:head] == list(pasted.junk[:head])
    assert expected[-tail:] == list(pasted.junk[head:])
    # Every remaining line, in the same order, nothing added.
    assert document_lines(pasted) == expected[head:-tail]


def test_fixture_tricky_lines_stay_in_their_sections(pasted: PolicyDocument) -> None:
    by_number = {s.number: s for s in pasted.sections}
    assert max(len(line) for line in by_number["1"].lines) > 5_000
    assert any(line.startswith("8.2.Получатель") for line in by_number["8"].lines)
    # "1. … 2. … 3." inside section 5 is a list, not sections 1–3 again.
    listed = [line for line in by_number["5"].lines if re.match(r"[123]\. ", line)]
    assert len(listed) == 3
    # Menu-like words in the middle of the policy are content.
    assert "• Telegram" in by_number["4"].lines
    # A date at the start of a line is not heading "1." of anything.
    assert any(line.startswith("01.02.2024") for line in by_number["11"].lines)
    # The "updated on" line is real content and closes the last section.
    assert pasted.sections[-1].lines[-1] == "Обновлено 15 марта 2024 года"


def test_fixture_text_is_clean_and_complete(pasted: PolicyDocument) -> None:
    text = pasted.text
    assert "\r" not in text and "\u00a0" not in text and "\t" not in text
    assert [line for line in text.split("\n") if line] == document_lines(pasted)
    assert not any(junk in text for junk in ("Made on", "Tilda", "Все права защищены"))


def test_section_lookup_is_bounded(pasted: PolicyDocument) -> None:
    assert pasted.section(0) is pasted.sections[0]
    assert pasted.section(len(pasted.sections) - 1) is pasted.sections[-1]
    assert pasted.section(len(pasted.sections)) is None
    assert pasted.section(-1) is None  # never "the last one" for a replayed callback


@pytest.mark.parametrize("limit", [5, 12, 20, 32, 48, 64])
def test_short_title_fits_the_button(pasted: PolicyDocument, limit: int) -> None:
    for section in pasted.sections[1:]:
        label = section.short_title(limit)
        assert 0 < len(label) <= limit
        full = f"{section.number}. {section.title}"
        if len(full) <= limit:
            assert label == full
        else:
            assert label.endswith("…")
            assert full.startswith(label[:-1])


def test_fixture_sections_page_cleanly(pasted: PolicyDocument) -> None:
    for section in pasted.sections:
        pages = paginate(section.text, 1000)
        assert "".join(pages) == section.text
        assert all(0 < len(page) <= 1000 for page in pages)


# --- parse_policy: small, focused cases -------------------------------------------------


def test_seed_like_kazakh_policy() -> None:
    text = "\n".join(
        [
            "Басты бет", "Мәзір", "Кіру", "Себет (2)", "Қаз | Рус",
            "ДЕРБЕС ДЕРЕКТЕРДІ ӨҢДЕУГЕ ҚАТЫСТЫ САЯСАТ",
            "Осы саясат сайтты пайдалану кезінде қолданылады.",
            "1. ТЕРМИНДЕРДІҢ АНЫҚТАМАСЫ",
            "1.1. Терминдер.",
            "1.1.1. «Дербес деректер» – мәліметтер.",
            "2.ЖАЛПЫ ЕРЕЖЕЛЕР",  # no space after the number is still a heading
            "• бірінші;",
            "",
            "3. ДАУЛАРДЫ ШЕШУ",
            "3.2.Талапты алушы 30 күн ішінде жауап береді.",
            "2022 жылдың 02 маусымында жаңартылды",
            "Барлық құқықтар қорғалған",
            "Жоғары",
            "Made on",
            "Tilda",
        ]
    )
    doc = parse_policy(text, version="2022-06-02", language="kk")
    assert doc.title == "ДЕРБЕС ДЕРЕКТЕРДІ ӨҢДЕУГЕ ҚАТЫСТЫ САЯСАТ"
    assert [s.number for s in doc.sections] == [None, "1", "2", "3"]
    assert doc.sections[2].title == "ЖАЛПЫ ЕРЕЖЕЛЕР"
    assert doc.sections[2].short_title() == "2. ЖАЛПЫ ЕРЕЖЕЛЕР"
    assert doc.sections[-1].lines[-1] == "2022 жылдың 02 маусымында жаңартылды"
    assert doc.junk == (
        "Басты бет", "Мәзір", "Кіру", "Себет (2)", "Қаз | Рус",
        "Барлық құқықтар қорғалған", "Жоғары", "Made on", "Tilda",
    )


def test_junk_words_in_the_middle_are_kept() -> None:
    text = make_policy(1, 2, extra={1: ["Меню", "Made on", "Tilda", "© Автор цитаты"]})
    doc = parse_policy(text, version="v", language="kk")
    assert doc.junk == ()
    assert doc.sections[1].lines[-4:] == ("Меню", "Made on", "Tilda", "© Автор цитаты")


def test_long_line_is_never_junk() -> None:
    # A real closing paragraph may mention rights; only short furniture lines are dropped.
    closing = "Все права защищены законом, " + "и пользователь может их осуществить. " * 20
    doc = parse_policy(make_policy(1) + "\n" + closing, version="v", language="ru")
    assert doc.sections[-1].lines[-1] == closing.rstrip()
    assert doc.junk == ()


@pytest.mark.parametrize(
    "items",
    [
        ["1. бірінші;", "2. екінші."],                                   # stops before 3
        ["1. бірінші;", "2. екінші;", "3. үшінші."],                     # reaches 3
        ["1. бірінші;", "2. екінші;", "3. үшінші;", "4. төртінші."],     # runs past 3
        ["1. бір;", "2. екі.", "Тағы бір тізім:", "1. бір;", "2. екі;", "3. үш."],
    ],
)
def test_nested_numbered_list_does_not_restart_sections(items: list[str]) -> None:
    text = make_policy(1, 2, 3, 4, extra={2: items, 3: ["1. бөлек тізім;", "2. соңы."]})
    doc = parse_policy(text, version="v", language="kk")
    assert [s.number for s in doc.sections] == [None, "1", "2", "3", "4"]
    assert doc.sections[2].lines[2:] == tuple(items)
    assert doc.sections[3].lines[0] == "3. БӨЛІМ 3"


def test_two_digit_headings_and_dates() -> None:
    numbers = list(range(1, 13))
    text = make_policy(*numbers, extra={9: ["10.01.2024 жаңартылды", "12.5 пайыз"]})
    doc = parse_policy(text, version="v", language="kk")
    assert [s.number for s in doc.sections][1:] == [str(n) for n in numbers]
    assert "10.01.2024 жаңартылды" in doc.sections[9].lines


def test_policy_without_numbering_is_one_section() -> None:
    text = "Политика конфиденциальности\nМы бережем ваши данные.\nПишите нам."
    doc = parse_policy(text, version="v", language="ru")
    assert doc.title == "Политика конфиденциальности"
    assert len(doc.sections) == 1
    only = doc.sections[0]
    assert only.number is None and only.title == "" and only.short_title() == ""
    assert only.lines == ("Мы бережем ваши данные.", "Пишите нам.")


def test_single_line_policy_keeps_its_only_line_as_content() -> None:
    doc = parse_policy("Мы не собираем данные.", version="v", language="ru")
    assert doc.title is None
    assert [s.lines for s in doc.sections] == [("Мы не собираем данные.",)]


def test_long_first_line_is_preamble_not_title() -> None:
    first = "Настоящая политика " + "определяет порядок обработки данных " * 10
    doc = parse_policy(first + "\n1. ОБЩИЕ ПОЛОЖЕНИЯ\n1.1. Текст.", version="v", language="ru")
    assert doc.title is None
    assert doc.sections[0].number is None and doc.sections[0].lines == (first.rstrip(),)


def test_no_preamble_when_headings_follow_the_title() -> None:
    doc = parse_policy("ПОЛИТИКА\n1. ОБЩЕЕ\n1.1. Текст.", version="v", language="ru")
    assert [s.number for s in doc.sections] == ["1"]
    assert doc.sections[0].index == 0


def test_normalization_of_endings_spaces_and_bom() -> None:
    text = "\ufeffПОЛИТИКА\r\n1.\u00a0ОБЩЕЕ  \r1.1.\u2009Текст\u200b с\u202fпробелами.\t\r\n"
    doc = parse_policy(text, version="v", language="ru")
    assert doc.title == "ПОЛИТИКА"
    assert doc.sections[0].lines == ("1. ОБЩЕЕ", "1.1. Текст с пробелами.")


def test_custom_junk_patterns_extend_the_defaults() -> None:
    text = make_policy(1) + "\nПодписаться на рассылку"
    assert parse_policy(text, version="v", language="kk").junk == ()
    extended = JUNK_PATTERNS + (re.compile(r"подписаться на рассылку", re.IGNORECASE),)
    doc = parse_policy(text, version="v", language="kk", junk_patterns=extended)
    assert doc.junk == ("Подписаться на рассылку",)


@pytest.mark.parametrize("text", ["", "   \n\u00a0\n", "Made on\nTilda", "Главная\n©2024"])
def test_text_without_policy_is_an_error(text: str) -> None:
    with pytest.raises(PolicyError, match="no text"):
        parse_policy(text, version="2026-01-01", language="ru")


def test_unsupported_language_is_an_error() -> None:
    with pytest.raises(PolicyError, match="en"):
        parse_policy("Текст", version="2026-01-01", language="en")


def test_short_title_preamble_and_cut() -> None:
    section = PolicySection(index=1, number="3", title="ҚҰПИЯЛЫЛЫҚ   САЯСАТЫНЫҢ МӘНІ", lines=("x",))
    assert section.short_title() == "3. ҚҰПИЯЛЫЛЫҚ САЯСАТЫНЫҢ МӘНІ"
    assert section.short_title(15) == "3. ҚҰПИЯЛЫЛЫҚ…"
    assert len(section.short_title(1)) == 1
    with pytest.raises(ValueError):
        section.short_title(0)


# --- paginate ---------------------------------------------------------------------------


@functools.cache
def _paging_texts() -> dict[str, str]:
    fixture = parse_policy(read_raw(PASTED_RU), version="v", language="ru").text
    return {
        "fixture": fixture,
        "raw_fixture_crlf": read_raw(PASTED_RU),
        "no_spaces": "ә" * 7_321,
        "one_long_word_between_spaces": "бас " + "ы" * 2_000 + " соңы. Келесі сөйлем.",
        "only_newlines_and_words": "\n".join(["сөз"] * 900),
        "whitespace_runs": ("  \n\n  " * 300) + "мәтін" + (" " * 777),
        "short": "Қысқа мәтін.",
    }


@pytest.mark.parametrize("limit", [1, 2, 7, 50, 200, 1000, 3500, 4096])
@pytest.mark.parametrize("name", list(_paging_texts()))
def test_paginate_invariants(name: str, limit: int) -> None:
    text = _paging_texts()[name]
    pages = paginate(text, limit)
    assert "".join(pages) == text
    assert all(0 < len(page) <= limit for page in pages)
    if len(text) <= limit:
        assert pages == [text]


@pytest.mark.parametrize("limit", [200, 1000, 3500])
def test_paginate_does_not_make_needlessly_short_pages(limit: int) -> None:
    text = _paging_texts()["fixture"]
    pages = paginate(text, limit)
    assert all(len(page) > limit // 4 for page in pages[:-1])


def test_paginate_empty_text_has_no_pages() -> None:
    assert paginate("") == []


def test_paginate_rejects_a_silly_limit() -> None:
    with pytest.raises(ValueError):
        paginate("text", 0)


def test_paginate_prefers_a_newline() -> None:
    text = "Бірінші абзац. Екінші сөйлем\nкелесі абзац осында жалғасады"
    pages = paginate(text, 40)
    assert pages[0] == "Бірінші абзац. Екінші сөйлем\n"


def test_paginate_prefers_a_sentence_end_over_a_space() -> None:
    text = "Бірінші сөйлем аяқталды. Екінші сөйлем әлі жалғасып келеді"
    pages = paginate(text, 40)
    assert pages[0] == "Бірінші сөйлем аяқталды. "


def test_paginate_breaks_at_a_space_before_cutting_a_word() -> None:
    text = "бірінші екінші үшінші төртінші бесінші"
    pages = paginate(text, 20)
    assert pages[0] == "бірінші екінші "
    assert all(not page.startswith(" ") for page in pages)


def test_paginate_cuts_mid_word_only_without_another_choice() -> None:
    pages = paginate("ж" * 95, 30)
    assert [len(page) for page in pages] == [30, 30, 30, 5]


def test_paginate_does_not_break_right_after_an_item_number() -> None:
    text = "Оператор жинайтын деректер: 3.2.1. Пайдаланушының аты"
    assert not paginate(text, 40)[0].endswith("3.2.1. ")


# --- load_policy_library ----------------------------------------------------------------


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


KK = "САЯСАТ\nКіріспе.\n1. ЖАЛПЫ ЕРЕЖЕЛЕР\n1.1. Мәтін.\n2. БАЙЛАНЫС\n2.1. Мәтін."
RU = "ПОЛИТИКА\nВступление.\n1. ОБЩИЕ ПОЛОЖЕНИЯ\n1.1. Текст.\n2. КОНТАКТЫ\n2.1. Текст."


def test_library_happy_path(tmp_path: Path) -> None:
    write(tmp_path / "2025-01-01" / "kk.md", KK)
    write(tmp_path / "2025-01-01" / "ru.md", RU)
    write(tmp_path / "2026-03-01" / "ru.txt", "\ufeff" + RU.replace("Текст", "Новый текст"))
    write(tmp_path / "2026-03-01" / "notes.txt", "не политика")   # ignored
    write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main")     # hidden: ignored
    write(tmp_path / "README.md", "Как публиковать политику")      # top-level file: ignored

    library = load_policy_library(str(tmp_path))  # str paths work too

    assert [v.version for v in library.versions] == ["2025-01-01", "2026-03-01"]
    assert library.current.version == "2026-03-01"
    assert library.current.effective_date == datetime.date(2026, 3, 1)
    old = library.get("2025-01-01")
    assert old is not None and set(old.documents) == {"kk", "ru"}
    assert library.get("2024-01-01") is None

    ru, fallback = library.current.document("ru")
    assert not fallback and ru.language == "ru" and ru.version == "2026-03-01"
    assert ru.title == "ПОЛИТИКА"  # the BOM did not stick to the title
    assert "Новый текст." in ru.text

    kk, fallback = old.document("kk")
    assert not fallback and kk.language == "kk"
    assert [s.number for s in kk.sections] == [None, "1", "2"]


def test_library_falls_back_to_the_other_language(tmp_path: Path) -> None:
    write(tmp_path / "2026-01-01" / "kk.md", KK)
    version = load_policy_library(tmp_path).current
    doc, fallback = version.document("ru")
    assert fallback and doc.language == "kk"
    doc, fallback = version.document("en")
    assert fallback and doc.language == "kk"
    doc, fallback = version.document("kk")
    assert not fallback and doc.language == "kk"


def test_library_versions_are_read_only(tmp_path: Path) -> None:
    write(tmp_path / "2026-01-01" / "kk.md", KK)
    version = load_policy_library(tmp_path).current
    with pytest.raises(TypeError):
        version.documents["ru"] = version.documents["kk"]  # type: ignore[index]


def _error_cases() -> dict[str, Callable[[Path], Path]]:
    """name -> setup(root) that breaks the library and returns the path the error must name."""

    def missing(root: Path) -> Path:
        return root / "nope"

    def not_a_folder(root: Path) -> Path:
        return write(root / "policy.md", RU)

    def empty(root: Path) -> Path:
        return root

    def only_hidden(root: Path) -> Path:
        write(root / ".drafts" / "2026-01-01" / "ru.md", RU)
        return root

    def stray_files(root: Path) -> Path:
        write(root / "ru.md", RU)
        return root

    def not_a_date(root: Path) -> Path:
        write(root / "2026-01-01" / "ru.md", RU)
        write(root / "draft" / "ru.md", RU)
        return root / "draft"

    def impossible_date(root: Path) -> Path:
        write(root / "2026-02-30" / "ru.md", RU)
        return root / "2026-02-30"

    def no_policy_file(root: Path) -> Path:
        write(root / "2026-01-01" / "notes.txt", RU)
        return root / "2026-01-01"

    def empty_file(root: Path) -> Path:
        return write(root / "2026-01-01" / "kk.md", "")

    def blank_file(root: Path) -> Path:
        return write(root / "2026-01-01" / "ru.txt", " \n\u00a0\n\ufeff")

    def not_utf8(root: Path) -> Path:
        return write(root / "2026-01-01" / "ru.md", RU.encode("cp1251"))

    def duplicate(root: Path) -> Path:
        write(root / "2026-01-01" / "kk.md", KK)
        write(root / "2026-01-01" / "kk.txt", KK)
        return root / "2026-01-01"

    def only_junk(root: Path) -> Path:
        write(root / "2026-01-01" / "kk.md", KK)
        return write(root / "2026-01-01" / "ru.md", "Главная\nМеню\nMade on\nTilda\n")

    return {
        f.__name__: f
        for f in (missing, not_a_folder, empty, only_hidden, stray_files, not_a_date,
                  impossible_date, no_policy_file, empty_file, blank_file, not_utf8,
                  duplicate, only_junk)
    }


@pytest.mark.parametrize("case", list(_error_cases()))
def test_library_errors_name_the_path(tmp_path: Path, case: str) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    culprit = _error_cases()[case](root)
    directory = culprit if case in {"missing", "not_a_folder"} else root
    with pytest.raises(PolicyError) as info:
        load_policy_library(directory)
    message = str(info.value)
    assert str(culprit) in message
    assert len(message) < 400  # readable in a log line


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("missing", "does not exist"),
        ("not_a_folder", "not a folder"),
        ("empty", "no policy versions"),
        ("stray_files", "subfolder"),
        ("not_a_date", "YYYY-MM-DD"),
        ("no_policy_file", "no policy file"),
        ("empty_file", "empty"),
        ("not_utf8", "UTF-8"),
        ("duplicate", "keep one"),
        ("only_junk", "no text"),
    ],
)
def test_library_errors_say_what_is_wrong(tmp_path: Path, case: str, needle: str) -> None:
    culprit = _error_cases()[case](tmp_path)
    directory = culprit if case in {"missing", "not_a_folder"} else tmp_path
    with pytest.raises(PolicyError, match=needle):
        load_policy_library(directory)


# --- the shipped sample policy ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> policy.PolicyLibrary:
    return load_policy_library(SAMPLE_DIR)


def test_sample_policy_loads_in_both_languages(sample: policy.PolicyLibrary) -> None:
    current = sample.current
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", current.version)
    for language in SUPPORTED_LANGUAGES:
        doc, fallback = current.document(language)
        assert not fallback and doc.language == language
        assert doc.title
        assert doc.junk == ()
        numbered = [s for s in doc.sections if s.number is not None]
        assert len(numbered) >= 8
        assert [s.number for s in numbered] == [str(n) for n in range(1, len(numbered) + 1)]


def test_sample_policy_languages_have_the_same_structure(sample: policy.PolicyLibrary) -> None:
    kk, _ = sample.current.document("kk")
    ru, _ = sample.current.document("ru")
    assert [s.number for s in kk.sections] == [s.number for s in ru.sections]
    for kk_section, ru_section in zip(kk.sections, ru.sections):
        item = re.compile(r"\d+(?:\.\d+)*\.(?= )")
        kk_items = [m.group() for line in kk_section.lines if (m := item.match(line))]
        ru_items = [m.group() for line in ru_section.lines if (m := item.match(line))]
        assert kk_items == ru_items


def test_sample_policy_pages_fit_telegram(sample: policy.PolicyLibrary) -> None:
    for language in SUPPORTED_LANGUAGES:
        doc, _ = sample.current.document(language)
        for section in doc.sections:
            pages = paginate(section.text, 3500)
            assert "".join(pages) == section.text
            assert all(0 < len(page) <= 3500 for page in pages)
            assert len(section.short_title()) <= 48
        # One section is long enough that small page limits really split it.
        assert max(len(paginate(s.text, 500)) for s in doc.sections) >= 4
