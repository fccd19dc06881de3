"""What the customer's caps and /myclaims pages read: counts and pages of one customer's claims.

No aiogram and nothing of bot/. Every query starts from the customer's own claims
(index claims_user), so its cost grows with one person's history, not with the table.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Executor, to_iso

_OPEN = "status IN ('registered', 'in_progress', 'answered')"


async def count_open(db: Executor, user_id: int) -> int:
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM claims WHERE user_id = ? AND {_OPEN}", (user_id,)) or 0)


async def filed_since(db: Executor, user_id: int, since: datetime) -> tuple[int, str | None]:
    """(claims registered after `since`, the earliest of their registration times)."""
    row = await db.fetch_one(
        "SELECT COUNT(*), MIN(registered_at) FROM claims WHERE user_id = ? AND registered_at > ?", (user_id, to_iso(since))
    )
    return (0, None) if row is None else (int(row[0]), row[1])


async def followups_since(db: Executor, user_id: int, since: datetime) -> tuple[int, str | None]:
    """(follow-ups the customer added after `since`, over all their claims; the earliest time)."""
    row = await db.fetch_one(
        "SELECT COUNT(*), MIN(f.created_at) FROM claims c JOIN claim_followups f ON f.claim_id = c.id "
        "WHERE c.user_id = ? AND f.created_at > ?",
        (user_id, to_iso(since)),
    )
    return (0, None) if row is None else (int(row[0]), row[1])


async def count_attachments(db: Executor, claim_id: int) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM claim_attachments WHERE claim_id = ?", (claim_id,)) or 0)


async def count_claims(db: Executor, user_id: int) -> int:
    return int(await db.fetch_value("SELECT COUNT(*) FROM claims WHERE user_id = ?", (user_id,)) or 0)


async def claim_ids_page(db: Executor, user_id: int, limit: int, offset: int) -> list[int]:
    """The customer's claims, the newest first, one page of them."""
    rows = await db.fetch_all(
        "SELECT id FROM claims WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?", (user_id, int(limit), int(offset))
    )
    return [int(r[0]) for r in rows]
