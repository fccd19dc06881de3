"""The person blocked the bot in Telegram: remembered (with an audit entry) so broadcasts skip
them. Writing again makes them reachable (storage.users.touch_customer). No aiogram here."""

from __future__ import annotations

from datetime import datetime

from storage import users
from storage.db import Database


async def bot_blocked(db: Database, user_id: int, now: datetime) -> bool:
    """False when they already were unreachable (nothing recorded)."""
    async with db.transaction() as tx:
        return await users.write_unreachable(tx, user_id, "blocked", now)
