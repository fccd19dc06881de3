"""Broadcast benchmark: the bot (`python -m bot`, its own process) sends one operator message to
N consenting users through the local stand-in Bot API at BROADCAST_RATE with paid broadcast.

This process seeds the database, runs the stand-in on 127.0.0.1 (without keeping the copies:
``keep_history=False``), starts the broadcast exactly as an operator does (a message in the admin
chat, ``/broadcast all`` as a reply to it, the confirm button) and counts every copyMessage per
recipient with an observer: the achieved rate at the server, duplicates, and errors. Memory is
the bot process's own (VmRSS before, VmHWM at the end, from /proc). Bounded in count and time.

    python -m bench.broadcast --recipients 20000 --rate 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from array import array
from datetime import UTC, datetime
from pathlib import Path

from bench.__main__ import ADMIN_CHAT_ID, PROJECT, bot_env, rss_mb, stop_process
from stand_in import ApiCall, TelegramStandIn
from storage.db import Database, to_iso

FIRST_USER = 20_000_000
OPERATOR = 9001
CONFIRM_LABEL = "▶️ Отправить"  # bc-confirm-button (ru)


def proc_status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def seed(database: Path, recipients: int) -> None:
    """Users who started the bot, chose Russian and gave consent: straight into the schema."""
    db = await Database.open(database)
    try:
        now = to_iso(datetime.now(UTC))
        notice = "0" * 64
        await db.execute(
            "INSERT INTO consent_notices (sha256, policy_version, language, text, first_shown_at) VALUES (?, ?, ?, ?, ?)",
            (notice, "2026-01-01", "ru", "notice", now),
        )
        ids = range(FIRST_USER, FIRST_USER + recipients)
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO users (id, language, telegram_language, first_name, created_at, updated_at) "
                "VALUES (?, 'ru', 'ru', 'U', ?, ?)",
                ((user_id, now, now) for user_id in ids),
            )
            await tx.executemany(
                "INSERT INTO consent_records (record_uid, user_id, policy_version, language, decision, channel, "
                "notice_sha256, created_at) VALUES (?, ?, '2026-01-01', 'ru', 'given', 'bot', ?, ?)",
                ((str(uuid.uuid4()), user_id, notice, now) for user_id in ids),
            )
    finally:
        await db.close()


async def start_bot(server: TelegramStandIn, database: Path, rate: float, extra_env: dict[str, str]) -> asyncio.subprocess.Process:
    env = bot_env(server, database, BROADCAST_RATE=f"{rate:g}", BROADCAST_PAID="1", **extra_env)
    since = len(server.calls)
    # BENCH_PROFILE=<file>: run the bot under cProfile (written when it stops on SIGTERM).
    profile = os.environ.get("BENCH_PROFILE")
    wrapper = ["-m", "cProfile", "-o", profile] if profile else []
    process = await asyncio.create_subprocess_exec(sys.executable, *wrapper, "-m", "bot", cwd=PROJECT, env=env)
    await server.wait_for_call("getUpdates", since=since, timeout=60)
    return process


class CopyCounter:
    """Observer: copyMessage calls per recipient and when each successful one arrived."""

    def __init__(self, first: int, count: int) -> None:
        self.first = first
        self.per_user = bytearray(count)  # copies per recipient, saturating at 255
        self.times = array("d")
        self.failed: dict[str, int] = {}
        self.outside = 0

    def __call__(self, call: ApiCall) -> None:
        if call.method != "copyMessage":
            return
        if not call.ok:
            key = f"{call.error_code} {call.description}"
            self.failed[key] = self.failed.get(key, 0) + 1
            return
        index = int(call.params["chat_id"]) - self.first
        if not 0 <= index < len(self.per_user):
            self.outside += 1
            return
        self.per_user[index] = min(255, self.per_user[index] + 1)
        self.times.append(call.at)

    @property
    def copies(self) -> int:
        return len(self.times)

    def duplicates(self) -> int:
        return sum(1 for n in self.per_user if n > 1)

    def max_window(self, period: float = 1.0) -> int:
        """The most copies that arrived within any `period` (sliding, from each arrival)."""
        times, best, j = self.times, 0, 0
        for i in range(len(times)):
            while times[i] - times[j] >= period:
                j += 1
            best = max(best, i - j + 1)
        return best


def rates(times: array) -> tuple[float, float]:
    """(overall, steady): steady leaves out the first and last 5 % of the copies."""
    n = len(times)
    if n < 2:
        return float("nan"), float("nan")
    overall = (n - 1) / (times[-1] - times[0])
    lo, hi = n // 20, n - 1 - n // 20
    steady = (hi - lo) / (times[hi] - times[lo]) if times[hi] > times[lo] else float("nan")
    return overall, steady


def db_counts(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute(
            "SELECT state, count(*) FROM broadcast_recipients WHERE broadcast_id = "
            "(SELECT max(id) FROM broadcasts) GROUP BY state"
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


async def run_broadcast_benchmark(
    *, recipients: int = 100_000, rate: float = 1000.0, workdir: Path, extra_env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> list[str]:
    database = Path(workdir) / "broadcast.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    began = time.perf_counter()
    await seed(database, recipients)
    seeded = time.perf_counter() - began

    server = TelegramStandIn(keep_history=False)
    await server.start()
    began = time.perf_counter()
    for user_id in range(FIRST_USER, FIRST_USER + recipients):
        server.add_user(user_id, language_code="ru")
    added = time.perf_counter() - began
    server.add_group(ADMIN_CHAT_ID, title="Operators", members=[OPERATOR], admins=[OPERATOR])
    counter = CopyCounter(FIRST_USER, recipients)
    server.observers.append(counter)
    limit = timeout if timeout is not None else recipients / rate * 2 + 60
    samples: list[float] = []
    process = await start_bot(server, database, rate, extra_env or {})
    try:
        await asyncio.sleep(1)
        idle = rss_mb(process.pid)
        # The operator: a message, /broadcast all as a reply to it, then the confirm button.
        server.user_message(OPERATOR, "Плановые работы сегодня ночью.", chat_id=ADMIN_CHAT_ID)
        source = [m for m in server.messages(ADMIN_CHAT_ID) if not m.from_bot][-1]
        server.user_message(OPERATOR, "/broadcast all", chat_id=ADMIN_CHAT_ID, reply_to_message_id=source.message_id)
        confirm = await server.wait_bot_message(ADMIN_CHAT_ID, after_message_id=source.message_id, timeout=60)
        before = rss_mb(process.pid)
        started = time.monotonic()
        server.callback(OPERATOR, confirm.message_id, confirm.button(CONFIRM_LABEL), chat_id=ADMIN_CHAT_ID)

        def report_sent() -> bool:
            return any(
                m.from_bot and m.message_id > confirm.message_id for m in server.messages(ADMIN_CHAT_ID)
            )

        deadline = started + limit
        while not report_sent() and time.monotonic() < deadline:
            samples.append(rss_mb(process.pid))
            await asyncio.sleep(0.5)
        finished = time.monotonic()
        completed = report_sent()
        peak = proc_status_mb(process.pid, "VmHWM")
        after = rss_mb(process.pid)
    finally:
        await stop_process(process)
        await server.stop()
    counts = db_counts(database)
    overall, steady = rates(counter.times)
    total = finished - started
    unreachable = counts.get("unreachable", 0)
    failed = counts.get("failed", 0)
    first_copy = (counter.times[0] - started) if counter.copies else float("nan")
    lines = [
        f"## Broadcast ({recipients} recipients, BROADCAST_RATE={rate:g})",
        "",
        "The bot runs as `python -m bot` (BROADCAST_PAID=1) against the stand-in; the operator replies "
        "`/broadcast all` to a message in the admin chat and confirms. Rates are copies answered by the "
        "stand-in per second (steady: without the first and last 5 % of copies).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| copies delivered | {counter.copies} of {recipients} |",
        f"| achieved rate, steady | {steady:.1f} /s ({steady / rate * 100:.1f} % of the limit) |",
        f"| achieved rate, overall (first to last copy) | {overall:.1f} /s |",
        f"| most copies in any 1 s window | {counter.max_window()} (limit {rate:g}) |",
        f"| duplicates (recipients with more than one copy) | {counter.duplicates()} |",
        f"| unreachable / failed (bot's records) | {unreachable} / {failed} |",
        f"| failed copyMessage calls at the stand-in | {sum(counter.failed.values())} |",
        f"| total time, confirm to report | {total:.1f} s{'' if completed else ' (TIMED OUT)'} |",
        f"| confirm to first copy | {first_copy:.2f} s |",
        f"| bot RSS idle (after start) | {idle:.1f} MB |",
        f"| bot RSS before the broadcast | {before:.1f} MB |",
        f"| bot RSS peak (VmHWM) | {peak:.1f} MB |",
        f"| bot RSS growth during the broadcast (max sampled − before) | {max(samples or [after]) - before:.1f} MB |",
        f"| bot RSS after | {after:.1f} MB |",
        "",
        f"Setup (not timed above): seeding {recipients} users {seeded:.1f} s; adding them to the stand-in {added:.1f} s. "
        f"Recipient states: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}.",
        "",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        lines = asyncio.run(run_broadcast_benchmark(recipients=args.recipients, rate=args.rate, workdir=args.workdir))
    else:
        with tempfile.TemporaryDirectory() as folder:
            lines = asyncio.run(run_broadcast_benchmark(recipients=args.recipients, rate=args.rate, workdir=Path(folder)))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
