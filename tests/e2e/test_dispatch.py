"""How the dispatcher runs the bot's filters and handlers.

aiogram runs any synchronous filter or handler (a bare `F` expression counts as one) in a worker
thread, once per update that reaches it. Under load those thread round trips cost more CPU than
the checks themselves, so every filter and handler of this bot must run on the event loop
(`handlers.filters.Magic` wraps an `F` expression for that).
"""

from __future__ import annotations

import threading

from aiogram import F, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import StateFilter

from handlers.customer.claims import ClaimFlow
from handlers.filters import Magic
from handlers.routing import Router as BotRouter
from tests.e2e.conftest import Harness


def _off_loop(dispatcher_router: Router) -> list[str]:
    found = []
    for router in dispatcher_router.chain_tail:
        for event, observer in router.observers.items():
            for filter_ in observer._handler.filters or []:
                if not filter_.awaitable:
                    found.append(f"router {router.name!r}, {event} filter {filter_.callback!r}")
            for handler in observer.handlers:
                name = getattr(handler.callback, "__qualname__", repr(handler.callback))
                if not handler.awaitable:
                    found.append(f"router {router.name!r}, {event} handler {name}")
                found += [
                    f"router {router.name!r}, {event} handler {name}: filter {f.callback!r}"
                    for f in handler.filters or []
                    if not f.awaitable
                ]
    return found


async def test_every_filter_and_handler_runs_on_the_event_loop(harness: Harness) -> None:
    assert _off_loop(harness.app.dispatcher) == []


async def test_the_check_finds_bare_magic_filters_and_states() -> None:
    router = Router(name="probe")

    @router.message(F.text)
    async def on_text() -> None: ...

    @router.message(ClaimFlow.text)  # a State used as a filter is a synchronous callable too
    async def on_claim_text() -> None: ...

    @router.message(Magic(F.text), StateFilter(ClaimFlow.text))
    async def on_either() -> None: ...

    found = _off_loop(router)
    assert len(found) == 2
    assert "on_text: filter" in found[0] and "on_claim_text: filter <State 'ClaimFlow:text'>" in found[1]


async def test_magic_resolves_in_place_on_the_loop_thread() -> None:
    seen: list[int] = []
    wrapped = FilterObject(Magic(F.func(lambda event: seen.append(threading.get_ident()) or event == "yes")))
    assert await wrapped.call("yes") is True
    assert await wrapped.call("no") is False
    assert seen == [threading.get_ident()] * 2


async def test_every_router_is_the_bots_router(harness: Harness) -> None:
    """handlers.routing.Router routes without copying the handler context at every step; aiogram's own Router would."""
    others = [r.name for r in harness.app.dispatcher.chain_tail if not isinstance(r, BotRouter)]
    assert others == []


async def test_an_outer_middleware_on_the_bots_router_still_runs() -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.types import Chat, Message, Update

    seen: list[str] = []
    parent, child = BotRouter(name="parent"), BotRouter(name="child")

    @child.message.outer_middleware()
    async def outer(handler, event, data):  # type: ignore[no-untyped-def]
        seen.append(f"outer at {data['event_router'].name}")
        return await handler(event, data)

    @child.message(Magic(F.text == "hi"))
    async def on_hi(message: Message) -> str:
        seen.append("handler")
        return "handled"

    parent.include_router(child)
    dispatcher = Dispatcher()
    dispatcher.include_router(parent)
    message = Message(message_id=1, date=0, chat=Chat(id=5, type="private"), text="hi")
    result = await dispatcher.feed_update(Bot("42:secret"), Update(update_id=1, message=message))
    assert result == "handled" and seen == ["outer at child", "handler"]
