"""Claims and data-subject requests: terms, numbers, statuses, cards, alerts, stats.

What types there are, their terms and names come from the registry (bot/request_types.py); the
functions here take it as `request_types` (the running bot's, from dispatcher data) and default to
the project's own.

No aiogram here. Texts for the operators are rendered with a translate function `t(key, **args)`
in OPERATOR_LANGUAGE and put into the outbox in the same transaction as the event they report.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.request_types import REQUEST_TYPES, RequestTypes, name_key
from bot.deadlines import WorkingCalendar, days_left, due_date
from bot.formatting import esc, local_date, local_time, utc_offset_label
from storage import claims as store
from storage import outbox
from storage.claims import Claim
from storage.db import Database, from_iso, to_iso
from storage.users import User

Translate = Callable[..., str]


TEXT_MAX = 4096  # what one Telegram message carries
MAX_ATTACHMENTS = 10
STATUSES = ("registered", "in_progress", "answered", "closed", "overdue")
REFUSAL_REASON_MAX = 3000



class UnknownRequestType(ValueError):
    """A type the registry does not know: nothing is filed (the database itself accepts any code)."""


def limit_for(settings: Settings, request_type: str, request_types: RequestTypes = REQUEST_TYPES) -> tuple[int, str]:
    """(days, 'calendar'|'working') for a request type: its settings, else its registry default."""
    entry = request_types.get(request_type)
    if entry is None:
        raise UnknownRequestType(request_type)
    return entry.term(settings)


def format_number(year: int, seq: int) -> str:
    return f"{year}-{seq:04d}"


_NUMBER = re.compile(r"^\s*№?\s*(\d{4})[-/](\d{1,6})\s*$")


def parse_number(text: str) -> str | None:
    """'2026-7', '№ 2026-0007', '2026/0007' → '2026-0007'; anything else → None."""
    match = _NUMBER.match(text or "")
    return format_number(int(match.group(1)), int(match.group(2))) if match else None


def display_status(claim: Claim, today: date) -> str:
    if claim.status in store.UNANSWERED_STATUSES and today > date.fromisoformat(claim.due_date):
        return "overdue"
    return claim.status


@dataclass(frozen=True)
class Draft:
    """What the user confirmed: nothing is stored before it is complete."""

    type: str
    text: str
    attachments: list[dict[str, Any]]  # {"kind", "chat_id", "message_id", "file_id", "file_name"}


def check_text(text: str | None) -> str | None:
    """An error key for unusable claim text, or None when it is fine."""
    if text is None or not text.strip():
        return "claim-text-empty"
    if len(text) > TEXT_MAX:
        return "claim-text-too-long"
    return None


# --------------------------------------------------------------------------- cards


def left_words(t: Translate, left: int) -> str:
    """Days to the due date as the texts say them: "3 days left", "due today", "overdue by 4 days"
    (a text never shows a negative number of days left)."""
    if left > 0:
        return t("claim-left-days", left=left)
    if left == 0:
        return t("claim-left-today")
    return t("claim-left-overdue", overdue=-left)


def _days_args(t: Translate, claim: Claim, now: datetime, settings: Settings) -> dict[str, Any]:
    return {
        "due": local_date(claim.due_date),
        "left": left_words(t, days_left(date.fromisoformat(claim.due_date), now, settings.tz)),
        "days": claim.days,
        "kind": claim.days_kind,
    }


def card_state(t: Translate, claim: Claim, settings: Settings, now: datetime, names: dict[int, str] | None = None) -> tuple[str, str]:
    """(icon, state line) of a card: new, taken by whom, answered, overdue, closed and why."""
    names = names or {}

    def who(operator_id: int | None) -> str:
        return esc(names.get(operator_id or 0) or str(operator_id or "—"))

    today = now.astimezone(settings.tz).date()
    if claim.status == "closed":
        why = t(f"desk-close-kind-{claim.close_kind or ('refused' if claim.resolution == 'refused' else 'answered')}")
        return "🔒", t("desk-card-state-closed", time=local_time(claim.closed_at or claim.registered_at, settings.tz),
                      operator=who(claim.closed_by), why=why)
    if claim.status == "answered":
        return "✅", t("desk-card-state-answered", time=local_time(claim.first_reply_at or claim.registered_at, settings.tz),
                      operator=who(claim.first_reply_by))
    overdue = today > date.fromisoformat(claim.due_date)
    if claim.taken_by is not None:
        line = t("desk-card-state-taken", operator=who(claim.taken_by))
    else:
        line = t("desk-card-state-new")
    if overdue:
        return "❗", t("desk-card-state-overdue") + "\n" + line
    return ("🙋" if claim.taken_by is not None else "🆕"), line


def card_header(
    t: Translate, claim: Claim, user: User | None, settings: Settings, now: datetime, attachments: int,
    names: dict[int, str] | None = None,
) -> str:
    registered = from_iso(claim.registered_at)
    name = user.display_name if user else str(claim.user_id)
    username = ("@" + user.username) if user and user.username else "—"
    icon, state = card_state(t, claim, settings, now, names)
    return t(
        "op-card",
        icon=icon,
        state=state,
        number=claim.number,
        type=t(name_key(claim.type)),
        name=esc(name),
        username=esc(username),
        user_id=str(claim.user_id),
        language=t(f"lang-name-{claim.language}"),
        registered=local_time(registered, settings.tz),
        tz=utc_offset_label(settings.tz, registered),
        attachments=attachments,
        **_days_args(t, claim, now, settings),
    )


def skipped_reminders(settings: Settings, claim: Claim) -> list[int]:
    """Reminder thresholds (days before due) at or beyond the term left at registration.

    A 1- or 3-working-day request registered on Monday is due on Tuesday or Thursday: a reminder
    "7 days before" or "3 days before" would fire at registration and say nothing new.
    """
    registered = from_iso(claim.registered_at).astimezone(settings.tz).date()
    left_at_registration = (date.fromisoformat(claim.due_date) - registered).days
    return [d for d in settings.reminder_days_list if d >= left_at_registration]


async def _enqueue_text_and_attachments(
    tx: Any, settings: Settings, claim_id: int, header: str, text: str | None, attachments: list[dict[str, Any]],
    now: datetime, *, card: bool,
) -> None:
    chat = settings.admin_chat_id
    # "role" tells what the delivered message is to the claim (storage.claims.MESSAGE_ROLES):
    # replying to the card, the text or a copied attachment drafts an answer.
    await outbox.enqueue(tx, chat_id=chat, claim_id=claim_id, kind="message",
                         payload={"text": header, "card": card, "role": "card" if card else "content"}, now=now)
    if text:
        # The user's text alone (escaped), so up to 4,096 characters always fit in one message.
        await outbox.enqueue(tx, chat_id=chat, claim_id=claim_id, kind="message", payload={"text": esc(text), "role": "content"}, now=now)
    for item in attachments:
        await outbox.enqueue(
            tx, chat_id=chat, claim_id=claim_id, kind="copy",
            payload={"from_chat_id": item["chat_id"], "message_id": item["message_id"], "role": "content"}, now=now,
        )


async def register(
    db: Database, settings: Settings, calendar: WorkingCalendar, t: Translate, user: User, language: str,
    draft: Draft, now: datetime, request_types: RequestTypes = REQUEST_TYPES,
) -> Claim:
    """Commit the claim, its attachments, the audit entry and the operators' card in one transaction.

    A type the registry does not know raises UnknownRequestType before anything is written."""
    days, kind = limit_for(settings, draft.type, request_types)
    due = due_date(now, days, kind, settings.tz, calendar)
    year = now.astimezone(settings.tz).year
    async with db.transaction() as tx:
        seq = await store.next_seq(tx, year)
        claim_id = await store.insert_claim(
            tx, number=format_number(year, seq), year=year, seq=seq, user_id=user.id, type=draft.type,
            text=draft.text, language=language, now=now, days=days, days_kind=kind, due_date=due.isoformat(),
        )
        for item in draft.attachments:
            await store.insert_attachment(tx, claim_id=claim_id, followup_id=None, now=now, **item)
        claim = await store.get(tx, claim_id)
        assert claim is not None
        for days_before in skipped_reminders(settings, claim):
            await store.add_alert(tx, claim_id, "reminder", str(days_before), now)  # counts as done: never sent
        header = card_header(t, claim, user, settings, now, len(draft.attachments))
        await _enqueue_text_and_attachments(tx, settings, claim_id, header, draft.text, draft.attachments, now, card=True)
    return claim


async def add_followup(
    db: Database, settings: Settings, t: Translate, claim: Claim, text: str | None, attachments: list[dict[str, Any]],
    now: datetime,
) -> int:
    async with db.transaction() as tx:
        followup_id = await store.insert_followup(tx, claim=claim, text=text, attachments=len(attachments), now=now)
        for item in attachments:
            await store.insert_attachment(tx, claim_id=claim.id, followup_id=followup_id, now=now, **item)
        header = t("op-followup", number=claim.number, time=local_time(now, settings.tz), attachments=len(attachments))
        await _enqueue_text_and_attachments(tx, settings, claim.id, header, text, attachments, now, card=False)
    return followup_id


async def notify_operators(db: Database, settings: Settings, text: str, now: datetime, claim_id: int | None = None) -> int:
    return await outbox.enqueue(
        db, chat_id=settings.admin_chat_id, claim_id=claim_id, kind="message", payload={"text": text, "role": "bot"}, now=now
    )


# --------------------------------------------------------------------------- reminders


async def emit_alerts(
    db: Database, settings: Settings, t: Translate, now: datetime, overdue_out: list[int] | None = None,
) -> int:
    """Reminders REMINDER_DAYS before the due date and a daily overdue alert until a final answer
    or a refusal (an interim message leaves the claim unanswered: the clock keeps running).

    Each is remembered in claim_alerts in the same transaction as its outbox row: sent once, also
    across restarts; whatever fell due while the bot was down goes out now (only the nearest
    reminder, not every threshold that passed). `overdue_out` collects the ids of the claims that
    got an overdue alert (their cards are then redrawn as overdue).
    """
    local_now = now.astimezone(settings.tz)
    if local_now.hour < settings.reminder_hour:
        return 0
    today = local_now.date()
    # Only claims with an alert not yet emitted are read (a reminder d days before due concerns
    # claims due by today + d); each is then handled in its own transaction as before.
    reminder_dates = {d: (today + timedelta(days=d)).isoformat() for d in settings.reminder_days_list}
    emitted = 0
    for claim in await store.needing_alerts(db, today.isoformat(), reminder_dates):
        left = (date.fromisoformat(claim.due_date) - today).days
        async with db.transaction() as tx:
            if left < 0:
                if await store.add_alert(tx, claim.id, "overdue", today.isoformat(), now):
                    text = t("op-overdue", number=claim.number, type=t(name_key(claim.type)),
                             due=local_date(claim.due_date), overdue=-left)
                    await outbox.enqueue(tx, chat_id=settings.admin_chat_id, claim_id=claim.id, kind="message",
                                         payload={"text": text, "role": "bot"}, now=now)
                    emitted += 1
                    if overdue_out is not None:
                        overdue_out.append(claim.id)
                continue
            skipped = skipped_reminders(settings, claim)
            for days_before in skipped:  # recorded as done, never sent: the scan need not read it again
                await store.add_alert(tx, claim.id, "reminder", str(days_before), now)
            passed = [d for d in settings.reminder_days_list if left <= d and d not in skipped]
            if not passed:
                continue
            nearest = min(passed)
            new = [d for d in passed if await store.add_alert(tx, claim.id, "reminder", str(d), now)]
            if nearest in new:
                text = t("op-reminder", number=claim.number, type=t(name_key(claim.type)),
                         due=local_date(claim.due_date), left=left_words(t, left))
                await outbox.enqueue(tx, chat_id=settings.admin_chat_id, claim_id=claim.id, kind="message",
                                     payload={"text": text, "role": "bot"}, now=now)
                emitted += 1
    return emitted


# --------------------------------------------------------------------------- stats


@dataclass(frozen=True)
class Stats:
    by_status: dict[str, int]
    total: int
    median_first_reply: timedelta | None
    answered_on_time: int
    answered_counted: int  # claims whose answer is due or given: the denominator of the share
    # Claims by type, in the registry's order (every registered type, 0 included), then any stored
    # type that has since left the registry.
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_share(self) -> float | None:
        return None if not self.answered_counted else self.answered_on_time / self.answered_counted


def _ordered_by_type(counts: dict[str, int], request_types: RequestTypes) -> dict[str, int]:
    ordered = {code: counts.get(code, 0) for code in request_types.codes}
    ordered.update((code, count) for code, count in sorted(counts.items()) if code not in ordered)
    return ordered


def compute_stats(
    all_claims: list[Claim], now: datetime, settings: Settings, request_types: RequestTypes = REQUEST_TYPES,
) -> Stats:
    """Counts by status (overdue shown separately), median time to the first reply, on-time share.

    The on-time share counts claims answered (a first reply by the end of the due date) against
    claims answered or already overdue; claims still within their term are not counted yet.
    """
    today = now.astimezone(settings.tz).date()
    by_status = dict.fromkeys(STATUSES, 0)
    durations: list[float] = []
    on_time = counted = 0
    for claim in all_claims:
        by_status[display_status(claim, today)] += 1
        due = date.fromisoformat(claim.due_date)
        if claim.first_reply_at:
            replied = from_iso(claim.first_reply_at)
            durations.append((replied - from_iso(claim.registered_at)).total_seconds())
            counted += 1
            on_time += replied.astimezone(settings.tz).date() <= due
        elif today > due and claim.status != "closed":
            counted += 1
    median = timedelta(seconds=statistics.median(durations)) if durations else None
    by_type: dict[str, int] = {}
    for claim in all_claims:
        by_type[claim.type] = by_type.get(claim.type, 0) + 1
    return Stats(by_status, len(all_claims), median, on_time, counted, _ordered_by_type(by_type, request_types))


async def claim_stats(db: Database, now: datetime, settings: Settings, request_types: RequestTypes = REQUEST_TYPES) -> Stats:
    """compute_stats over every claim, counted by SQLite on indexes instead of loading the claims."""
    today = now.astimezone(settings.tz).date()
    today_s = today.isoformat()
    by_status = dict.fromkeys(STATUSES, 0)
    for status, count in (await store.count_by_status(db)).items():
        by_status[status] += count
    for status, count in (await store.count_unanswered_overdue_by_status(db, today_s)).items():
        by_status[status] -= count
        by_status["overdue"] += count
    replied = await store.count_replied(db)
    median = None
    if replied:
        middle = await store.first_reply_delays_at(db, (replied - 1) // 2, 2 - replied % 2)
        # The same float arithmetic as statistics.median over timedelta.total_seconds() values.
        median = timedelta(seconds=statistics.median(timedelta(microseconds=us).total_seconds() for us in middle))
    on_time = 0
    due_range = await store.replied_due_range(db)
    if due_range is not None:
        # A reply is on time when its local date is the due date or earlier: before the first
        # instant of the next local day.
        first, last = date.fromisoformat(due_range[0]), date.fromisoformat(due_range[1])
        limits = []
        for offset in range((last - first).days + 1):
            due = first + timedelta(days=offset)
            next_day = due + timedelta(days=1)
            limits.append((due.isoformat(), to_iso(datetime(next_day.year, next_day.month, next_day.day, tzinfo=settings.tz))))
        on_time = await store.count_replied_before(db, limits)
    counted = replied + await store.count_open_unreplied_overdue(db, today_s)
    by_type = _ordered_by_type(await store.count_by_type(db), request_types)
    return Stats(by_status, sum(by_status.values()), median, on_time, counted, by_type)


async def open_claims_page(db: Database, limit: int) -> tuple[int, list[Claim]]:
    """/claims: how many claims are open, and the first `limit` of them by due date."""
    total = await store.count_open(db)
    return total, (await store.open_claims(db, limit) if total else [])


async def overdue_claims_page(db: Database, today: date, limit: int) -> tuple[int, list[Claim]]:
    """/overdue: how many unanswered claims are past their due date, and the first `limit` of them."""
    total = await store.count_overdue(db, today.isoformat())
    return total, (await store.overdue(db, today.isoformat(), limit) if total else [])


def format_duration(t: Translate, value: timedelta) -> str:
    total_minutes = int(value.total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return t("duration", days=days, hours=hours, minutes=minutes)
