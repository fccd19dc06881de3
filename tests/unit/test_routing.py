"""handlers.routing.Router picks the same handler, with the same arguments, as aiogram's Router.

Each case builds one router tree twice, once from aiogram's Router under aiogram's Dispatcher and
once from ours under ours (with the `routing` fast path on), feeds both the same update and
compares what the handlers saw. Then: the fast path's self-check, and the fallback when it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram import Router as AiogramRouter
from aiogram.dispatcher.event.bases import UNHANDLED, SkipHandler
from aiogram.filters import Filter
from aiogram.types import Chat, Message, Update

from bot import fast_paths
from bot.fast_paths import routing as fast_routing
from handlers.routing import Dispatcher as BotDispatcher
from handlers.routing import Router as BotRouter

Seen = list[tuple[str, Any]]


@pytest.fixture(autouse=True)
def routing_fast_path_on() -> Any:
    assert fast_paths.activate("routing")["routing"] is True
    yield
    fast_paths.activate()


class Adds(Filter):
    """Passes when the text contains `word`, adding `{key: value}` for what comes after."""

    def __init__(self, word: str, key: str, value: Any) -> None:
        self.word, self.key, self.value = word, key, value

    async def __call__(self, message: Message) -> Any:
        return {self.key: self.value} if self.word in (message.text or "") else False


class Sees(Filter):
    """Passes when the text contains `word`, recording the extra argument it was given."""

    def __init__(self, word: str, seen: Seen, argument: str) -> None:
        self.word, self.seen, self.argument = word, seen, argument

    async def __call__(self, message: Message, **kwargs: Any) -> bool:
        self.seen.append((f"filter saw {self.argument}", kwargs.get(self.argument)))
        return self.word in (message.text or "")


def tree(router_class: type[AiogramRouter], seen: Seen) -> AiogramRouter:
    """parent (root filter adds `scope` for "scoped") → first, second; then a sibling."""
    top = router_class(name="top")
    parent, first, second, sibling = (router_class(name=n) for n in ("parent", "first", "second", "sibling"))
    parent.message.filter(Adds("scoped", "scope", "parent's"))

    def record(name: str) -> Callable[..., Any]:
        async def handler(message: Message, **kwargs: Any) -> str:
            seen.append((name, {k: kwargs.get(k) for k in ("scope", "extra", "later") if k in kwargs}))
            seen.append((f"{name} router", kwargs["event_router"].name))
            seen.append((f"{name} handler is itself", kwargs["handler"].callback is handler))
            if "skip" in (message.text or ""):
                raise SkipHandler
            return name

        return handler

    # first: a handler whose first filter adds data and whose second filter fails on "nope"
    first.message.register(record("first-adds"), Adds("extra", "extra", 1), Sees("", seen, "extra"), Sees("yes", seen, "extra"))
    first.message.register(record("first-plain"), Sees("plain", seen, "extra"))
    second.message.register(record("second"), lambda message: "sync" in (message.text or ""))  # a sync filter
    second.message.register(record("second-any"), Sees("any", seen, "scope"))
    sibling.message.register(record("sibling"), Sees("", seen, "scope"))
    parent.include_routers(first, second)
    top.include_routers(parent, sibling)
    return top


async def feed(router: AiogramRouter, text: str, dispatcher_class: type[Dispatcher] = Dispatcher) -> Any:
    dispatcher = dispatcher_class()
    dispatcher.include_router(router)
    message = Message(message_id=1, date=0, chat=Chat(id=5, type="private"), text=text)
    return await dispatcher.feed_update(Bot("42:secret"), Update(update_id=1, message=message))


@pytest.mark.parametrize("text", [
    "extra yes",           # the first handler, with its filter's data
    "extra nope plain",    # the first handler's data must not reach the next handler
    "scoped extra yes",    # the parent's root data reaches its subtree's handler
    "scoped sync",         # a synchronous filter (aiogram runs it in a thread)
    "scoped any",          # the second router, with the parent's data
    "scoped other",        # nobody in the parent's subtree: the sibling, without the parent's data
    "other",               # the parent's root filter fails: the sibling
    "extra yes skip",      # SkipHandler: on to the next handler that passes
    "extra yes skip plain",  # ... which, as in aiogram, sees the data the skipped handler's filters added
    "scoped any skip",     # every handler skips: unhandled
])
async def test_the_same_handler_with_the_same_arguments_as_aiogram(text: str) -> None:
    theirs: Seen = []
    ours: Seen = []
    expected = await feed(tree(AiogramRouter, theirs), text)
    got = await feed(tree(BotRouter, ours), text, BotDispatcher)
    assert got == expected
    assert ours == theirs
    assert any(name.endswith("router") for name, _ in ours) or got is UNHANDLED


async def test_a_router_under_an_aiogram_router_and_inner_middlewares_behave_as_in_aiogram() -> None:
    for text in ("scoped extra yes", "other"):
        runs: dict[str, Seen] = {}
        for label, outer_class in (("aiogram", AiogramRouter), ("ours", BotRouter)):
            seen: Seen = []
            top = tree(BotRouter, seen)
            wrapper = outer_class(name="wrapper")

            @wrapper.message.middleware()
            async def inner(handler, event, data, seen=seen):  # type: ignore[no-untyped-def]
                seen.append(("inner middleware at", data["event_router"].name))
                return await handler(event, data)

            wrapper.include_router(top)
            runs[label] = seen + [("result", await feed(wrapper, text))]
        assert runs["ours"] == runs["aiogram"]
        assert ("inner middleware at", "sibling" if text == "other" else "first") in runs["ours"]


def test_the_self_check_passes_on_the_installed_aiogram() -> None:
    assert fast_routing.self_check() is None


async def test_when_the_self_check_fails_aiograms_own_routing_runs(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    routed: list[str] = []
    original_route = fast_routing.route

    async def counting_route(*args: Any) -> Any:
        routed.append("fast")
        return await original_route(*args)

    monkeypatch.setattr("handlers.routing.route", counting_route)
    assert await feed(tree(BotRouter, []), "scoped extra yes", BotDispatcher) == "first-adds"
    assert routed  # the fast path ran

    routed.clear()
    monkeypatch.setitem(fast_paths._check_results, "routing", "observers changed")
    with caplog.at_level("WARNING", logger="bot.fast_paths"):
        assert fast_paths.activate("on")["routing"] is False
    assert "routing off (self-check failed: observers changed" in caplog.text
    theirs: Seen = []
    ours: Seen = []
    assert await feed(tree(BotRouter, ours), "scoped extra yes", BotDispatcher) == await feed(tree(AiogramRouter, theirs), "scoped extra yes")
    assert ours == theirs and routed == []  # aiogram's propagate_event, not ours


def test_the_switch_names_paths_and_rejects_unknown_ones() -> None:
    assert fast_paths.parse("off") == frozenset()
    assert fast_paths.parse(None) == fast_paths.parse("on") == frozenset(fast_paths.PATHS)
    assert fast_paths.parse("routing") == {"routing"}
    with pytest.raises(fast_paths.FastPathsSettingError, match="lazy"):
        fast_paths.parse("routing,lazy")


def test_an_unknown_fast_path_in_the_settings_is_named_at_start() -> None:
    from bot.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="FAST_PATHS"):
        load_settings(bot_token="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", admin_chat_id=-100, fast_paths="routing,turbo")
