"""Corrections of the person's own data in /mydata (Law 94-V Art. 24: the right to have data
changed): name, phone, e-mail.

The rule lives here: a correction needs consent in force (the data is kept on consent) and
processing not blocked (Law 94-V Art. 25). It is checked when the person asks to correct and
again, inside the transaction, when the value is saved: consent may have been withdrawn or
processing blocked meanwhile. No aiogram here.
"""

from __future__ import annotations

import enum
from datetime import datetime

from bot.consent import has_active_consent
from storage import consents, users
from storage.db import Database, Executor
from storage.users import CORRECTABLE_FIELDS

FIELDS = CORRECTABLE_FIELDS


class Refusal(enum.StrEnum):
    BLOCKED = "blocked"
    NEEDS_CONSENT = "needs_consent"


class CorrectionOutcome(enum.StrEnum):
    SAVED = "saved"
    DELETED = "deleted"
    BLOCKED = Refusal.BLOCKED.value
    NEEDS_CONSENT = Refusal.NEEDS_CONSENT.value


async def _refusal(executor: Executor, user_id: int) -> Refusal | None:
    customer = await users.get_customer(executor, user_id)
    if customer is not None and customer.blocked:
        return Refusal.BLOCKED
    if not has_active_consent(await consents.latest(executor, user_id)):
        return Refusal.NEEDS_CONSENT
    return None


async def may_correct(db: Database, user_id: int) -> Refusal | None:
    """Why a correction cannot be made now, or None (asked before the person types a value)."""
    return await _refusal(db, user_id)


async def correct(db: Database, *, user_id: int, field: str, value: str | None, now: datetime) -> CorrectionOutcome:
    """The person sets (or, with None, deletes) a field: the rule, the value and the audit entry
    (naming the field, never the value) in one transaction."""
    if field not in FIELDS:
        raise ValueError(f"{field} is not a correctable field")
    async with db.transaction() as tx:
        refusal = await _refusal(tx, user_id)
        if refusal is not None:
            return CorrectionOutcome(refusal.value)
        await users.write_correction(tx, user_id, field, value, now)
    return CorrectionOutcome.SAVED if value else CorrectionOutcome.DELETED
