"""`python -m bench`: measure the bot against the local stand-in Bot API and write bench/RESULTS.md.

Each bot runs in its own process (`python -m bot`, and `python -m bench.echo_bot` as the
baseline) so that memory is the bot's own; this process plays the users through the stand-in
on 127.0.0.1 and times every update from being queued for getUpdates to the bot's reply
reaching the server. Every phase is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.stand_in import ApiCall, TelegramStandIn

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


async def start_process(module: str, server: TelegramStandIn, database: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "BOT_TOKEN": server.token,
        "ADMIN_CHAT_ID": str(ADMIN_CHAT_ID),
        "TELEGRAM_API_URL": server.url,
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
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


async def run_users(
    server: TelegramStandIn, watcher: ReplyWatcher, name: str, users: int, in_flight: int, steps: list, timeout: float
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

    began = time.perf_counter()
    await asyncio.gather(*(one_user(FIRST_USER + i) for i in range(users)))
    result.seconds = time.perf_counter() - began
    return result


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

    return [
        (start, 1), (press("Русский"), 2), (press("Принимаю"), 1),
        # File a written claim: type, text, continue (no attachments), confirm.
        (say("/claim"), 1), (press("Письменная претензия"), 1),
        (say("Прошу прекратить рассылку рекламы на мой номер."), 1), (press("Продолжить"), 1), (press("Подтвердить"), 1),
    ]


def echo_steps() -> list:
    def say(text: str):  # type: ignore[no-untyped-def]
        def step(server: TelegramStandIn, user: int) -> None:
            server.user_message(user, text)

        return step

    return [(say(f"message {n}"), 1) for n in range(8)]  # as many updates per user as the bot's journey


async def bench_updates(users: int, in_flight: int, timeout: float) -> tuple[LoadResult, LoadResult, dict[str, float]]:
    memory: dict[str, float] = {}
    results = []
    for name, module, steps in (("echo bot", "bench.echo_bot", echo_steps()), ("privacy bot", "bot", bot_steps())):
        server = TelegramStandIn()
        await server.start()
        for i in range(users):
            server.add_user(FIRST_USER + i, first_name=f"User{i}", language_code="ru")
        server.add_group(ADMIN_CHAT_ID, title="Operators")
        with tempfile.TemporaryDirectory() as folder:
            process = await start_process(module, server, Path(folder) / "bench.sqlite3")
            try:
                await asyncio.sleep(1)
                memory[f"{name} idle"] = rss_mb(process.pid)
                watcher = ReplyWatcher(server)
                cpu_before = cpu_seconds(process.pid)
                result = await run_users(server, watcher, name, users, in_flight, steps, timeout)
                result.cpu_ms_per_update = (cpu_seconds(process.pid) - cpu_before) * 1000 / max(result.updates, 1)
                results.append(result)
                memory[f"{name} after {users} users"] = rss_mb(process.pid)
            finally:
                await stop_process(process)
                await server.stop()
    return results[0], results[1], memory


def write_results(path: Path, echo: LoadResult, ours: LoadResult, memory: dict[str, float], args: argparse.Namespace) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"written by `python -m bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"## Update handling ({args.users} users, at most {args.in_flight} in flight)",
        "",
        "Latency: from the update being queued for getUpdates to the bot's reply reaching the server.",
        "",
        "| bot | updates | updates/s | p50 ms | p99 ms | bot CPU ms/update | timeouts |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in (echo, ours):
        lines.append(
            f"| {result.name} | {result.updates} | {result.rate:.0f} | {result.pct(0.5):.1f} | {result.pct(0.99):.1f} "
            f"| {result.cpu_ms_per_update:.2f} | {result.timeouts} |"
        )
    ratio = ours.rate / echo.rate if echo.rate else float("nan")
    lines += ["", f"Peak throughput ratio (privacy bot / echo bot): **{ratio:.2f}** (target ≥ 0.7).", ""]
    lines += ["## Memory (RSS of the bot process)", "", "| when | MB |", "|---|---|"]
    lines += [f"| {name} | {value:.1f} |" for name, value in memory.items()]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one reply")
    parser.add_argument("--output", type=Path, default=PROJECT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    echo, ours, memory = asyncio.run(bench_updates(args.users, args.in_flight, args.timeout))
    write_results(args.output, echo, ours, memory, args)
    print(args.output.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
