"""The operators' desk: what an operator does to a claim, one function each.

receive (an operator's message about a claim becomes a draft or an internal note), decide (a
draft is sent as the final answer, sent as an interim message, or kept as a note), take, close,
refuse, reopen. Each changes the claim in one transaction guarded by the claim's version (or the
draft's state): an operator who loses a race gets `lost` with the claim as it now is, never a
false success. Every action is audited with the operator's id and name.

Nothing reaches the applicant without an operator's explicit choice: a reply to the applicant's
own content only drafts; the draft is sent when the operator presses "final" or "interim".
Sending happens between two transactions (a Bot API call cannot be inside a SQLite one): the
draft is reserved first ('sending', with a lease), so a second tap cannot send it twice.

No aiogram here: the handler passes a `deliver` callable that copies the operator's messages to
the applicant and raises Undelivered when Telegram refuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import audit
from storage import claims as store
from storage.claims import Claim, Draft
from storage.db import Database, Transaction, to_iso

FINAL, INTERIM, NOTE = "final", "interim", "note"
CHOICES = (FINAL, INTERIM, NOTE)
# Closing without a final answer or a refusal needs one of these stated reasons ("other" comes
# with the operator's own words); the applicant is told which.
CLOSE_REASONS = ("duplicate", "withdrawn", "other")
# A closed event's detail that names a kind (translated as desk-close-kind-*), not an operator's
# words; "carried_out": a block or destroy request done (storage/redaction.close_request).
FIXED_CLOSE_KINDS = ("answered", "duplicate", "withdrawn", "carried_out")
SENDING_LEASE = timedelta(minutes=2)
REASON_MAX = 3000


@dataclass(frozen=True)
class Operator:
    id: int
    name: str


@dataclass(frozen=True)
class Incoming:
    """An operator's message in the admin chat, as the handler read it."""

    chat_id: int
    message_id: int
    kind: str  # text, photo, document, video, animation, voice, audio, video_note, sticker
    text: str | None  # text or caption
    media_group_id: str | None
    reply_to_id: int | None  # None also for the implicit reply to a forum topic's first message
    reply_to_bot: bool  # the replied-to message is the bot's
    thread_id: int | None  # the forum topic it was written in (None outside topics)


@dataclass(frozen=True)
class Received:
    """What became of an operator's message.

    outcome: 'ignored' (not about a claim), 'not_a_claim' (a reply to a bot message of no claim),
    'album_part' (joined the draft of its album), 'draft' (choice to be made), 'closed' (a draft
    for a closed claim: warn, offer to reopen), 'note' (a reply to a colleague: kept silently),
    'note_notice' (a reply to a bot message of a claim: kept, and the operator is told).
    """

    outcome: str
    claim: Claim | None = None
    draft: Draft | None = None


@dataclass(frozen=True)
class Result:
    """What a transition did: ok, or why not ('lost', 'not_allowed', 'needs_reason',
    'not_found', 'closed', 'blocked', 'failed'), with the claim (and draft) as they are now."""

    ok: bool
    claim: Claim | None
    why: str | None = None
    draft: Draft | None = None
    previous: Claim | None = None  # the claim before the change, when it succeeded


class Undelivered(Exception):
    """Telegram refused to deliver to the applicant: reason 'blocked' or 'failed'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# (claim, the operator's message ids, FINAL or INTERIM) -> the first message id the applicant got.
Deliver = Callable[[Claim, list[int], str], Awaitable[int]]


def _audit(operator: Operator, claim: Claim) -> dict[str, object]:
    return {"claim": claim.number, "operator_name": operator.name}


async def _record(tx: object, operator: Operator, claim: Claim, event: str, now: datetime, **details: object) -> None:
    await store.save_operator(tx, operator.id, operator.name, now)  # type: ignore[arg-type]
    await audit.record(tx, at=now, actor=audit.operator_actor(operator.id), event=event,  # type: ignore[arg-type]
                       subject_user_id=claim.user_id, details={**_audit(operator, claim), **details})


# --------------------------------------------------------------------------- messages


async def receive(db: Database, message: Incoming, operator: Operator, now: datetime) -> Received:
    """An operator wrote in the admin chat: a draft answer, a note, or nothing of ours."""
    if message.media_group_id is not None:
        album = await store.pending_album_draft(db, message.chat_id, message.media_group_id)
        if album is not None and album.operator_id == operator.id:
            # The rest of an album: one draft, one preview, for the whole group.
            async with db.transaction() as tx:
                await store.add_draft_part(tx, album.id, message.message_id)
                await store.link_message(tx, message.chat_id, message.message_id, album.claim_id, "operator")
            return Received("album_part", await store.get(db, album.claim_id), album)
    claim: Claim | None = None
    role: str | None = None
    if message.reply_to_id is not None:
        link = await store.message_link(db, message.chat_id, message.reply_to_id)
        if link is not None:
            claim, role = link
        elif message.thread_id is None:
            return Received("not_a_claim" if message.reply_to_bot else "ignored")
    if claim is None and message.thread_id is not None:
        claim = await store.claim_for_topic(db, message.thread_id)
        if claim is not None:
            # In the claim's topic: a message of its own writes to the applicant; a reply to
            # anything there that is not the applicant's is a note.
            role = "content" if message.reply_to_id is None else ("bot" if message.reply_to_bot else "operator")
    if claim is None or role is None:
        return Received("ignored")
    if role in ("card", "content"):
        async with db.transaction() as tx:
            draft_id = await store.insert_draft(
                tx, claim_id=claim.id, chat_id=message.chat_id, message_id=message.message_id,
                media_group_id=message.media_group_id, operator_id=operator.id, kind=message.kind, text=message.text, now=now,
            )
            await store.link_message(tx, message.chat_id, message.message_id, claim.id, "operator")
            await store.save_operator(tx, operator.id, operator.name, now)
        draft = await store.get_draft(db, draft_id)
        return Received("closed" if claim.status == "closed" else "draft", claim, draft)
    async with db.transaction() as tx:
        await store.insert_note(tx, claim_id=claim.id, operator_id=operator.id, kind=message.kind, text=message.text,
                                admin_message_id=message.message_id, now=now)
        await store.link_message(tx, message.chat_id, message.message_id, claim.id, "operator")
        await _record(tx, operator, claim, "claim_note", now, kind=message.kind)
    return Received("note_notice" if role == "bot" else "note", claim)


async def attach_preview(db: Database, draft: Draft, preview_message_id: int) -> None:
    """The bot's preview of a draft: remembered for the draft, and a reply to it is a note."""
    async with db.transaction() as tx:
        await store.set_draft_preview(tx, draft.id, preview_message_id)
        await store.link_message(tx, draft.chat_id, preview_message_id, draft.claim_id, "bot")


async def link_bot_message(db: Database, chat_id: int, message_id: int, claim: Claim) -> None:
    """A confirmation or warning the bot posted about a claim: replying to it makes a note."""
    await store.link_message(db, chat_id, message_id, claim.id, "bot")


async def decide(db: Database, draft_id: int, choice: str, operator: Operator, now: datetime, deliver: Deliver) -> Result:
    """The operator's choice for a draft: final answer, interim message, or internal note."""
    draft = await store.get_draft(db, draft_id)
    if draft is None:
        return Result(False, None, "not_found")
    claim = await store.get(db, draft.claim_id)
    assert claim is not None
    if choice == NOTE:
        async with db.transaction() as tx:
            if not await store.decide_draft(tx, draft.id, state=NOTE, from_state="pending", operator_id=operator.id, now=now):
                return Result(False, claim, "lost", await store.get_draft(tx, draft.id))
            await store.insert_note(tx, claim_id=claim.id, operator_id=draft.operator_id, kind=draft.kind, text=draft.text,
                                    admin_message_id=draft.message_id, now=now)
            await _record(tx, operator, claim, "claim_note", now, kind=draft.kind)
        return Result(True, claim, draft=await store.get_draft(db, draft.id), previous=claim)
    if choice not in (FINAL, INTERIM):
        raise ValueError(choice)
    async with db.transaction() as tx:
        claim = await store.get(tx, draft.claim_id)
        assert claim is not None
        if claim.status == "closed":
            return Result(False, claim, "closed", draft)
        if not await store.take_draft(tx, draft.id, now, now + SENDING_LEASE):
            return Result(False, claim, "lost", await store.get_draft(tx, draft.id))
    try:
        user_message_id = await deliver(claim, await store.draft_message_ids(db, draft), choice)
    except Undelivered as error:
        await store.release_draft(db, draft.id)  # still pending: the operator may retry or keep it as a note
        return Result(False, claim, error.reason, draft)
    async with db.transaction() as tx:
        await store.decide_draft(tx, draft.id, state=choice, from_state="sending", operator_id=operator.id, now=now)
        await store.insert_reply(tx, claim_id=claim.id, operator_id=draft.operator_id, kind=draft.kind, role=choice,
                                 text=draft.text, admin_message_id=draft.message_id, user_message_id=user_message_id, now=now)
        current = await store.get(tx, claim.id)
        assert current is not None
        if choice == FINAL and current.status in store.UNANSWERED_STATUSES:
            # The final answer stops the clock; first_reply_* is the first final answer (for /stats).
            await store.change_claim(tx, current, now, status="answered",
                                     first_reply_at=current.first_reply_at or _iso(now),
                                     first_reply_by=current.first_reply_by or operator.id)
        else:
            await store.change_claim(tx, current, now)  # the card changes (a reply was sent)
        await _record(tx, operator, claim, "claim_replied", now, kind=draft.kind, role=choice)
        after = await store.get(tx, claim.id)
    return Result(True, after, draft=await store.get_draft(db, draft.id), previous=claim)


def _iso(now: datetime) -> str:
    return to_iso(now)


# --------------------------------------------------------------------------- transitions


async def _transition(
    db: Database, claim_id: int, version: int | None, operator: Operator, now: datetime, *, allowed: tuple[str, ...],
    event: str, audit_event: str, detail: str | None = None, check: Callable[[Claim], str | None] | None = None,
    also: Callable[[Transaction, Claim], Awaitable[None]] | None = None, **columns: object,
) -> Result:
    async with db.transaction() as tx:
        claim = await store.get(tx, claim_id)
        if claim is None:
            return Result(False, None, "not_found")
        # Why the action cannot be done now says more than "the card changed" (a colleague's
        # take, seen from a stale card, is "already taken by ..."), so it is checked first.
        if claim.status not in allowed:
            return Result(False, claim, "not_allowed")
        if check is not None and (why := check(claim)) is not None:
            return Result(False, claim, why)
        if version is not None and claim.version != version:
            return Result(False, claim, "lost")  # still possible, but the card changed meanwhile
        resolved = {k: (v(claim) if callable(v) else v) for k, v in columns.items()}
        if not await store.change_claim(tx, claim, now, **resolved):
            return Result(False, await store.get(tx, claim_id), "lost")
        await store.add_event(tx, claim.id, event, operator.id, now, detail)
        if also is not None:
            await also(tx, claim)
        # The audit names what happened, never the words (a refusal's or closing reason's text).
        await _record(tx, operator, claim, audit_event, now, **{"from": claim.status, "to": resolved.get("status", claim.status)})
        after = await store.get(tx, claim_id)
    return Result(True, after, previous=claim)


async def take(db: Database, claim_id: int, version: int | None, operator: Operator, now: datetime) -> Result:
    """Take an unanswered claim into work (not one somebody else already took)."""

    def free(claim: Claim) -> str | None:
        return "not_allowed" if claim.taken_by is not None else None

    return await _transition(
        db, claim_id, version, operator, now, allowed=store.UNANSWERED_STATUSES, event="taken", audit_event="claim_taken",
        check=free, taken_by=operator.id, taken_at=_iso(now),
        status=lambda c: "in_progress" if c.status == "registered" else c.status,
    )


async def close(
    db: Database, claim_id: int, version: int | None, operator: Operator, now: datetime, reason_kind: str | None = None,
    reason: str | None = None,
) -> Result:
    """Close a claim: after a final answer, or for a stated reason (duplicate, withdrawn, other +
    words). Without either it is refused with 'needs_reason': a claim is never closed silently."""
    if reason_kind is not None and reason_kind not in CLOSE_REASONS:
        raise ValueError(reason_kind)
    if reason_kind == "other" and not (reason or "").strip():
        reason_kind = None

    def answered_or_reason(claim: Claim) -> str | None:
        return None if reason_kind is not None or claim.status == "answered" else "needs_reason"

    words = (reason or "").strip()[:REASON_MAX] if reason_kind == "other" else None
    return await _transition(
        db, claim_id, version, operator, now, allowed=store.OPEN_STATUSES, event="closed", audit_event="claim_closed",
        detail=words or reason_kind or "answered",  # the history shows the kind, or the words given
        check=answered_or_reason, status="closed", closed_at=_iso(now), closed_by=operator.id, resolution="done",
        close_kind=reason_kind or "answered", close_reason=words,
    )


async def refuse(db: Database, claim_id: int, operator: Operator, now: datetime, reason: str) -> Result:
    """A reasoned refusal: closes the claim and stops the clock; the reason goes to the applicant."""
    reason = reason.strip()[:REASON_MAX]

    async def keep_refusal(tx: Transaction, claim: Claim) -> None:
        await store.insert_reply(tx, claim_id=claim.id, operator_id=operator.id, kind="refusal", role="refusal", text=None,
                                 admin_message_id=None, user_message_id=None, now=now)

    return await _transition(
        db, claim_id, None, operator, now, allowed=store.OPEN_STATUSES, event="refused", audit_event="claim_refused",
        detail=reason, also=keep_refusal, status="closed", closed_at=_iso(now), closed_by=operator.id, resolution="refused",
        refusal_reason=reason, close_kind="refused", close_reason=None,
        first_reply_at=lambda c: c.first_reply_at or _iso(now), first_reply_by=lambda c: c.first_reply_by or operator.id,
    )


async def reopen(db: Database, claim_id: int, version: int | None, operator: Operator, now: datetime) -> Result:
    """Reopen a closed claim: answered if it had a final answer, otherwise back in work."""
    return await _transition(
        db, claim_id, version, operator, now, allowed=("closed",), event="reopened", audit_event="claim_reopened",
        # first_reply_at is set by a final answer (or a refusal, which reopening withdraws).
        status=lambda c: "answered" if c.first_reply_at and c.resolution != "refused" else "in_progress",
        closed_at=None, closed_by=None, resolution=None, close_kind=None, close_reason=None, refusal_reason=None,
        taken_by=lambda c: c.taken_by or operator.id, taken_at=lambda c: c.taken_at or _iso(now),
    )
