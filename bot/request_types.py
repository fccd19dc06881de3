"""The one registry of request types: what a customer can file, and everything that follows from it.

Each entry says what the type is (its code, stored in `claims.type`), on what legal basis, its
default term (days, calendar or working) and the settings that change that term, whether /mydata
offers it, and (by its place in the registry) its order in keyboards, /mydata and /stats. Its two
locale keys follow from the code: `claim-type-CODE` (its name, in cards, alerts, /myclaims and
/stats) and `claim-type-button-CODE` (its button).

Adding a type = one line below + those two keys in locales/kk and locales/ru (+ optionally the
settings names, which then become settings of their own: bot/config.py reads them from here).
The database accepts any code (migration 0014 dropped the CHECK list); filing a code that the
registry does not know is refused by the service (bot/claims.py).

Plain Python: no aiogram, no pydantic. The running bot gets its registry as dispatcher data
(`request_types`), so a test can hand it a registry with one more type.

Legal bases: Law of the Republic of Kazakhstan No. 94-V of 21 May 2013 "On Personal Data and
Their Protection" (text: https://adilet.zan.kz/rus/docs/Z1300000094, English translation
https://adilet.zan.kz/eng/docs/Z1300000094). The sub-paragraph numbers and terms below are the
ones this project has used since the claims feature (README, "Claims"): the search tool found the
law's page on adilet.zan.kz but not the text of Art. 24 and 25 itself, so they were NOT re-checked
against it here. Check them against the current text before relying on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

CALENDAR = "calendar"
WORKING = "working"
DAY_KINDS = (CALENDAR, WORKING)
# ClaimTypeCb packs the code into callback data (64 bytes at most, core.telegram.org/bots/api#inlinekeyboardbutton);
# a short lowercase code also keeps it a plain word in the database and in locale keys.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class RequestType:
    code: str
    legal_basis: str  # for people reading the code and the README, not shown to customers
    default_days: int
    default_kind: str  # CALENDAR or WORKING
    # Settings fields (their environment variables are these names upper-cased); None: the
    # default term is the term.
    days_setting: str | None = None
    kind_setting: str | None = None
    in_mydata: bool = False  # offered among /mydata's requests (the data-subject requests)

    @property
    def name_key(self) -> str:
        return name_key(self.code)

    @property
    def button_key(self) -> str:
        return f"claim-type-button-{self.code}"

    def term(self, settings: Any) -> tuple[int, str]:
        """(days, kind) in force: the settings' values where the type has settings, else the defaults."""
        days = getattr(settings, self.days_setting, None) if self.days_setting else None
        kind = getattr(settings, self.kind_setting, None) if self.kind_setting else None
        return (self.default_days if days is None else int(days)), (kind or self.default_kind)


def name_key(code: str) -> str:
    """The locale key of a type's name; also for a stored claim whose type has left the registry."""
    return f"claim-type-{code}"


def missing_locale_keys(
    request_types: Iterable[RequestType], has_key: Callable[[str, str], bool], languages: Iterable[str],
) -> list[str]:
    """'language: key' for every name or button a registered type lacks (checked at start-up)."""
    return [f"{language}: {key}" for entry in request_types for key in (entry.name_key, entry.button_key)
            for language in languages if not has_key(key, language)]


class RequestTypes:
    """The registry: the entries in their order, looked up by code."""

    def __init__(self, entries: Iterable[RequestType]) -> None:
        self._entries = tuple(entries)
        self._by_code: dict[str, RequestType] = {}
        for entry in self._entries:
            if not _CODE.match(entry.code):
                raise ValueError(f"request type code {entry.code!r}: 1-32 of a-z, 0-9, _ starting with a letter")
            if entry.code in self._by_code:
                raise ValueError(f"request type {entry.code!r} is registered twice")
            if entry.default_kind not in DAY_KINDS or not 1 <= entry.default_days <= 366:
                raise ValueError(f"request type {entry.code!r}: a term of 1-366 calendar or working days")
            self._by_code[entry.code] = entry

    def __iter__(self) -> Iterator[RequestType]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> RequestType | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> RequestType:
        return self._by_code[code]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(entry.code for entry in self._entries)

    def offered_in_mydata(self) -> tuple[RequestType, ...]:
        return tuple(entry for entry in self._entries if entry.in_mydata)

    def settings_fields(self) -> Iterator[tuple[RequestType, str, str]]:
        """(entry, 'days' | 'kind', field name) for every settings name in the registry."""
        for entry in self._entries:
            if entry.days_setting:
                yield entry, "days", entry.days_setting
            if entry.kind_setting:
                yield entry, "kind", entry.kind_setting

    def plus(self, *entries: RequestType) -> RequestTypes:
        """A registry with these entries added at the end (e.g. a deployment's own type, or a test's)."""
        return RequestTypes((*self._entries, *entries))


CLAIM = "claim"

REQUEST_TYPES = RequestTypes((
    # A written claim (претензия): the operator's own procedure, not a right under Law 94-V, so its
    # term is the operator's policy (README, "Claims").
    RequestType(CLAIM, "the operator's policy (written claims)", 30, CALENDAR,
                "claim_response_days", "claim_days_kind"),
    # What data are held, for what purpose, from where, how long: Art. 24(1)(1) (the subject's
    # right to know) with Art. 25(2)(6) (the operator's duty to answer within three working days).
    RequestType("access", "Law 94-V Art. 24(1)(1), 25(2)(6)", 3, WORKING,
                "access_request_days", "access_request_days_kind", in_mydata=True),
    # Change or add, block, destroy: Art. 25(2)(8), within one working day of the request.
    RequestType("change", "Law 94-V Art. 25(2)(8)", 1, WORKING,
                "change_request_days", "change_request_days_kind", in_mydata=True),
    RequestType("block", "Law 94-V Art. 25(2)(8)", 1, WORKING,
                "block_request_days", "block_request_days_kind", in_mydata=True),
    RequestType("destroy", "Law 94-V Art. 25(2)(8)", 1, WORKING,
                "destroy_request_days", "destroy_request_days_kind", in_mydata=True),
))
