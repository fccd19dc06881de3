"""Users: who wrote to the bot, their language, profile corrections, advertising and reachability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso

_COLUMNS = (
    "id, language, telegram_language, first_name, last_name, username, full_name, phone, email, "
    "ads_opt_in, reachable, unreachable_reason, created_at, updated_at"
)

# Fields a user may correct in /mydata; the audit names the field, never the value.
CORRECTABLE_FIELDS = ("full_name", "phone", "email")


@dataclass(frozen=True)
class User:
    id: int
    language: str | None
    telegram_language: str | None
    first_name: str
    last_name: str | None
    username: str | None
    full_name: str | None
    phone: str | None
    email: str | None
    ads_opt_in: bool
    reachable: bool
    unreachable_reason: str | None
    created_at: str
    updated_at: str

    @property
    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        return " ".join(part for part in (self.first_name, self.last_name) if part) or str(self.id)


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(
        id=row["id"],
        language=row["language"],
        telegram_language=row["telegram_language"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        full_name=row["full_name"],
        phone=row["phone"],
        email=row["email"],
        ads_opt_in=bool(row["ads_opt_in"]),
        reachable=bool(row["reachable"]),
        unreachable_reason=row["unreachable_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def get_user(db: Executor, user_id: int) -> User | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


async def touch_user(
    db: Executor,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
) -> User:
    """Create the user on first contact; keep Telegram's name fields current; mark reachable.

    A user who writes to us has (again) a working chat with the bot, so reachability resets.
    Runs on every update, so the usual case — nothing changed — costs one read.
    """
    user = await get_user(db, user_id)
    if (
        user is not None
        and user.reachable
        and (user.first_name, user.last_name, user.username, user.telegram_language)
        == (first_name, last_name, username, telegram_language)
    ):
        return user
    stamp = to_iso(now)
    await db.execute(
        "INSERT INTO users (id, telegram_language, first_name, last_name, username, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name, "
        "username = excluded.username, telegram_language = excluded.telegram_language, reachable = 1, "
        "unreachable_reason = NULL, updated_at = excluded.updated_at",
        (user_id, telegram_language, first_name, last_name, username, stamp, stamp),
    )
    user = await get_user(db, user_id)
    assert user is not None
    return user


async def set_language(db: Database, user_id: int, language: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE users SET language = ?, updated_at = ? WHERE id = ?", (language, to_iso(now), user_id)
        )
        await audit.record(
            tx, at=now, actor=audit.user_actor(user_id), event="language_set",
            subject_user_id=user_id, details={"language": language},
        )


async def correct_field(db: Database, user_id: int, field: str, value: str | None, now: datetime) -> None:
    """A user's correction of their own data (Law 94-V: the right to have data changed)."""
    if field not in CORRECTABLE_FIELDS:
        raise ValueError(f"{field} is not a correctable field")
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE users SET {field} = ?, updated_at = ? WHERE id = ?", (value, to_iso(now), user_id)
        )
        await audit.record(
            tx, at=now, actor=audit.user_actor(user_id), event="data_corrected",
            subject_user_id=user_id, details={"field": field, "cleared": value is None},
        )


async def set_ads_opt_in(db: Database, user_id: int, opted_in: bool, *, reason: str, actor: str, now: datetime) -> bool:
    """Record an advertising choice; returns False when it was already so (nothing recorded)."""
    async with db.transaction() as tx:
        current = await tx.fetch_value("SELECT ads_opt_in FROM users WHERE id = ?", (user_id,))
        if current is None or bool(current) == opted_in:
            return False
        stamp = to_iso(now)
        await tx.execute(
            "UPDATE users SET ads_opt_in = ?, updated_at = ? WHERE id = ?", (int(opted_in), stamp, user_id)
        )
        await tx.execute(
            "INSERT INTO ads_choices (user_id, opted_in, reason, created_at) VALUES (?, ?, ?, ?)",
            (user_id, int(opted_in), reason, stamp),
        )
        await audit.record(
            tx, at=now, actor=actor, event="ads_opt_in" if opted_in else "ads_opt_out",
            subject_user_id=user_id, details={"reason": reason},
        )
    return True


@dataclass(frozen=True)
class AdsChoice:
    opted_in: bool
    reason: str
    created_at: str


async def ads_history(db: Executor, user_id: int) -> list[AdsChoice]:
    rows = await db.fetch_all(
        "SELECT opted_in, reason, created_at FROM ads_choices WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [AdsChoice(bool(r["opted_in"]), r["reason"], r["created_at"]) for r in rows]


async def mark_unreachable(db: Database, user_id: int, reason: str, now: datetime) -> None:
    """The user blocked the bot or deleted the account: a fact to remember, not an error."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE users SET reachable = 0, unreachable_reason = ?, updated_at = ? "
            "WHERE id = ? AND reachable = 1",
            (reason, to_iso(now), user_id),
        )
        if changed:
            await audit.record(
                tx, at=now, actor=audit.SYSTEM, event="user_unreachable",
                subject_user_id=user_id, details={"reason": reason},
            )


async def erase_contact_data(db: Database, user_id: int, now: datetime) -> None:
    """Forget the name, phone and e-mail the user gave us (on withdrawal of consent)."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE users SET full_name = NULL, phone = NULL, email = NULL, updated_at = ? "
            "WHERE id = ? AND (full_name IS NOT NULL OR phone IS NOT NULL OR email IS NOT NULL)",
            (to_iso(now), user_id),
        )
        if changed:
            await audit.record(
                tx, at=now, actor=audit.user_actor(user_id), event="contact_data_erased",
                subject_user_id=user_id, details={"fields": list(CORRECTABLE_FIELDS)},
            )
