"""Router: aiogram's Router, routing an event through the tree without copying its context.

Why: every update visits a chain of routers (errors, operators, customer, then each capability
in turn until one handles it), and a message in the middle of a claim is checked against some
twenty handlers before the one that takes it. aiogram passes the handler context (~30 entries:
settings, db, state, i18n, ...) as `**kwargs` at each step: into each router, its root filters,
its handler loop, each handler's check and each filter's call, so the dict is rebuilt several
times per handler checked, and each router visit is wrapped in its outer middlewares (a new
closure, `functools.wraps` and a partial) even where there are none. That was about a fifth of
the bot's CPU per update (bench/RESULTS.md). This Router walks the same tree in the same order
with one dict, copying it only where aiogram's copies would differ: where a router's root filter
adds data (for that router's subtree) and where a filter adds data (for that handler).

Same behaviour as aiogram's Router, which it falls back to where it cannot be sure: a router
with outer middlewares for the event, or any inner middleware on the way to a handler, goes
through aiogram's own path; a synchronous filter is called through aiogram's FilterObject (which
runs it in a thread). Filters see the same arguments, a filter's data reaches the later filters
of its handler and, if the handler is chosen, the handler; SkipHandler moves on to the next
handler. Use it for every router, and Dispatcher below for the dispatcher (a test checks).
"""

from __future__ import annotations

from typing import Any

from aiogram import Dispatcher as AiogramDispatcher
from aiogram import Router as AiogramRouter
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.types import TelegramObject


async def passes(filters: list[FilterObject] | None, event: TelegramObject, context: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """Whether every filter passes, and the data they add (None if none): aiogram's
    HandlerObject.check without copying `context` for each filter."""
    added: dict[str, Any] | None = None
    for event_filter in filters or ():
        scope = context if added is None else {**context, **added}
        if event_filter.awaitable:
            arguments = scope if event_filter.varkw else {k: scope[k] for k in event_filter.params if k in scope}
            check = await event_filter.callback(event, **arguments)
        else:
            check = await event_filter.call(event, **scope)
        if not check:
            return False, None
        if isinstance(check, dict):
            added = {**added, **check} if added else dict(check)
    return True, added


def has_inner_middlewares(router: AiogramRouter | None, event_name: str) -> bool:
    """Whether a handler of `router` for the event would run inside inner middlewares (its own
    or a parent's): what aiogram's observer collects into a list for every event."""
    while router is not None:
        observer = router.observers.get(event_name)
        if observer is not None and len(observer.middleware):
            return True
        router = router.parent_router
    return False


class Router(AiogramRouter):
    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        # Entered with aiogram's **kwargs once (from the dispatcher); from here on one dict.
        return await self.route(update_type, event, kwargs)

    async def route(self, update_type: str, event: TelegramObject, context: dict[str, Any]) -> Any:
        """Find and run this subtree's handler for the event; UNHANDLED if none takes it.
        `context` is this router's to change (aiogram's `event_router`, `handler`)."""
        observer = self.observers.get(update_type)
        if observer is not None and len(observer.outer_middleware):
            return await super().propagate_event(update_type, event, **context)
        context["event_router"] = self
        if observer is not None:
            passed, added = await passes(observer._handler.filters, event, context)
            if not passed:
                return UNHANDLED
            if added:
                context = {**context, **added}  # for this subtree only, not for the routers after it
            if observer.handlers:
                response = await self.trigger(observer, event, context)
                if response is REJECTED:
                    return UNHANDLED
                if response is not UNHANDLED:
                    return response
        for router in self.sub_routers:
            if isinstance(router, Router):
                response = await router.route(update_type, event, context)
            else:
                response = await router.propagate_event(update_type=update_type, event=event, **context)
            if response is not UNHANDLED:
                return response
        return UNHANDLED

    async def trigger(self, observer: TelegramEventObserver, event: TelegramObject, context: dict[str, Any]) -> Any:
        """aiogram's TelegramEventObserver.trigger: the first handler whose filters pass."""
        if has_inner_middlewares(self, observer.event_name):
            return await observer.trigger(event, **context)  # aiogram's own path, which runs them
        for handler in observer.handlers:
            context["handler"] = handler
            passed, added = await passes(handler.filters, event, context)
            if not passed:
                continue
            try:
                return await handler.call(event, **({**context, **added} if added else context))
            except SkipHandler:
                continue
        return UNHANDLED


class Dispatcher(AiogramDispatcher, Router):
    """aiogram's Dispatcher, routing each update's event to its routers as Router above does."""
