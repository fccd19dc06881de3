"""The customer's side of claims: filing and follow-ups within the caps, and /myclaims in pages.

One function per thing the customer does; each returns what happened. No aiogram here. The caps
(settings CLAIM_OPEN_LIMIT, CLAIM_DAILY_LIMIT, CLAIM_ATTACHMENTS_LIMIT, CLAIM_FOLLOWUPS_PER_HOUR)
keep one person from flooding the operators' chat. They are checked right before the claim or
follow-up is written; one chat's updates are handled one at a time (ChatOrderIsolation), so the
same person cannot slip two past one check.

Also here: packing a claim's history into pages under Telegram's 4,096-character limit, every
answer in full (a long one is split over pages), counted in UTF-16 units as Telegram counts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import claims as domain
from bot.config import Settings
from bot.deadlines import WorkingCalendar
from bot.policy import paginate
from storage import claim_limits as limits
from storage import claims as store
from storage.claims import Claim
from storage.db import Database, from_iso
from storage.users import User

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
LIST_PAGE_SIZE = 5
# Telegram counts 4,096 UTF-16 units of text after HTML parsing; pages are packed to this much,
# leaving room for the page line above them ("№ 2026-0001 · page 2 of 5").
PAGE_BUDGET = 3600


@dataclass(frozen=True)
class CapReached:
    """A cap refuses the step: `cap` is 'open', 'daily', 'attachments' or 'followups'."""

    cap: str
    limit: int
    until: datetime | None = None  # when the next one will be accepted (rolling windows)


@dataclass(frozen=True)
class UnknownType:
    """The request type is not in the registry (e.g. a type removed while a draft was open): nothing filed."""

    type: str


@dataclass(frozen=True)
class Filed:
    claim: Claim


@dataclass(frozen=True)
class FollowupSaved:
    claim: Claim
    at: datetime


@dataclass(frozen=True)
class ClaimClosed:
    claim: Claim


@dataclass(frozen=True)
class NotYours:
    """No such claim of this customer (a stale or forged button)."""


@dataclass(frozen=True)
class FollowupAllowed:
    claim: Claim


@dataclass(frozen=True)
class ClaimRecord:
    claim: Claim
    answers: list[limits.Answer]


@dataclass(frozen=True)
class ClaimsPage:
    total: int
    page: int  # 0-based, clamped to the pages there are
    pages: int
    claims: list[Claim]
    single: ClaimRecord | None = None  # the customer has exactly one claim: shown at once


# --------------------------------------------------------------------------- caps


async def filing_cap(db: Database, settings: Settings, user_id: int, now: datetime) -> CapReached | None:
    """Whether the customer may file another claim now (open claims, claims within 24 hours)."""
    if await limits.count_open(db, user_id) >= settings.claim_open_limit:
        return CapReached("open", settings.claim_open_limit)
    count, earliest = await limits.filed_since(db, user_id, now - DAY)
    if count >= settings.claim_daily_limit:
        # Rolling 24 hours: the next claim is possible when the earliest in the window leaves it.
        return CapReached("daily", settings.claim_daily_limit, from_iso(earliest) + DAY if earliest else now + DAY)
    return None


async def _followup_cap(db: Database, settings: Settings, claim: Claim, attachments: int, now: datetime) -> CapReached | None:
    count, earliest = await limits.followups_since(db, claim.user_id, now - HOUR)
    if count >= settings.claim_followups_per_hour:
        return CapReached("followups", settings.claim_followups_per_hour, from_iso(earliest) + HOUR if earliest else now + HOUR)
    if attachments and await limits.count_attachments(db, claim.id) + attachments > settings.claim_attachments_limit:
        return CapReached("attachments", settings.claim_attachments_limit)
    return None


# --------------------------------------------------------------------------- services


async def may_file(db: Database, settings: Settings, user: User, now: datetime) -> CapReached | None:
    """/claim pressed: refuse at once if a cap would refuse the claim, before any text is typed."""
    return await filing_cap(db, settings, user.id, now)


async def file_claim(
    db: Database, settings: Settings, calendar: WorkingCalendar, t: domain.Translate, user: User, language: str,
    draft: domain.Draft, now: datetime, request_types: domain.RequestTypes = domain.REQUEST_TYPES,
) -> Filed | CapReached | UnknownType:
    """Register the confirmed claim (with the operators' card in the outbox), within the caps."""
    if draft.type not in request_types:
        return UnknownType(draft.type)
    cap = await filing_cap(db, settings, user.id, now)
    if cap is not None:
        return cap
    if len(draft.attachments) > settings.claim_attachments_limit:
        return CapReached("attachments", settings.claim_attachments_limit)
    return Filed(await domain.register(db, settings, calendar, t, user, language, draft, now, request_types))


async def _own_claim(db: Database, user: User, claim_id: int) -> Claim | None:
    claim = await store.get(db, claim_id)
    return claim if claim is not None and claim.user_id == user.id else None


async def may_follow_up(
    db: Database, settings: Settings, user: User, claim_id: int, now: datetime,
) -> FollowupAllowed | ClaimClosed | NotYours | CapReached:
    """"➕ Add to" pressed: whether a follow-up to this claim would be accepted now."""
    claim = await _own_claim(db, user, claim_id)
    if claim is None:
        return NotYours()
    if claim.status == "closed":
        return ClaimClosed(claim)
    cap = await _followup_cap(db, settings, claim, 0, now)
    return cap if cap is not None else FollowupAllowed(claim)


async def add_followup(
    db: Database, settings: Settings, t: domain.Translate, user: User, claim_id: int, text: str | None,
    attachments: list[dict[str, Any]], now: datetime,
) -> FollowupSaved | ClaimClosed | NotYours | CapReached:
    """Keep the customer's addition to an open claim and queue it for the operators, within the caps."""
    claim = await _own_claim(db, user, claim_id)
    if claim is None:
        return NotYours()
    if claim.status == "closed":
        return ClaimClosed(claim)
    cap = await _followup_cap(db, settings, claim, len(attachments), now)
    if cap is not None:
        return cap
    await domain.add_followup(db, settings, t, claim, text, attachments, now)
    return FollowupSaved(claim, now)


async def my_claims(db: Database, user: User, page: int, size: int = LIST_PAGE_SIZE) -> ClaimsPage:
    """One page of the customer's claims, the newest first."""
    total = await limits.count_claims(db, user.id)
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    claims = []
    for claim_id in await limits.claim_ids_page(db, user.id, size, page * size):
        claim = await store.get(db, claim_id)
        if claim is not None:
            claims.append(claim)
    single = ClaimRecord(claims[0], await limits.answers(db, claims[0].id)) if total == 1 and claims else None
    return ClaimsPage(total, page, pages, claims, single)


async def my_claim(db: Database, user: User, claim_id: int) -> ClaimRecord | None:
    """One of the customer's claims with the answers they received (never operators' notes)."""
    claim = await _own_claim(db, user, claim_id)
    if claim is None:
        return None
    return ClaimRecord(claim, await limits.answers(db, claim.id))


# --------------------------------------------------------------------------- pages


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_len(markup: str) -> int:
    """What Telegram counts of an HTML text: the characters left after the tags, in UTF-16 units."""
    return utf16_len(html.unescape(re.sub(r"<[^>]*>", "", markup)))


@dataclass(frozen=True)
class Block:
    """A part of a history page: a heading (HTML) and a plain-text body that may be split.

    `continued` heads the rest of a body that did not fit on the previous page."""

    head: str
    body: str | None = None
    continued: str | None = None


def _cut(text: str, room: int) -> tuple[str, str]:
    """The longest start of `text` of at most `room` UTF-16 units, broken where a reader would."""
    limit = room
    while True:
        if limit < 1:
            return text[:1], text[1:]  # a room smaller than one character: never loop
        first = paginate(text, limit)[0]
        excess = utf16_len(first) - room
        if excess <= 0:
            return first, text[len(first):]
        limit -= excess


def pack(blocks: Sequence[Block], budget: int = PAGE_BUDGET, escape: Any = html.escape) -> list[str]:
    """Blocks into pages of at most `budget` visible UTF-16 units; bodies are escaped here.

    Every character of every body ends up on some page, in order; a body longer than a page is
    split at a line, sentence or word break and goes on under its `continued` heading."""
    pages: list[str] = []
    parts: list[str] = []
    used = 0
    min_piece = min(400, budget // 4)

    def flush() -> None:
        nonlocal parts, used
        if parts:
            pages.append("\n\n".join(parts))
        parts, used = [], 0

    for block in blocks:
        head = block.head
        rest = block.body
        while True:
            separator = 2 if parts else 0
            head_units = visible_len(head) + (1 if rest else 0)
            room = budget - used - separator - head_units
            if rest is None or not rest:
                if room < 0 and parts:
                    flush()
                    continue
                parts.append(head)
                used += separator + visible_len(head)
                break
            if utf16_len(rest) <= room:
                parts.append(f"{head}\n{escape(rest, quote=False)}")
                used += separator + head_units + utf16_len(rest)
                break
            if room < min_piece and parts:
                flush()
                continue
            piece, rest = _cut(rest, room)
            parts.append(f"{head}\n{escape(piece, quote=False)}")
            flush()
            head = block.continued or block.head
    flush()
    return pages or [""]
