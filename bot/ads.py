"""The advertising choice: off until the person opts in, one tap turns it off again.

One function per thing the person does, one transaction each, returning what happened; the
rule "advertising needs consent in force and processing not blocked" lives here, not in the
handlers. No aiogram here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.consent import has_active_consent
from storage import audit, consents, users
from storage.db import Database, Executor
from storage.users import User


class AdsOutcome(enum.StrEnum):
    TURNED_ON = "turned_on"
    TURNED_OFF = "turned_off"
    ALREADY = "already"              # it already was so: nothing recorded
    BLOCKED = "blocked"              # processing blocked on the person's request (Law 94-V Art. 25)
    NEEDS_CONSENT = "needs_consent"  # advertising needs consent in force


@dataclass(frozen=True)
class AdsStatus:
    """What the /ads view shows: the choice in force, since when (UTC ISO), and a block."""

    opted_in: bool
    since: str
    blocked: bool


@dataclass(frozen=True)
class AdsChoice:
    outcome: AdsOutcome
    status: AdsStatus | None = None  # after the choice; None when the person was not found


async def ads_status(db: Executor, user: User) -> AdsStatus:
    since = user.updated_at
    if user.ads_opt_in:  # "since" is shown only for advertising on: no read otherwise
        history = await users.ads_history(db, user.id)
        since = history[-1].created_at if history else user.updated_at
    return AdsStatus(opted_in=user.ads_opt_in, since=since, blocked=user.blocked)


async def choose(db: Database, *, user_id: int, opt_in: bool, from_ad: bool, now: datetime) -> AdsChoice:
    """The person turns advertising on or off (from /ads, or under an advertising copy when
    `from_ad`): the choice, its history row and the audit entry in one transaction."""
    async with db.transaction() as tx:
        customer = await users.get_customer(tx, user_id)
        if customer is None:
            return AdsChoice(AdsOutcome.ALREADY)
        if opt_in and customer.blocked:
            return AdsChoice(AdsOutcome.BLOCKED, await ads_status(tx, customer))
        if opt_in and not has_active_consent(await consents.latest(tx, user_id)):
            return AdsChoice(AdsOutcome.NEEDS_CONSENT, await ads_status(tx, customer))
        changed = await users.record_ads_choice(
            tx, user_id, opt_in, reason="broadcast_button" if from_ad else "user", actor=audit.user_actor(user_id), now=now,
        )
        refreshed = await users.get_customer(tx, user_id)
        assert refreshed is not None
        status = await ads_status(tx, refreshed)
    if not changed:
        return AdsChoice(AdsOutcome.ALREADY, status)
    return AdsChoice(AdsOutcome.TURNED_ON if opt_in else AdsOutcome.TURNED_OFF, status)
