"""Users: who wrote to the bot, their language, profile corrections, advertising and reachability."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from storage import audit
from storage.db import Database, Executor, to_iso
from storage.redaction import NAMES_NEEDED_SQL

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
    # Read by get_customer / touch_customer (0008); False / None where another query built the User.
    blocked_at: str | None = None
    erased_at: str | None = None

    @property
    def blocked(self) -> bool:
        """Processing blocked on the person's request: no corrections, advertising or general
        broadcasts until an operator unblocks (Law 94-V Art. 25(2)(8), unverified)."""
        return self.blocked_at is not None

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
        **{key: row[key] for key in ("blocked_at", "erased_at") if key in row.keys()},
    )


_CUSTOMER_COLUMNS = _COLUMNS + ", blocked_at, erased_at"


async def get_user(db: Executor, user_id: int) -> User | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


async def get_customer(db: Executor, user_id: int) -> User | None:
    """The user with the erasure and blocking state (what /mydata and the rights handlers need)."""
    row = await db.fetch_one(f"SELECT {_CUSTOMER_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


async def touch_customer(
    db: Executor,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
) -> User:
    """Create the person on first contact, mark them reachable, and store Telegram names only while needed.

    A person who writes to us has (again) a working chat with the bot, so reachability resets.
    Names are stored while the person has consent in force or a claim open (the operators must
    see who writes); otherwise the stored ones are emptied. While processing is blocked nothing
    about the person is updated but reachability. The User returned carries the names of this
    update in memory, so the update itself can show them (an operators' card), while the
    database keeps only what the rule allows. Usual case, nothing to change: one read.
    """
    row = await db.fetch_one(
        f"SELECT {_CUSTOMER_COLUMNS}, {NAMES_NEEDED_SQL} AS names_needed FROM users WHERE id = ?", (user_id,)
    )
    live = (first_name, last_name, username)
    if row is None:
        stamp = to_iso(now)
        await db.execute(
            "INSERT INTO users (id, telegram_language, first_name, created_at, updated_at) VALUES (?, ?, '', ?, ?)",
            (user_id, telegram_language, stamp, stamp),
        )
        row = await db.fetch_one(f"SELECT {_CUSTOMER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        assert row is not None
        stored = _user(row)
    else:
        stored = _user(row)
        if stored.blocked:
            wanted = (stored.first_name, stored.last_name, stored.username, stored.telegram_language)
        elif row["names_needed"]:
            wanted = (*live, telegram_language)
        else:
            wanted = ("", None, None, telegram_language)
        if not stored.reachable or wanted != (stored.first_name, stored.last_name, stored.username, stored.telegram_language):
            stamp = to_iso(now)
            await db.execute(
                "UPDATE users SET first_name = ?, last_name = ?, username = ?, telegram_language = ?, reachable = 1, "
                "unreachable_reason = NULL, updated_at = ? WHERE id = ?",
                (*wanted, stamp, user_id),
            )
            stored = replace(
                stored, first_name=wanted[0], last_name=wanted[1], username=wanted[2], telegram_language=wanted[3],
                reachable=True, unreachable_reason=None, updated_at=stamp,
            )
    if live == (stored.first_name, stored.last_name, stored.username):
        return stored  # the usual case while the names are kept
    return replace(stored, first_name=first_name, last_name=last_name, username=username)


async def set_language(db: Database, user_id: int, language: str, now: datetime) -> None:
    async with db.transaction() as tx:
        await write_language(tx, user_id, language, now)


async def write_language(tx: Executor, user_id: int, language: str, now: datetime) -> None:
    """set_language inside the caller's transaction: the language and its audit entry."""
    await tx.execute("UPDATE users SET language = ?, updated_at = ? WHERE id = ?", (language, to_iso(now), user_id))
    await audit.record(
        tx, at=now, actor=audit.user_actor(user_id), event="language_set",
        subject_user_id=user_id, details={"language": language},
    )


async def correct_field(db: Database, user_id: int, field: str, value: str | None, now: datetime) -> None:
    """A user's correction of their own data (Law 94-V: the right to have data changed)."""
    async with db.transaction() as tx:
        await write_correction(tx, user_id, field, value, now)


async def write_correction(tx: Executor, user_id: int, field: str, value: str | None, now: datetime) -> None:
    """correct_field inside the caller's transaction: the field and its audit entry (never the value)."""
    if field not in CORRECTABLE_FIELDS:
        raise ValueError(f"{field} is not a correctable field")
    await tx.execute(f"UPDATE users SET {field} = ?, updated_at = ? WHERE id = ?", (value, to_iso(now), user_id))
    await audit.record(
        tx, at=now, actor=audit.user_actor(user_id), event="data_corrected",
        subject_user_id=user_id, details={"field": field, "cleared": value is None},
    )


async def set_ads_opt_in(db: Database, user_id: int, opted_in: bool, *, reason: str, actor: str, now: datetime) -> bool:
    """Record an advertising choice; returns False when it was already so (nothing recorded)."""
    async with db.transaction() as tx:
        return await record_ads_choice(tx, user_id, opted_in, reason=reason, actor=actor, now=now)


async def record_ads_choice(tx: Executor, user_id: int, opted_in: bool, *, reason: str, actor: str, now: datetime) -> bool:
    """set_ads_opt_in inside the caller's transaction (withdrawal, destruction)."""
    current = await tx.fetch_value("SELECT ads_opt_in FROM users WHERE id = ?", (user_id,))
    if current is None or bool(current) == opted_in:
        return False
    stamp = to_iso(now)
    await tx.execute("UPDATE users SET ads_opt_in = ?, updated_at = ? WHERE id = ?", (int(opted_in), stamp, user_id))
    await tx.execute(
        "INSERT INTO ads_choices (user_id, opted_in, reason, created_at) VALUES (?, ?, ?, ?)",
        (user_id, int(opted_in), reason, stamp),
    )
    await audit.record(
        tx, at=now, actor=actor, event="ads_opt_in" if opted_in else "ads_opt_out",
        subject_user_id=user_id, details={"reason": reason},
    )
    return True


async def set_blocked(tx: Executor, user_id: int, blocked: bool, now: datetime) -> bool:
    """Block or unblock processing; False when it already was so."""
    stamp = to_iso(now)
    if blocked:
        sql = "UPDATE users SET blocked_at = ?, updated_at = ? WHERE id = ? AND blocked_at IS NULL"
        params: tuple[object, ...] = (stamp, stamp, user_id)
    else:
        sql = "UPDATE users SET blocked_at = NULL, updated_at = ? WHERE id = ? AND blocked_at IS NOT NULL"
        params = (stamp, user_id)
    return bool(await tx.execute(sql, params))


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
        await write_unreachable(tx, user_id, reason, now)


async def write_unreachable(tx: Executor, user_id: int, reason: str, now: datetime) -> bool:
    """mark_unreachable inside the caller's transaction; False when it already was so."""
    changed = await tx.execute(
        "UPDATE users SET reachable = 0, unreachable_reason = ?, updated_at = ? WHERE id = ? AND reachable = 1",
        (reason, to_iso(now), user_id),
    )
    if changed:
        await audit.record(
            tx, at=now, actor=audit.SYSTEM, event="user_unreachable", subject_user_id=user_id, details={"reason": reason},
        )
    return bool(changed)
