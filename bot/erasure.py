"""Carrying out a person's rights over their data: destroy, block / unblock, withdraw consent.

Each is one service function and one transaction: the change, the audit entry (with the
operator's id and name when an operator acts) and the notices — for the customer and for the
operators, through the outbox — commit together or not at all. Nothing of aiogram here.

Law 94-V "On Personal Data and Their Protection":
- Art. 25(2)(8) (unverified): on the subject's request the operator blocks or destroys their data; requests
  are registered as claims ('block', 'destroy') and an operator carries them out here.
- Art. 8(1) (consent is given and withdrawn) and 8(2) (it cannot be withdrawn where a law or an
  unfulfilled obligation stands in the way): processing based on consent stops; data whose
  storage another law requires (claims and the evidence that they were handled) stay until that
  term ends (bot/retention.py). Source: https://adilet.zan.kz/rus/docs/Z1300000094, as quoted by
  zakonpravo.kz ("Article 8. Procedure for giving (revoking) consent").
What is kept after destruction, and why, is listed in README ("Erasure, blocking and retention").
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import Settings
from bot.formatting import local_time, utc_offset_label
from storage import audit, consents, outbox, redaction, users
from storage import claims as claim_store
from storage.claims import Claim
from storage.consents import ConsentRecord
from storage.db import Database, Executor
from storage.redaction import Redacted

Translate = Callable[..., str]  # t(key, **args), in OPERATOR_LANGUAGE
UserText = Callable[..., str]  # text(key, language, **args), in the customer's language


class Result(enum.StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"        # no such claim
    WRONG_TYPE = "wrong_type"      # the claim is not a request of this kind
    ALREADY = "already"            # destroyed / blocked / unblocked before


@dataclass(frozen=True)
class Outcome:
    result: Result
    claim: Claim | None = None
    redacted: Redacted = field(default_factory=Redacted)
    # Conversation-state keys deleted: the caller drops them from the FSM storage's memory.
    drafts: list[str] = field(default_factory=list)


def _language(user: users.User | None, claim: Claim) -> str:
    return user.language if user is not None and user.language else claim.language


async def _tell_customer(tx: Executor, settings: Settings, user_text: UserText, user_id: int, language: str,
                         key: str, now: datetime, **args: object) -> None:
    """The customer's notice, written with the change: it goes out even after a crash."""
    text = user_text(key, language, time=local_time(now, settings.tz), tz=utc_offset_label(settings.tz, now), **args)
    await outbox.enqueue(tx, chat_id=user_id, kind="message", payload={"text": text}, now=now)


async def _request(tx: Executor, claim_id: int, kind: str) -> Outcome | tuple[Claim, users.User | None]:
    """The request of this kind and the person it is about, or the Outcome that ends the action
    at once (no such claim, or a claim of another kind)."""
    claim = await claim_store.get(tx, claim_id)
    if claim is None:
        return Outcome(Result.NOT_FOUND, None)
    if claim.type != kind:
        return Outcome(Result.WRONG_TYPE, claim)
    return claim, await users.get_customer(tx, claim.user_id)


async def destroy(
    db: Database, settings: Settings, user_text: UserText, *, claim_id: int, operator_id: int, operator_name: str,
    now: datetime,
) -> Outcome:
    """Carry out a destroy request: the person's data are erased everywhere they are held, the
    evidence stays without content, the request is closed, the customer is told."""
    await scrub_freed_content(db)
    async with db.transaction() as tx:
        found = await _request(tx, claim_id, "destroy")
        if isinstance(found, Outcome):
            return found
        claim, user = found
        if user is not None and user.erased_at is not None and claim.status == "closed":
            return Outcome(Result.ALREADY, claim)
        language = _language(user, claim)
        actor = audit.operator_actor(operator_id)
        # Processing on the basis of consent ends with the data: the decision is recorded as a
        # withdrawal answering the notice the person had accepted (same version, same text).
        latest = await consents.latest(tx, claim.user_id)
        if latest is not None and latest.decision == "given":
            await consents.insert_withdrawal(tx, withdrawn=latest, language=latest.language, now=now)
        await users.record_ads_choice(tx, claim.user_id, False, reason="data_destroyed", actor=actor, now=now)
        redacted, drafts = await redaction.destroy_person(tx, claim.user_id, now)
        await redaction.close_request(tx, claim.id, operator_id, now)
        await audit.record(
            tx, at=now, actor=actor, event="data_destroyed", subject_user_id=claim.user_id,
            details={"claim": claim.number, "operator_name": operator_name, **redacted.as_details()},
        )
        await _tell_customer(tx, settings, user_text, claim.user_id, language, "erasure-destroyed-user", now,
                             number=claim.number)
        fresh = await claim_store.get(tx, claim.id)
    await flush_old_pages(db)
    return Outcome(Result.DONE, fresh, redacted, drafts)


async def scrub_freed_content(db: Database) -> None:
    """SQLite leaves deleted and overwritten bytes in free space until reused; with
    secure_delete it overwrites them with zeros (this connection, from now on)."""
    await db.execute("PRAGMA secure_delete = ON")


async def flush_old_pages(db: Database) -> None:
    """The write-ahead log still holds the pages as they were before the erasure: copy the new
    ones into the database file and empty the log, so no old copy stays on disk."""
    await db.background.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def block(
    db: Database, settings: Settings, user_text: UserText, *, claim_id: int, operator_id: int, operator_name: str,
    now: datetime,
) -> Outcome:
    """Carry out a block request: processing stops until an operator unblocks."""
    async with db.transaction() as tx:
        found = await _request(tx, claim_id, "block")
        if isinstance(found, Outcome):
            return found
        claim, user = found
        changed = await users.set_blocked(tx, claim.user_id, True, now)
        closed = await redaction.close_request(tx, claim.id, operator_id, now)
        if not changed and not closed:
            return Outcome(Result.ALREADY, claim)
        if changed:
            await audit.record(
                tx, at=now, actor=audit.operator_actor(operator_id), event="data_blocked", subject_user_id=claim.user_id,
                details={"claim": claim.number, "operator_name": operator_name},
            )
            await _tell_customer(tx, settings, user_text, claim.user_id, _language(user, claim), "erasure-blocked-user",
                                 now, number=claim.number)
        fresh = await claim_store.get(tx, claim.id)
    return Outcome(Result.DONE if changed else Result.ALREADY, fresh)


async def unblock(
    db: Database, settings: Settings, user_text: UserText, *, claim_id: int, operator_id: int, operator_name: str,
    now: datetime,
) -> Outcome:
    """Lift the block set on a block request: processing resumes as before."""
    async with db.transaction() as tx:
        found = await _request(tx, claim_id, "block")
        if isinstance(found, Outcome):
            return found
        claim, user = found
        if not await users.set_blocked(tx, claim.user_id, False, now):
            return Outcome(Result.ALREADY, claim)
        await audit.record(
            tx, at=now, actor=audit.operator_actor(operator_id), event="data_unblocked", subject_user_id=claim.user_id,
            details={"claim": claim.number, "operator_name": operator_name},
        )
        await _tell_customer(tx, settings, user_text, claim.user_id, _language(user, claim), "erasure-unblocked-user",
                             now, number=claim.number)
    return Outcome(Result.DONE, claim)


async def withdraw_consent(
    db: Database, settings: Settings, t: Translate, *, user_id: int, language: str, now: datetime,
) -> ConsentRecord | None:
    """Withdrawal of consent, all at once: the record, the erasure of what consent covered
    (name, phone, e-mail the person gave; Telegram names unless a claim is open and the
    operators still need them), advertising off, the audit and the operators' notice.

    Returns None when no consent was in force (nothing changes). Claims and their texts stay:
    handling them is a legal obligation, not a matter of consent (bot/retention.py ends it).
    """
    async with db.transaction() as tx:
        latest = await consents.latest(tx, user_id)
        if latest is None or latest.decision != "given":
            return None
        record = await consents.insert_withdrawal(tx, withdrawn=latest, language=language, now=now)
        open_claim = any(c.status in claim_store.OPEN_STATUSES for c in await claim_store.for_user(tx, user_id))
        erased = await redaction.erase_contact_data(tx, user_id, now, keep_telegram_names=open_claim)
        if erased:
            await audit.record(
                tx, at=now, actor=audit.user_actor(user_id), event="contact_data_erased", subject_user_id=user_id,
                details={"fields": erased, "reason": "consent_withdrawn"},
            )
        await users.record_ads_choice(
            tx, user_id, False, reason="consent_withdrawn", actor=audit.user_actor(user_id), now=now
        )
        await outbox.enqueue(
            tx, chat_id=settings.admin_chat_id, kind="message", now=now,
            payload={"text": t("op-consent-withdrawn", user_id=str(user_id), time=local_time(now, settings.tz),
                               record=str(record.id))},
        )
    return record
