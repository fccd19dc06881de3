"""The event loop the bot runs on: uvloop where it is installed, else asyncio's own.

uvloop is what aiogram's own `fast` extra installs: the same asyncio API on libuv, with
cheaper scheduling and socket I/O; in the update benchmark it lowered the bot's
CPU per update. The bot uses nothing that differs between the two, and
`EVENT_LOOP=asyncio` switches it off (for a platform without uvloop nothing needs switching:
it falls back by itself).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")
LoopKind = Literal["uvloop", "asyncio"]


def available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def run(main: Coroutine[Any, Any, T], kind: LoopKind = "uvloop") -> T:
    """Run `main` to completion on a new loop of `kind` (asyncio's if uvloop is not installed)."""
    if kind == "uvloop" and available():
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)
