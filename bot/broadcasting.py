"""What operators do with broadcasts: one function per action, returning what happened.

The delivery itself is bot/broadcaster.py's; these functions change the database (one
transaction each, audited where an operator decides something) and then tell the running
engine (`Engine`: wake up, stop a broadcast). Nothing here imports aiogram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage import broadcasts
from storage.broadcasts import KINDS, Broadcast
from storage.db import Database


class Engine(Protocol):
    """The running broadcaster, as far as these actions need it."""

    def wake(self) -> None: ...
    def cancel(self, broadcast_id: int) -> None: ...


@dataclass(frozen=True)
class Draft:
    """A broadcast waiting for confirmation, with what the confirmation shows."""

    broadcast: Broadcast
    recipients: int                 # the audience now
    unknown_ids: tuple[int, ...]    # listed ids the bot has never seen (they get nothing)


@dataclass(frozen=True)
class Started:
    broadcast: Broadcast
    counts: dict[str, int]


@dataclass(frozen=True)
class Listed:
    broadcast: Broadcast
    counts: dict[str, int]


async def _draft(db: Database, broadcast: Broadcast) -> Draft:
    count = await broadcasts.audience_count(db, broadcast.kind, broadcast.target_ids)
    unknown: tuple[int, ...] = ()
    if broadcast.target_ids:
        known = await broadcasts.known_user_ids(db, broadcast.target_ids)
        unknown = tuple(i for i in broadcast.target_ids if i not in known)
    return Draft(broadcast, count, unknown)


async def draft(
    db: Database,
    *,
    kind: str,
    target_ids: Sequence[int],
    created_by: int,
    locale: str,
    now: datetime,
    source_chat_id: int,
    source_message_id: int,
    policy_version: str | None,
    paid: bool,
) -> Draft:
    """An operator replied /broadcast to a message: a draft of copying it to `kind`'s audience."""
    broadcast_id = await broadcasts.create_draft(
        db, kind=kind, created_by=created_by, locale=locale, now=now, source_chat_id=source_chat_id,
        source_message_id=source_message_id, target_ids=list(target_ids) or None,
        policy_version=policy_version, paid=paid,
    )
    created = await broadcasts.get(db, broadcast_id)
    assert created is not None
    return await _draft(db, created)


async def choose_audience(db: Database, broadcast_id: int, kind: str) -> Draft | None:
    """The operator picked the audience of a draft; None if it is no longer a draft."""
    if kind not in KINDS or not await broadcasts.set_audience(db, broadcast_id, kind):
        return None
    chosen = await broadcasts.get(db, broadcast_id)
    return None if chosen is None else await _draft(db, chosen)


async def discard(db: Database, broadcast_id: int) -> bool:
    """The operator dropped a draft; False if it was not a draft (any more)."""
    return await broadcasts.discard(db, broadcast_id)


async def confirm(
    db: Database, engine: Engine, broadcast_id: int, *, actor: str, now: datetime,
    progress_chat_id: int, progress_message_id: int,
) -> Started | None:
    """The operator confirmed a draft: its audience is fixed and sending starts. None if it was
    not a draft. The progress message is recorded right after (a lost record only costs the
    progress edits, never a delivery)."""
    started = await broadcasts.start(db, broadcast_id, actor=actor, now=now)
    if started is None:
        return None
    await broadcasts.set_progress_message(db, broadcast_id, progress_chat_id, progress_message_id)
    engine.wake()
    return Started(started, await broadcasts.counts(db, broadcast_id))


async def cancel(db: Database, engine: Engine, broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """The operator stopped a running broadcast; False if it was not running."""
    if not await broadcasts.cancel(db, broadcast_id, actor=actor, now=now):
        return False
    engine.cancel(broadcast_id)
    return True


@dataclass(frozen=True)
class Retried:
    broadcast: Broadcast
    recipients: int        # how many failed recipients are sent again
    counts: dict[str, int]


async def retry_failed(
    db: Database, engine: Engine, broadcast_id: int, *, actor: str, now: datetime,
    progress_chat_id: int, progress_message_id: int,
) -> Retried | None:
    """The operator pressed "retry the failed ones" under a report: those recipients (and only
    those) are sent again, audited. None if the broadcast is not finished; recipients=0 if none
    failed."""
    retried = await broadcasts.retry_failed(
        db, broadcast_id, actor=actor, now=now,
        progress_chat_id=progress_chat_id, progress_message_id=progress_message_id,
    )
    if retried is None:
        return None
    if retried:
        engine.wake()
    current = await broadcasts.get(db, broadcast_id)
    assert current is not None
    return Retried(current, retried, await broadcasts.counts(db, broadcast_id))


async def recent(db: Database, limit: int = 10) -> list[Listed]:
    """The latest broadcasts (not drafts) with their recipients per state."""
    return [Listed(item, await broadcasts.counts(db, item.id)) for item in await broadcasts.recent(db, limit)]
