"""bot.event_loop: `python -m bot` and the demo run on uvloop where installed, on asyncio's loop when told."""

from __future__ import annotations

import asyncio

from bot import event_loop


async def running_loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


def test_uvloop_by_default_and_asyncio_when_asked() -> None:
    assert event_loop.available(), "uvloop is a dependency on this platform (pyproject.toml)"
    assert event_loop.run(running_loop_module()).startswith("uvloop")
    assert event_loop.run(running_loop_module(), "asyncio").startswith("asyncio")
