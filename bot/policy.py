"""Privacy-policy versions: load a folder, clean pasted text, split it into sections, page it.

Layout on disk::

    <directory>/2026-01-01/kk.md
    <directory>/2026-01-01/ru.md
    <directory>/2026-06-15/ru.txt      (.txt is accepted too)

Operators paste their policy straight from a website, so the text arrives with CRLF line
endings, non-breaking spaces, navigation menus above it and "Made on Tilda" below it. We
clean only the edges: a line in the middle of a policy is never dropped, because losing a
sentence of a legal text is worse than showing a stray "Меню".

Plain Python on purpose: nothing here imports aiogram, so it is testable and reusable.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "JUNK_PATTERNS",
    "SUPPORTED_LANGUAGES",
    "PolicyDocument",
    "PolicyError",
    "PolicyLibrary",
    "PolicySection",
    "PolicyVersion",
    "load_policy_library",
    "normalize_lines",
    "paginate",
    "parse_policy",
]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("kk", "ru")

# Which language to show when the asked one is missing. Russian first: it is the bot's
# default locale, so an unknown language code gets the same fallback as elsewhere.
_FALLBACK_ORDER: tuple[str, ...] = ("ru", "kk")

_FILE_SUFFIXES: tuple[str, ...] = (".md", ".txt")
_VERSION_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")

# A top-level heading: "1. TITLE", "10.TITLE". The lookahead rejects "1.1." and dates
# like "15.03.2024"; whether it really is a heading is decided by the number sequence.
_HEADING = re.compile(r"^\s*(\d{1,2})\.(?!\d)\s*(\S.*)$")

# Longest line a title may be; anything longer is a paragraph, i.e. preamble.
_TITLE_MAX = 200
# "3.", "2.1.", "3.2.1." at the start of a line: such a line is an item, never the title.
_NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*\.")

# Junk is short website furniture. A long line is content even if a pattern would match,
# which keeps the broader patterns (©, "все права защищены", cookie banners) safe.
_JUNK_MAX = 300


class PolicyError(Exception):
    """A policy folder or file cannot be used; the message says which one and why.

    `key` (with `text_args`) names the translated text operators see in the admin chat
    (locales/*/compliance.ftl); the English message stays for logs and start-up errors.
    """

    def __init__(self, message: str, *, key: str | None = None, **text_args: str) -> None:
        super().__init__(message)
        self.key = key
        self.text_args = text_args


# ---------------------------------------------------------------------------------------
# Website junk
# ---------------------------------------------------------------------------------------

def _words(*words: str) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)


# Menu entries, buttons and counters ("Корзина (0)", "☰ Меню", "Наверх ↑").
_NAV = _words(
    # ru
    "главная", "главная страница", "на главную", "меню", "войти", "вход", "выйти",
    "регистрация", "личный кабинет", "корзина", "наверх", "вверх", "поиск", "каталог",
    "о компании", "о нас", "контакты", "новости", "блог", "доставка", "оплата",
    "доставка и оплата", "отзывы", "услуги", "акции", "избранное", "закрыть", "назад",
    "поделиться", "печать", "версия для печати",
    # kk
    "басты бет", "басты бетке", "мәзір", "кіру", "шығу", "тіркелу", "жеке кабинет",
    "себет", "жоғары", "жоғарыға", "іздеу", "компания туралы", "біз туралы", "байланыс",
    "байланыстар", "жаңалықтар", "жеткізу", "төлем", "қызметтер", "жабу", "артқа", "бөлісу",
    # account links of shops' sites (seen above a pasted Kazakh policy: "update password")
    "сайтқа кіру", "жүйеге кіру", "құпия сөзді жаңарту", "құпия сөзді қалпына келтіру",
    "құпия сөзді ұмыттыңыз ба", "құпия сөзді өзгерту", "кіру немесе тіркелу",
    "войти на сайт", "вход на сайт", "вход или регистрация", "обновить пароль",
    "восстановить пароль", "забыли пароль", "сменить пароль", "изменить пароль",
    "update password", "reset password", "forgot password", "change password",
    # en
    "home", "menu", "log in", "login", "sign in", "sign up", "register", "cart", "basket",
    "search", "about", "about us", "contacts", "contact us", "back to top", "to top",
    "top", "news", "blog", "close", "back", "share", "print",
    # social links rendered as plain words
    "instagram", "facebook", "vk", "вконтакте", "whatsapp", "telegram", "youtube", "tiktok",
)
_LANG = _words("ru", "kz", "kk", "en", "eng", "рус", "каз", "қаз", "русский", "қазақша",
               "казахский", "english")
_COOKIE_OK = _words("принять", "принимаю", "согласен", "согласна", "понятно", "хорошо",
                    "ok", "ок", "okay", "қабылдау", "келісемін", "түсінікті", "accept",
                    "accept all", "got it", "i agree", "agree")
_DECOR = r"[\W\d_]*"  # arrows, burger icons, bullets, counters around a menu word

JUNK_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"{_DECOR}(?:{_NAV}){_DECOR}",
        rf"(?:{_LANG})(?:\s*[|/·•,]\s*(?:{_LANG}))*",                    # RU | KZ switcher
        r"(?:главная|басты\s+бет|home)\s*[/>»›|→\\-].*",                 # breadcrumbs
        r"made\s+on(?:\s+tilda.*)?|tilda(?:\s+publishing)?",
        r"(?:сделано|создано|сайт\s+создан|сайт\s+сделан)\s+(?:на|в|с\s+помощью)\s+tilda.*",
        r"(?:created|powered|built)\s+(?:with|by|on)(?:\s+\S+){0,3}",
        r"(?:©|\(c\)|copyright\b).*",                                    # © 2024 ТОО ...
        r"\d{4}(?:\s*[-–—]\s*\d{4})?\s*(?:©|\(c\)).*",                   # 2024 © ...
        r".*(?:все\s+права\s+защищены|барлық\s+құқықтар\s+қорғалған|all\s+rights\s+reserved).*",
        r"(?:мы\s+используем|этот\s+сайт\s+использует|сайт\s+использует|"
        r"наш\s+сайт\s+использует|we\s+use|this\s+(?:web)?site\s+uses)\b.*\b(?:cookies?|куки)\b.*",
        r"(?:біз|сайт|бұл\s+сайт)\s.*\bcookie\b.*(?:пайдаланамыз|пайдаланады).*",
        # "Продолжая пользоваться сайтом, вы соглашаетесь с использованием cookie" and kin
        r".*\b(?:cookies?|куки|cookie-файл\w*)\b.*\b(?:соглаша\w*|согласие\w*|келісесіз|келісім\w*|"
        r"agree\w*|consent\w*|accept\w*)\b.*",
        r".*\b(?:соглаша\w*|келісесіз|agree\w*)\b.*\b(?:cookies?|куки|cookie-файл\w*)\b.*",
        rf"(?:{_COOKIE_OK})[.!]?",                                        # cookie banner button
        r"[\W_]+",                                                        # "↑", "***", "×"
    )
)
"""Whole-line patterns (matched with ``fullmatch`` against the stripped line) for website
furniture. Only lines at the very top or bottom of a pasted policy are tested. Extend with
``JUNK_PATTERNS + (re.compile(...),)`` and pass it as ``junk_patterns=``."""


def _is_junk(line: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > _JUNK_MAX or _NUMBERED.match(stripped):
        return False  # a numbered line is an item of the policy, whatever words it has
    return any(p.fullmatch(stripped) for p in patterns)


# ---------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------

# NBSP, figure/narrow spaces, the U+2000 block, ideographic space, tab → a plain space;
# zero-width characters and stray BOMs (pasting often leaves them mid-text) → nothing.
_ODD_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
             "\u2009\u200a\u202f\u205f\u3000\t\v\f"),
    " ",
)
_ODD_SPACES.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None))


def normalize_lines(text: str) -> list[str]:
    """Split text into lines with unified endings, plain spaces and no trailing blanks.

    Empty lines are kept (as "") so callers can see paragraph breaks; they carry no content.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # U+2028/2029 are line breaks too, and str.splitlines would honour them anyway.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    text = text.translate(_ODD_SPACES)
    return [line.rstrip() for line in text.split("\n")]


# ---------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------

def _shorten(text: str, limit: int) -> str:
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Cut at a word boundary when that keeps most of the room; a mid-word cut otherwise.
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


@dataclass(frozen=True)
class PolicySection:
    index: int              # 0-based position in its document
    number: str | None      # "1", "2", ...; None for the preamble or an unnumbered policy
    title: str              # heading text without the number; "" when number is None
    lines: tuple[str, ...]  # every line in order, heading first; blank lines dropped

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def short_title(self, limit: int = 48) -> str:
        """Button label like "3. ҚҰПИЯЛЫЛЫҚ САЯСАТЫНЫҢ МӘНІ", at most `limit` chars.

        Empty for an unnumbered section: the caller shows a localized "Preamble" instead.
        """
        if self.number is None:
            return ""
        label = " ".join(f"{self.number}. {self.title}".split())
        return _shorten(label, limit)


@dataclass(frozen=True)
class PolicyDocument:
    version: str
    language: str
    title: str | None
    sections: tuple[PolicySection, ...]
    junk: tuple[str, ...] = ()   # dropped website furniture, head lines then tail lines

    @property
    def text(self) -> str:
        """The full cleaned policy for the downloadable file; a blank line between parts."""
        parts = ([self.title] if self.title else []) + [s.text for s in self.sections]
        return "\n\n".join(parts)

    def section(self, index: int) -> PolicySection | None:
        # Indexes come from callback data a user can replay; never let -1 mean "last".
        if 0 <= index < len(self.sections):
            return self.sections[index]
        return None


@dataclass(frozen=True)
class PolicyVersion:
    version: str                              # folder name, "YYYY-MM-DD"
    effective_date: datetime.date
    documents: Mapping[str, PolicyDocument]

    def __post_init__(self) -> None:
        if not self.documents:
            raise PolicyError(f"Policy version {self.version} has no documents")
        # Read-only view: the library is shared by every handler.
        object.__setattr__(self, "documents", MappingProxyType(dict(self.documents)))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in SUPPORTED_LANGUAGES if lang in self.documents)

    def document(self, language: str) -> tuple[PolicyDocument, bool]:
        """The document in `language`, else another one; the flag is True on fallback."""
        if language in self.documents:
            return self.documents[language], False
        for other in _FALLBACK_ORDER + tuple(self.documents):
            if other in self.documents:
                return self.documents[other], True
        raise AssertionError("unreachable: documents is never empty")  # pragma: no cover


@dataclass(frozen=True)
class PolicyLibrary:
    versions: tuple[PolicyVersion, ...]   # in force (their date has come), ascending by date
    # Published and announced, taking effect on a later date (bot/publishing.py moves each into
    # `versions` on its date). Readable, but never current: consent is asked for `current`.
    scheduled: tuple[PolicyVersion, ...] = ()

    def __post_init__(self) -> None:
        if not self.versions:
            raise PolicyError("Policy library has no versions")
        object.__setattr__(
            self, "versions", tuple(sorted(self.versions, key=lambda v: v.effective_date))
        )
        object.__setattr__(
            self, "scheduled", tuple(sorted(self.scheduled, key=lambda v: v.effective_date))
        )

    @property
    def current(self) -> PolicyVersion:
        return self.versions[-1]

    def get(self, version: str) -> PolicyVersion | None:
        for candidate in self.versions + self.scheduled:
            if candidate.version == version:
                return candidate
        return None

    def is_scheduled(self, version: PolicyVersion) -> bool:
        return any(v.version == version.version for v in self.scheduled)

    def previous_of(self, version: PolicyVersion) -> PolicyVersion | None:
        """The version (in force or scheduled) in effect just before `version`'s date."""
        earlier = [v for v in self.versions + self.scheduled if v.effective_date < version.effective_date]
        return max(earlier, key=lambda v: v.effective_date) if earlier else None


# ---------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------

def _chain(candidates: Sequence[tuple[int, int, str]], start: int) -> list[tuple[int, str, str]]:
    """Headings numbered start's number, +1, +2 … walking the candidates from `start`.

    A numbered list inside a section ("1. …; 2. …; 3. …") restarts at 1, so the next
    expected heading number can turn up as a list item. Such an item is skipped when the
    same number comes again later as a real heading, i.e. outside the list.
    """
    first = candidates[start]
    found = [(first[0], str(first[1]), first[2])]
    expected, nested = first[1] + 1, 1
    for i in range(start + 1, len(candidates)):
        number = candidates[i][1]
        is_list_item = number == nested and _heading_follows(candidates, i, expected)
        if number == expected and not is_list_item:
            line_no, _, title = candidates[i]
            found.append((line_no, str(number), title))
            expected, nested = expected + 1, 1
        elif number == nested:
            nested += 1
        elif number == 1:
            nested = 2
    return found


def _heading_follows(candidates: Sequence[tuple[int, int, str]], i: int, expected: int) -> bool:
    """If candidates[i] is taken as a list item, does heading `expected` still come later?"""
    nested = candidates[i][1] + 1
    for _, number, _ in candidates[i + 1 :]:
        if number == nested:
            nested += 1
        elif number == expected:
            return True
        elif number == expected + 1:
            return False  # the next heading would be missing its predecessor
        elif number == 1:
            nested = 2
    return False


def _find_headings(lines: Sequence[str]) -> list[tuple[int, str, str]]:
    """(line index, number, title) of top-level headings.

    A heading must carry exactly the next expected number, so "1. ..." in a numbered list
    inside section 5 is not taken for a new section. The sequence starts at the first "1."
    (a policy normally has one), else at the first candidate.
    """
    candidates = []
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m:
            candidates.append((i, int(m.group(1)), m.group(2).strip()))
    if not candidates:
        return []
    start = next((k for k, c in enumerate(candidates) if c[1] == 1), 0)
    return _chain(candidates, start)


# Words that name a privacy policy in its heading (ru, kk, en).
_NAMES_POLICY = re.compile(
    r"политик|положени|конфиденциальн|персональн\w*\s+данн|саясат|құпиялы|құпиялық|дербес\s+дерект"
    r"|privacy|policy|personal\s+data",
    re.IGNORECASE,
)
# A line of running text rather than a heading or a menu item.
_SENTENCE = re.compile(r"[.;:!?…]\s*$")


def _is_paragraph(line: str) -> bool:
    """Running text: long, or a sentence of several words. A line in capitals is a heading."""
    text = line.strip()
    if len(text) > _TITLE_MAX:
        return True
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return not shouting and len(text.split()) >= 5 and bool(_SENTENCE.search(text))


def _title_index(head: Sequence[str]) -> int | None:
    """Which line before the first section is the title.

    The heading that names the policy ("ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ", "ДЕРБЕС ДЕРЕКТЕРДІ ӨҢДЕУГЕ
    ҚАТЫСТЫ САЯСАТ"): the last such short line before the introduction under it starts, so a
    menu link "Политика конфиденциальности" above the real heading is not taken. Without one,
    the first short line, as before. None when there is no such line.
    """
    naming: list[int] = []
    for i, line in enumerate(head):
        if _is_paragraph(line):
            if naming:
                break  # the introduction under the heading has started
            continue  # running text above the heading (kept in the preamble)
        if _NAMES_POLICY.search(line) and not _NUMBERED.match(line):
            naming.append(i)
    if naming:
        return naming[-1]
    if head and len(head[0].strip()) <= _TITLE_MAX and not _NUMBERED.match(head[0]):
        return 0
    return None


def parse_policy(
    text: str,
    *,
    version: str,
    language: str,
    junk_patterns: Sequence[re.Pattern[str]] | None = None,
) -> PolicyDocument:
    """Clean a pasted policy and split it into its numbered top-level sections.

    Raises PolicyError when the language is unsupported or nothing but junk is left.
    """
    if language not in SUPPORTED_LANGUAGES:
        raise PolicyError(
            f"Policy {version}: unsupported language {language!r}; "
            f"expected one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    patterns = JUNK_PATTERNS if junk_patterns is None else junk_patterns
    lines = [line for line in normalize_lines(text) if line.strip()]

    # Trim furniture from both edges only; stop at the first line that is not junk.
    start = 0
    while start < len(lines) and _is_junk(lines[start], patterns):
        start += 1
    end = len(lines)
    while end > start and _is_junk(lines[end - 1], patterns):
        end -= 1
    head_junk = tuple(line.strip() for line in lines[:start])
    tail_junk = tuple(line.strip() for line in lines[end:])
    junk = head_junk + tail_junk
    body = lines[start:end]
    if not body:
        detail = f" (only website furniture: {', '.join(junk[:5])})" if junk else ""
        raise PolicyError(f"Policy {version}/{language} has no text{detail}", key="compliance-policy-no-text", language=language)

    headings = _find_headings(body)
    first_heading = headings[0][0] if headings else len(body)

    title: str | None = None
    head = body[:first_heading]
    title_at = _title_index(head)
    # Never take the only line of an unnumbered policy as its title: no section would be left.
    if title_at is not None and (headings or len(body) > 1):
        title = head[title_at].strip()
        before, after = head[:title_at], head[title_at + 1 :]
        # Furniture above the heading (account links, a site's navigation) is dropped; any other
        # line there ("УТВЕРЖДЕНО приказом директора ...") is kept, in the preamble: losing a
        # line of a legal text is worse than showing a stray menu item.
        head_junk += tuple(line.strip() for line in before if _is_junk(line, patterns))
        before = [line for line in before if not _is_junk(line, patterns)]
        # Furniture right under the heading ("Сайтқа кіру", "Тіркелу") is dropped too, as at
        # the edges; from the first line that is not junk on, every line is kept.
        skip = 0
        while skip < len(after) and _is_junk(after[skip], patterns):
            skip += 1
        head_junk += tuple(line.strip() for line in after[:skip])
        head = before + after[skip:]

    sections: list[PolicySection] = []
    if head:
        sections.append(PolicySection(index=0, number=None, title="", lines=tuple(head)))
    bounds = [h[0] for h in headings] + [len(body)]
    for (line_no, number, heading_title), stop in zip(headings, bounds[1:]):
        sections.append(
            PolicySection(
                index=len(sections),
                number=number,
                title=heading_title,
                lines=tuple(body[line_no:stop]),
            )
        )
    return PolicyDocument(
        version=version,
        language=language,
        title=title,
        sections=tuple(sections),
        junk=head_junk + tail_junk,
    )


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------

def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"Cannot read policy file {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")  # -sig: Windows editors prepend a BOM
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"Policy file {path} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
            f"position {exc.start}); save it with UTF-8 encoding"
        ) from exc
    if not text.strip():
        raise PolicyError(f"Policy file {path} is empty")
    return text


def _load_version(folder: Path, patterns: Sequence[re.Pattern[str]] | None) -> PolicyVersion:
    name = folder.name
    try:
        if not _VERSION_NAME.fullmatch(name):
            raise ValueError(name)
        effective = datetime.date.fromisoformat(name)
    except ValueError:
        raise PolicyError(
            f"Policy folder {folder} is not named as a date: expected YYYY-MM-DD, "
            f"e.g. 2026-01-01 (hidden folders starting with '.' are ignored)"
        ) from None

    documents: dict[str, PolicyDocument] = {}
    for language in SUPPORTED_LANGUAGES:
        files = [folder / f"{language}{suffix}" for suffix in _FILE_SUFFIXES]
        files = [f for f in files if f.is_file()]
        if len(files) > 1:
            # Two copies of one text: we would silently publish whichever we picked.
            raise PolicyError(
                f"Policy folder {folder} has both {files[0].name} and {files[1].name}; "
                f"keep one"
            )
        if not files:
            continue
        path = files[0]
        try:
            documents[language] = parse_policy(
                _read_text(path), version=name, language=language, junk_patterns=patterns
            )
        except PolicyError as exc:
            if str(path) in str(exc):
                raise
            raise PolicyError(f"Policy file {path}: {exc}") from exc

    if not documents:
        expected = ", ".join(f"{lang}{suffix}" for lang in SUPPORTED_LANGUAGES
                             for suffix in _FILE_SUFFIXES)
        raise PolicyError(f"Policy folder {folder} has no policy file; expected one of {expected}")
    return PolicyVersion(version=name, effective_date=effective, documents=documents)


def load_policy_library(
    directory: str | Path,
    *,
    junk_patterns: Sequence[re.Pattern[str]] | None = None,
) -> PolicyLibrary:
    """Load every version folder (YYYY-MM-DD) under `directory`.

    Raises PolicyError naming the path on any problem: the bot should refuse to start
    rather than show customers a broken or missing policy.
    """
    root = Path(directory)
    try:
        if not root.exists():
            raise PolicyError(f"Policy folder {root} does not exist")
        if not root.is_dir():
            raise PolicyError(f"Policy folder {root} is not a folder")
        entries = sorted(root.iterdir())
        # Files at the top (README, notes) are not versions; .git and friends are hidden.
        folders = [
            entry for entry in entries
            if entry.is_dir() and not entry.name.startswith(".") and entry.name != "__pycache__"
        ]
    except OSError as exc:
        raise PolicyError(f"Cannot read policy folder {root}: {exc.strerror or exc}") from exc

    versions = []
    for folder in folders:
        try:
            versions.append(_load_version(folder, junk_patterns))
        except OSError as exc:  # e.g. a version folder without read permission
            raise PolicyError(
                f"Cannot read policy folder {folder}: {exc.strerror or exc}"
            ) from exc
    if not versions:
        stray = [e.name for e in entries if e.is_file() and e.stem in SUPPORTED_LANGUAGES]
        hint = (f"; move {', '.join(stray)} into a subfolder named by the effective date, "
                f"e.g. {root / '2026-01-01'}") if stray else (
                f"; expected subfolders named YYYY-MM-DD, e.g. {root / '2026-01-01'}")
        raise PolicyError(f"Policy folder {root} has no policy versions{hint}")
    return PolicyLibrary(versions=tuple(versions))


# ---------------------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------------------

# A sentence or clause end followed by whitespace. A digit before the dot is excluded so
# we do not break right after an item number such as "3.2.1. ".
_SENTENCE_END = re.compile(r"(?<!\d)[.!?…;]\s")
# A space that does not follow an item number: "3.2.1. Текст" stays together.
_WORD_GAP = re.compile(r"(?<!\d\.) ")


def _break_at(window: str, floor: int) -> int:
    """Length of the page to cut from `window`, a full-limit slice of a longer text.

    Preference: after a newline, after a sentence end, after a space, mid-word. Each kind
    is first looked for past `floor` so pages are not needlessly short.
    """
    def last_newline(lo: int) -> int:
        i = window.rfind("\n", lo)
        return i + 1 if i >= 0 else 0

    def last_match(pattern: re.Pattern[str]) -> Callable[[int], int]:
        def find(lo: int) -> int:
            ends = [m.end() for m in pattern.finditer(window, lo)]
            return ends[-1] if ends else 0
        return find

    def last_space(lo: int) -> int:
        i = window.rfind(" ", lo)
        return i + 1 if i >= 0 else 0

    finders = (last_newline, last_match(_SENTENCE_END), last_match(_WORD_GAP), last_space)
    for lo in (floor, 0):
        for finder in finders:
            cut = finder(lo)
            if cut > 0:
                return cut
    return len(window)


def paginate(text: str, limit: int = 3500) -> list[str]:
    """Split text into pages of at most `limit` characters for Telegram (max 4096).

    "".join(pages) == text exactly; no page is empty. A page can be all whitespace only
    when the text has a blank run about as long as `limit` (section texts never do).
    Limits count Python characters; Telegram counts UTF-16 units, so leave headroom if
    the text may hold emoji.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pages: list[str] = []
    pos = 0
    floor = limit // 4
    while len(text) - pos > limit:
        window = text[pos : pos + limit]
        cut = _break_at(window, floor)
        pages.append(text[pos : pos + cut])
        pos += cut
    if pos < len(text):
        pages.append(text[pos:])
    return pages
