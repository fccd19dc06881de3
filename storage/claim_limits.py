"""What the customer's caps and /myclaims pages read: counts and pages of one customer's claims.

No aiogram and nothing of bot/. Every query starts from the customer's own claims
(index claims_user), so its cost grows with one person's history, not with the table.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Answer:
    """What the customer received about a claim: 'final' or 'interim' (operators' notes live elsewhere)."""

    kind: str  # text, photo, document, ...
    role: str  # final, interim
    text: str | None
    created_at: str


async def answers(db: Executor, claim_id: int) -> list[Answer]:
    """The answers delivered to the customer, in order; refusals are shown from the claim itself."""
    rows = await db.fetch_all("SELECT * FROM claim_replies WHERE claim_id = ? ORDER BY id", (claim_id,))
    found = []
    for row in rows:
        # 'role' (final / interim / refusal) came with the operators' desk; older rows are answers.
        role = row["role"] if "role" in row.keys() and row["role"] else "final"
        if row["kind"] == "refusal" or role == "refusal":
            continue
        found.append(Answer(row["kind"], role, row["text"], row["created_at"]))
    return found
