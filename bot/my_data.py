"""/mydata: what the bot holds about the person, and the JSON export (Law 94-V Art. 24: the
right to know what is held). Each look is audited in the same transaction that reads it.
No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.ads import AdsStatus, ads_status
from bot.config import Settings
from bot.export import build_export
from storage import audit, consents, users
from storage.consents import ConsentRecord
from storage.db import Database
from storage.users import User


@dataclass(frozen=True)
class MyData:
    user: User  # what is stored (Telegram names only while needed), not what the update carried
    consent: ConsentRecord | None  # the latest decision
    ads: AdsStatus


async def view(db: Database, user: User, now: datetime) -> MyData:
    """The person looks at their data: what is held, and the `data_viewed` audit entry."""
    async with db.transaction() as tx:
        stored = await users.get_customer(tx, user.id) or user
        shown = MyData(stored, await consents.latest(tx, user.id), await ads_status(tx, stored))
        await audit.record(tx, at=now, actor=audit.user_actor(user.id), event="data_viewed", subject_user_id=user.id)
    return shown


async def export(db: Database, settings: Settings, user: User, now: datetime) -> dict[str, Any]:
    """The person downloads their data: the `data_exported` audit entry and the document (which
    lists that entry too)."""
    async with db.transaction() as tx:
        await audit.record(tx, at=now, actor=audit.user_actor(user.id), event="data_exported", subject_user_id=user.id)
        return await build_export(tx, settings, await users.get_customer(tx, user.id) or user, now)
