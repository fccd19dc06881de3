"""`python -m bench`: measure the bot against the local stand-in Bot API and write bench/RESULTS.md.

Each bot runs in its own process (`python -m bot`, and `python -m bench.echo_bot` as the
baseline) so that memory is the bot's own; this process plays the users through the stand-in
on 127.0.0.1 and times every update from being queued for getUpdates to the bot's reply
reaching the server. Every phase is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.echo_bot import JOURNEY_LABELS
from stand_in import ApiCall, TelegramStandIn

PROJECT = Path(__file__).resolve().parent.parent
ADMIN_CHAT_ID = -1009000000001
FIRST_USER = 10_000_000
REPLY_METHODS = {"sendMessage", "editMessageText", "sendDocument"}


@dataclass
class LoadResult:
    name: str
    updates: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    cpu_ms_per_update: float = float("nan")  # the bot process's own CPU time
    driver_cpu_ms_per_update: float = float("nan")  # this process's: the stand-in and the simulated users
    calls_per_update: float = float("nan")  # Bot API calls the bot made (getUpdates aside)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class ReplyWatcher:
    """Per chat: notes when the bot's first reply reaches the server (the latency) and
    resolves when the expected number of replies has arrived (the step is done)."""

    def __init__(self, server: TelegramStandIn) -> None:
        self.waiting: dict[int, tuple[asyncio.Future[float], list[float], int]] = {}
        server.observers.append(self.on_call)

    def on_call(self, call: ApiCall) -> None:
        if call.method in REPLY_METHODS and call.ok:
            entry = self.waiting.get(call.params.get("chat_id"))  # type: ignore[arg-type]
            if entry is None:
                return
            future, arrivals, expected = entry
            arrivals.append(time.perf_counter())
            if len(arrivals) >= expected and not future.done():
                del self.waiting[call.params["chat_id"]]
                future.set_result(arrivals[0])

    def expect(self, chat_id: int, replies: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = (future, [], replies)
        return future


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bot_env(server: TelegramStandIn, database: Path, **extra: str) -> dict[str, str]:
    """The environment a bot process needs to run against the stand-in."""
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "BOT_TOKEN": server.token,
        "ADMIN_CHAT_ID": str(ADMIN_CHAT_ID),
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def start_process(
    module: str, server: TelegramStandIn, database: Path, **extra_env: str
) -> asyncio.subprocess.Process:
    env = bot_env(server, database, **extra_env)
    since = len(server.calls)
    profile = os.environ.get("BENCH_PROFILE")  # a file name: run the bot under cProfile
    prefix = ["-m", "cProfile", "-o", profile] if profile and module == "bot" else []
    process = await asyncio.create_subprocess_exec(sys.executable, *prefix, "-m", module, cwd=PROJECT, env=env)
    await server.wait_for_call("getUpdates", since=since, timeout=60)
    return process


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in this (the load generator's) process while it measures.

    Its stand-in keeps every message of the run; a full collection over them paused this process
    for up to half a second, and every reply waiting meanwhile was counted as the bot's latency.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


async def run_users(
    server: TelegramStandIn, watcher: ReplyWatcher, name: str, users: int, in_flight: int, steps: list, timeout: float,
    *, first_user: int = FIRST_USER,
) -> LoadResult:
    """Each user performs `steps` in order, waiting for the bot's reply to each; at most
    `in_flight` users are active at once."""
    result = LoadResult(name, updates=0, seconds=0.0)
    gate = asyncio.Semaphore(in_flight)

    async def one_user(user_id: int) -> None:
        async with gate:
            for step, replies in steps:
                reply = watcher.expect(user_id, replies)
                started = time.perf_counter()
                step(server, user_id)
                try:
                    finished = await asyncio.wait_for(reply, timeout)
                except TimeoutError:
                    result.timeouts += 1
                    return
                result.updates += 1
                result.latencies_ms.append((finished - started) * 1000)

    began, driver_cpu = time.perf_counter(), time.process_time()
    with collector_paused():
        await asyncio.gather(*(one_user(first_user + i) for i in range(users)))
    result.seconds = time.perf_counter() - began
    result.driver_cpu_ms_per_update = (time.process_time() - driver_cpu) * 1000 / max(result.updates, 1)
    return result


async def start_stand_in(users: int) -> TelegramStandIn:
    """A running stand-in with `users` Russian-speaking users and the operators' group."""
    server = TelegramStandIn()
    await server.start()
    for i in range(users):
        server.add_user(FIRST_USER + i, first_name=f"User{i}", language_code="ru")
    server.add_group(ADMIN_CHAT_ID, title="Operators")
    return server


def bot_steps() -> list:
    def start(server: TelegramStandIn, user: int) -> None:
        server.user_message(user, "/start")

    def press(label: str):  # type: ignore[no-untyped-def]
        def step(server: TelegramStandIn, user: int) -> None:
            message = next(m for m in reversed(server.bot_messages(user)) if m.buttons())
            server.callback(user, message.message_id, message.button(label))

        return step

    # /start → the language prompt; the language → a greeting and the consent notice; accept → the receipt.
    def say(text: str):  # type: ignore[no-untyped-def]
        def step(server: TelegramStandIn, user: int) -> None:
            server.user_message(user, text)

        return step

    language, accept, written_claim, go_on, confirm = JOURNEY_LABELS
    return [
        (start, 1), (press(language), 2), (press(accept), 1),
        # File a written claim: type, text, continue (no attachments), confirm.
        (say("/claim"), 1), (press(written_claim), 1),
        (say("Прошу прекратить рассылку рекламы на мой номер."), 1), (press(go_on), 1), (press(confirm), 1),
    ]


def echo_steps() -> list:
    def say(text: str):  # type: ignore[no-untyped-def]
        def step(server: TelegramStandIn, user: int) -> None:
            server.user_message(user, text)

        return step

    return [(say(f"message {n}"), 1) for n in range(8)]  # as many updates per user as the bot's journey


def same_call_steps() -> list:
    """The privacy bot's journey for the echo bot that makes the same calls: one reply per step."""
    return [(step, 1) for step, _ in bot_steps()]


async def open_loop(
    server: TelegramStandIn, watcher: ReplyWatcher, name: str, user_ids: list[int], rate: float, seconds: float,
    timeout: float, on_tick: Callable[[], None] | None = None,
) -> LoadResult:
    """Updates arrive at a steady `rate` whatever the bot does (open loop): a rotation of
    read-only commands from users who finished the journey, one in flight per user."""
    result = LoadResult(name, updates=0, seconds=0.0)
    commands = ["/help", "/consent", "/myclaims", "/ads"]
    pending: set[asyncio.Task[None]] = set()
    busy: set[int] = set()

    async def one(user_id: int, text: str) -> None:
        reply = watcher.expect(user_id, 1)
        started = time.perf_counter()
        server.user_message(user_id, text)
        try:
            finished = await asyncio.wait_for(reply, timeout)
        except TimeoutError:
            result.timeouts += 1
        else:
            result.updates += 1
            result.latencies_ms.append((finished - started) * 1000)
        finally:
            busy.discard(user_id)

    with collector_paused():
        began = time.perf_counter()
        sent = 0
        next_tick = began
        while (now := time.perf_counter()) - began < seconds:
            due = int((now - began) * rate) + 1
            while sent < due:
                user_id = user_ids[sent % len(user_ids)]
                sent += 1
                if user_id in busy:
                    continue  # that user's previous update is still in flight: never two at once
                busy.add(user_id)
                task = asyncio.create_task(one(user_id, commands[sent % len(commands)]))
                pending.add(task)
                task.add_done_callback(pending.discard)
            if on_tick is not None and now >= next_tick:
                on_tick()
                next_tick = now + 5
            await asyncio.sleep(min(0.005, 1 / rate))
        await asyncio.gather(*pending)
        result.seconds = time.perf_counter() - began
    return result


@dataclass
class Round:
    """One run of each bot, back to back: the ratio is read within a round, where the machine is
    the same, not across rounds, between which its speed was seen to vary by ±15 %."""

    echo: LoadResult
    echo_same_calls: LoadResult
    ours: LoadResult  # the privacy bot with the first --fast-paths value (default: on, as in production)
    variants: dict[str, LoadResult] = field(default_factory=dict)  # FAST_PATHS value -> its run


@dataclass
class UpdateFigures:
    rounds: list[Round]
    half_peak: LoadResult | None = None
    soak: LoadResult | None = None
    soak_rss: list[float] = field(default_factory=list)
    many_users: LoadResult | None = None
    memory: dict[str, float] = field(default_factory=dict)


def privacy_bot_name(value: str, args: argparse.Namespace) -> str:
    return "privacy bot" if args.fast_paths == ["on"] else f"privacy bot, FAST_PATHS={value}"


async def bench_updates(args: argparse.Namespace) -> UpdateFigures:
    memory: dict[str, float] = {}
    figures = UpdateFigures(rounds=[], memory=memory)
    bots: list[tuple[str, str, list, dict[str, str]]] = [  # type: ignore[type-arg]
        ("echo bot", "bench.echo_bot", echo_steps(), {}),
        ("echo bot, same calls", "bench.echo_bot", same_call_steps(), {"ECHO_SAME_CALLS": "1"}),
    ]
    for value in args.fast_paths:
        bots.append((privacy_bot_name(value, args), "bot", bot_steps(), {"FAST_PATHS": value}))
    for round_number in range(1, args.rounds + 1):
        results = await run_round(args, figures, tuple(bots), round_number)
        echo, same_calls, *ours = results
        figures.rounds.append(Round(echo, same_calls, ours[0], dict(zip(args.fast_paths, ours))))
    return figures


async def run_round(args: argparse.Namespace, figures: UpdateFigures, bots: tuple, round_number: int) -> list[LoadResult]:  # type: ignore[type-arg]
    """Each bot once; after the last round's privacy bot, the open-loop, soak and memory phases."""
    users, in_flight, timeout, memory = args.users, args.in_flight, args.timeout, figures.memory
    last = round_number == args.rounds
    results: list[LoadResult] = []
    for name, module, steps, extra_env in bots:
        label = f"{name}, round {round_number}" if args.rounds > 1 else name
        if args.bots and not any(name == wanted or name.startswith(wanted + ", FAST_PATHS=") for wanted in args.bots):
            results.append(LoadResult(label, updates=0, seconds=0.0))  # not run: its figures read n/a
            continue
        main = name == privacy_bot_name(args.fast_paths[0], args)  # the later phases run for this one only
        server = await start_stand_in(users + (args.memory_users if main and last else 0))
        with tempfile.TemporaryDirectory() as folder:
            process = await start_process(module, server, Path(folder) / "bench.sqlite3", **extra_env)
            try:
                await asyncio.sleep(1)
                memory[f"{name}: idle"] = rss_mb(process.pid)
                watcher = ReplyWatcher(server)
                cpu_before, calls_before = cpu_seconds(process.pid), len(server.calls)
                result = await run_users(server, watcher, label, users, in_flight, steps, timeout)
                result.cpu_ms_per_update = (cpu_seconds(process.pid) - cpu_before) * 1000 / max(result.updates, 1)
                calls = sum(1 for call in server.calls[calls_before:] if call.method != "getUpdates")
                result.calls_per_update = calls / max(result.updates, 1)
                results.append(result)
                memory[f"{name}: after {users} users' journeys"] = rss_mb(process.pid)
                if not main or not last:
                    continue
                done = [FIRST_USER + i for i in range(users)]
                rate = max(result.rate / 2, 1.0)
                print(f"open loop at {rate:.0f} updates/s for {args.open_seconds}s", file=sys.stderr)
                figures.half_peak = await open_loop(server, watcher, "half of peak", done, rate, args.open_seconds, timeout)
                if args.soak_seconds > 0:
                    print(f"soak: {args.soak_seconds}s of mixed traffic at {rate:.0f}/s", file=sys.stderr)
                    samples = figures.soak_rss

                    figures.soak = await open_loop(
                        server, watcher, "soak", done, rate, args.soak_seconds, timeout,
                        on_tick=lambda: samples.append(rss_mb(process.pid)),
                    )
                    samples.append(rss_mb(process.pid))
                if args.memory_users > 0:
                    print(f"/start from {args.memory_users} more users", file=sys.stderr)
                    more = await run_users(
                        server, watcher, "more users", args.memory_users, in_flight, steps[:1], timeout,
                        first_user=FIRST_USER + users,
                    )
                    figures.many_users = more
                    memory[f"{name}: after {users + args.memory_users} users in all"] = rss_mb(process.pid)
            finally:
                await stop_process(process)
                await server.stop()
    return results


def table(rows: list[LoadResult], *, cpu: bool = True) -> list[str]:
    lines = [
        "| load | updates | updates/s | p50 ms | p99 ms |"
        + (" bot CPU ms/update | API calls/update | stand-in + users CPU ms/update |" if cpu else "") + " timeouts |",
        "|---|---|---|---|---|" + ("---|---|---|" if cpu else "") + "---|",
    ]
    for result in rows:
        lines.append(
            f"| {result.name} | {result.updates} | {result.rate:.0f} | {result.pct(0.5):.1f} | {result.pct(0.99):.1f} |"
            + (f" {result.cpu_ms_per_update:.2f} | {result.calls_per_update:.2f} | {result.driver_cpu_ms_per_update:.2f} |" if cpu else "")
            + f" {result.timeouts} |"
        )
    return lines


def ratio(pairs: list[tuple[LoadResult, LoadResult]]) -> str:
    """The median over rounds of ours / baseline, each ratio taken within one round, in bold."""
    ratios = sorted(ours.rate / baseline.rate for ours, baseline in pairs if baseline.rate)
    if not ratios:
        return "n/a"
    median = statistics.median(ratios)
    each = f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""
    return f"**{median:.2f}**{each}"


def update_section(figures: UpdateFigures, args: argparse.Namespace) -> list[str]:
    rounds = figures.rounds
    lines = [
        f"## Update handling ({args.users} users, at most {args.in_flight} in flight)",
        "",
        "Each user of the privacy bot sends /start, picks the language, accepts the consent notice and files a",
        "written claim (type, text, continue, confirm): 8 updates. The echo bot gets 8 text messages per user.",
        "The echo bot with the same calls (bench/echo_bot.py, ECHO_SAME_CALLS=1) gets the privacy bot's 8",
        "updates and makes its Bot API calls: a message per message; per pressed button answerCallbackQuery,",
        "then the pressed message edited into the next step (claim type, continue) or its buttons removed and",
        "a new message sent. Both echo bots are bare aiogram as installed (asyncio's loop,",
        "aiohttp's client); the privacy bot runs as in production (uvloop, orjson, FAST_PATHS as given below).",
        "A round runs the three bots back to back; each ratio is taken within a round, the median reported.",
        "Latency: from the update being queued for getUpdates to the bot's first reply reaching the server.",
        "",
        *table([row for r in rounds for row in (r.echo, r.echo_same_calls, r.ours)]),
        "",
        f"Peak throughput ratio (privacy bot / echo bot, median of {len(rounds)} round(s)): "
        f"{ratio([(r.ours, r.echo) for r in rounds])} (target ≥ 0.8); "
        f"against the echo bot making the same calls: {ratio([(r.ours, r.echo_same_calls) for r in rounds])}.",
        "",
    ]
    if len(args.fast_paths) > 1:
        lines += [
            "### Fast paths switched off in turn (FAST_PATHS, bot/fast_paths/)",
            "",
            "| FAST_PATHS | ratio to the echo bot (median; rounds) | bot CPU ms/update (median) | RSS after the journeys, MB (last round) |",
            "|---|---|---|---|",
        ]
        for value in args.fast_paths:
            runs = [r.variants[value] for r in rounds]
            cpu = statistics.median(run.cpu_ms_per_update for run in runs)
            rss = figures.memory.get(f"{privacy_bot_name(value, args)}: after {args.users} users' journeys", float("nan"))
            lines.append(f"| {value} | {ratio([(r.variants[value], r.echo) for r in rounds])} | {cpu:.2f} | {rss:.1f} |")
        lines.append("")
    if figures.half_peak is not None:
        hp = figures.half_peak
        lines += [
            f"### Steady open-loop load at half the peak ({hp.rate:.0f} updates/s, {args.open_seconds:g} s)",
            "",
            *table([hp], cpu=False),
            "",
            f"p99 at half of peak: **{hp.pct(0.99):.1f} ms** (target < 50 ms).",
            "",
        ]
    if figures.many_users is not None:
        many = figures.many_users
        lines += [
            f"### {many.updates} more users send /start (for the memory figures below)",
            "",
            *table([many], cpu=False),
            "",
        ]
    lines += ["## Memory (RSS of the bot process)", "", "| when | MB |", "|---|---|"]
    lines += [f"| {name} | {value:.1f} |" for name, value in figures.memory.items()]
    if figures.soak is not None and figures.soak_rss:
        rss = figures.soak_rss
        lines += [
            "",
            f"Soak: {args.soak_seconds:g} s of mixed traffic at {figures.soak.rate:.0f} updates/s "
            f"({figures.soak.updates} updates): RSS {rss[0]:.1f} MB at the start, {rss[-1]:.1f} MB at the end, "
            f"{max(rss):.1f} MB at most (samples every 5 s).",
        ]
    lines.append("")
    return lines


def header() -> list[str]:
    return [
        "# Benchmark results",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"written by `python -m bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "Everything runs on this machine against the stand-in Bot API server on 127.0.0.1; the bots run",
        "in their own processes.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="update benchmark: runs of all bots, back to back")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one reply")
    parser.add_argument("--open-seconds", type=float, default=20.0, help="duration of the open-loop phase")
    parser.add_argument("--soak-seconds", type=float, default=300.0, help="duration of the memory soak")
    parser.add_argument("--memory-users", type=int, default=100_000, help="more users who /start, for RSS")
    parser.add_argument("--quick", action="store_true", help="small numbers everywhere (a smoke run)")
    parser.add_argument("--recipients", type=int, default=100_000, help="broadcast recipients")
    parser.add_argument("--rate", type=float, default=1000.0, help="BROADCAST_RATE for the broadcast benchmark")
    parser.add_argument("--db-users", type=int, default=1_000_000, help="users in the storage benchmark's database")
    parser.add_argument("--db-claims", type=int, default=200_000, help="claims in the storage benchmark's database")
    parser.add_argument(
        "--bots", type=lambda names: [name.strip() for name in names.split(",")], default=None,
        help="update benchmark: only these bots, comma-separated (e.g. 'privacy bot'); the others' figures show as n/a",
    )
    parser.add_argument(
        "--only", choices=["updates", "broadcast", "storage", "instructions"],
        help="run one benchmark (instructions: under valgrind, not part of a full run)",
    )
    parser.add_argument("--instruction-users", type=int, default=100, help="instructions benchmark: users' journeys per bot")
    parser.add_argument(
        "--fast-paths", type=lambda values: [value.strip() for value in values.split(";") if value.strip()], default=["on"],
        help="update benchmark: run the privacy bot once per FAST_PATHS value in each round, ';'-separated "
        "(e.g. 'on;off;routing;http_client'); the first is the one measured further (open loop, soak, memory)",
    )
    parser.add_argument("--output", type=Path, default=PROJECT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.users, args.in_flight, args.open_seconds, args.soak_seconds, args.memory_users = 200, 100, 5, 10, 1000
        args.rounds = 1
        args.recipients, args.db_users, args.db_claims = 5000, 20_000, 4000
    lines = header()
    if args.only in (None, "updates"):
        lines += update_section(asyncio.run(bench_updates(args)), args)
    if args.only in (None, "broadcast"):
        from bench.broadcast import run_broadcast_benchmark

        with tempfile.TemporaryDirectory() as folder:
            lines += asyncio.run(run_broadcast_benchmark(recipients=args.recipients, rate=args.rate, workdir=Path(folder)))
        lines.append("")
    if args.only in (None, "storage"):
        from bench.storage_scale import run_storage_benchmark

        with tempfile.TemporaryDirectory() as folder:
            lines += asyncio.run(run_storage_benchmark(users=args.db_users, claims=args.db_claims, workdir=Path(folder)))
        lines.append("")
    if args.only == "instructions":  # slow (valgrind), so only when asked for
        from bench.instructions import run_instruction_benchmark

        lines += asyncio.run(run_instruction_benchmark(args.instruction_users))
    kept = _kept_part(args.output)
    args.output.write_text("\n".join(lines) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(args.output.read_text(encoding="utf-8"))
    return 0


KEPT_MARKER = "<!-- Everything below this line is kept when `python -m bench` rewrites the file. -->"


def _kept_part(path: Path) -> str:
    """The hand-written part of an existing results file (from KEPT_MARKER on): a new run
    replaces the measurements above it, never the figures code comments refer to."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    at = text.find(KEPT_MARKER)
    return text[at:] if at >= 0 else ""


if __name__ == "__main__":
    sys.exit(main())
