"""Bind a validated Bot API object to its Bot in one step instead of pydantic's generic three.

Why: every aiogram type (Message, User, Chat, each keyboard button...) carries the Bot it came
from, a pydantic private attribute `_bot` set in `BotContextController.model_post_init`. Because
the class has a private attribute, pydantic wraps that method once per level of inheritance with
its generic `init_private_attributes` (a loop over the attributes and their defaults in Python),
and then sets `_bot` through `BaseModel.__setattr__`. For a Message with a keyboard that is most
of the time of validating the answer to a sendMessage: 57 µs, 36 µs with the binding below
(bench/RESULTS.md has what it does to the update figures). An update is validated once and its
answers two or three times, so this is on the hot path of every update.

What it does: for each aiogram class whose `model_post_init` is exactly pydantic's wrapping of
aiogram's own (and whose only private attribute is `_bot`), it installs `bind_bot`, which stores
the same dictionary those steps store. Classes that define their own `model_post_init`, or have
other private attributes, are left as they are; if aiogram's method is not the one this was
written against, nothing is changed at all. Either way the objects behave the same; a unit test
holds that.
"""

from __future__ import annotations

import inspect
from typing import Any

from aiogram.client.context_controller import BotContextController
from pydantic import BaseModel

_PYDANTIC_WRAPPER_FILE = "_model_construction.py"
_EXPECTED_SOURCE = 'self._bot = __context.get("bot") if __context else None'


def bind_bot(self: BaseModel, context: Any, /) -> None:
    """What init_private_attributes + BotContextController.model_post_init leave behind."""
    bot = context.get("bot") if context else None
    try:
        private = object.__getattribute__(self, "__pydantic_private__")
    except AttributeError:
        private = None
    if private is None:
        object.__setattr__(self, "__pydantic_private__", {"_bot": bot})
    else:
        private["_bot"] = bot


def _aiogram_original() -> Any:
    original = inspect.unwrap(BotContextController.model_post_init)
    try:
        source = inspect.getsource(original)
    except (OSError, TypeError):
        return None
    return original if _EXPECTED_SOURCE in source else None


def _only_wraps(method: Any, original: Any) -> bool:
    """True if `method` is `original` under nothing but pydantic's own private-attribute wrappers."""
    while method is not original:
        code = getattr(method, "__code__", None)
        if code is None or not code.co_filename.endswith(_PYDANTIC_WRAPPER_FILE) or not hasattr(method, "__wrapped__"):
            return False
        method = method.__wrapped__
    return True


def _classes() -> list[type[BaseModel]]:
    seen: dict[type[BaseModel], None] = {}  # in discovery order, each class once
    pending = [BotContextController]
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen[cls] = None
            pending.extend(cls.__subclasses__())
    return list(seen)


def install() -> int:
    """Install `bind_bot` on every eligible aiogram class defined so far; returns how many."""
    original = _aiogram_original()
    if original is None:
        return 0
    count = 0
    for cls in _classes():
        if not cls.__module__.startswith("aiogram.") or set(cls.__private_attributes__) != {"_bot"}:
            continue
        if "model_post_init" in cls.__dict__ and cls.__dict__["model_post_init"] is bind_bot:
            continue
        if _only_wraps(cls.model_post_init, original):
            cls.model_post_init = bind_bot  # type: ignore[method-assign,assignment]
            count += 1
    return count


def installed_on(cls: type[BaseModel]) -> bool:
    return cls.__dict__.get("model_post_init") is bind_bot


def self_check() -> str | None:
    return None if _aiogram_original() is not None else "aiogram's model_post_init changed"
