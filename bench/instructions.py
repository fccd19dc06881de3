"""`python -m bench --only instructions`: the bots' work per update, counted in instructions.

Why: the update benchmark reads throughput on a shared two-core virtual machine, where the bare
echo bot's own rate moved by ±15 % from one round to the next and the CPU time per update of the
same code by as much (bench/RESULTS.md): a change worth a few per cent cannot be seen there. The
instructions a process executes for the same updates barely move whatever else the machine does
(valgrind's callgrind counts them; seen here: two runs of the same code 0.2 % apart), so they show
whether a change made the bot do less. They leave out the kernel's work for the process (sockets,
files) and waits for memory, so they stand in for the throughput ratio; they do not replace it.

How: each bot runs under `valgrind --tool=callgrind` (some 50 times slower) against the stand-in;
once it polls, its counters are zeroed (`callgrind_control -z`), `users` users make the same
journeys as in the update benchmark (at most 50 at once, so that no reply waits past the
timeout), the counters are dumped (`callgrind_control -d`) and the dump's total is divided by the
updates handled. Bots run one after another or, with `parallel`, two at a time (counts do not
depend on it). Needs valgrind (Debian: `apt-get install valgrind`).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.__main__ import (
    PROJECT, ReplyWatcher, bot_env, bot_steps, echo_steps, run_users, same_call_steps, start_stand_in,
)

START_TIMEOUT = 900.0  # seconds for a bot to start under callgrind (imports run ~50 times slower)
IN_FLIGHT = 50


@dataclass
class Count:
    name: str
    updates: int
    instructions: int
    timeouts: int

    @property
    def per_update(self) -> float:
        return self.instructions / self.updates if self.updates else float("nan")


async def _control(option: str, pid: int) -> None:
    process = await asyncio.create_subprocess_exec(
        "callgrind_control", option, str(pid), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await process.wait()


async def count_bot(name: str, module: str, steps: list, users: int, extra_env: dict[str, str]) -> Count:  # type: ignore[type-arg]
    server = await start_stand_in(users)
    try:
        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / "callgrind.out"
            process = await asyncio.create_subprocess_exec(
                "valgrind", "--tool=callgrind", f"--callgrind-out-file={dump}", sys.executable, "-m", module,
                cwd=PROJECT, env=bot_env(server, Path(folder) / "bench.sqlite3", **extra_env),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                await server.wait_for_call("getUpdates", since=0, timeout=START_TIMEOUT)
                await asyncio.sleep(5)  # start-up work that follows the first poll (the scheduler's first pass)
                await _control("-z", process.pid)
                result = await run_users(server, ReplyWatcher(server), name, users, IN_FLIGHT, steps, timeout=600)
                await _control("-d", process.pid)
            finally:
                if process.returncode is None:
                    process.terminate()
                await process.wait()
            totals = []
            for part in sorted(Path(folder).glob("callgrind.out.*")):  # the dump after zeroing: callgrind.out.1
                found = re.search(r"^totals: (\d+)", part.read_text(errors="replace"), re.MULTILINE)
                if found:
                    totals.append(int(found.group(1)))
            if not totals:
                raise RuntimeError(f"{name}: callgrind wrote no dump after the journeys")
            return Count(name, result.updates, totals[0], result.timeouts)
    finally:
        await server.stop()


async def run_instruction_benchmark(users: int, *, parallel: bool = True) -> list[str]:
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            return ["## Instructions per update", "", f"Not measured: `{tool}` is not installed (Debian: valgrind).", ""]
    bots = [
        ("echo bot", "bench.echo_bot", echo_steps(), {}),
        ("echo bot, same calls", "bench.echo_bot", same_call_steps(), {"ECHO_SAME_CALLS": "1"}),
        ("privacy bot", "bot", bot_steps(), {}),
    ]
    began = time.perf_counter()
    gate = asyncio.Semaphore(2 if parallel else 1)

    async def one(bot: tuple) -> Count:  # type: ignore[type-arg]
        async with gate:
            return await count_bot(*bot[:3], users, bot[3])

    counts = await asyncio.gather(*(one(bot) for bot in bots))
    echo, same_calls, ours = counts
    lines = [
        f"## Instructions per update ({users} users' journeys, callgrind)",
        "",
        "| bot | updates | instructions per update (millions) | timeouts |",
        "|---|---|---|---|",
        *(f"| {c.name} | {c.updates} | {c.per_update / 1e6:.2f} | {c.timeouts} |" for c in counts),
        "",
        f"Echo bot / privacy bot, instructions per update: **{echo.per_update / ours.per_update:.2f}** "
        f"(the throughput ratio's noise-free stand-in; target of the ratio ≥ 0.8); "
        f"echo bot with the same calls / privacy bot: {same_calls.per_update / ours.per_update:.2f}. "
        f"Measured in {time.perf_counter() - began:.0f} s.",
        "",
    ]
    return lines
