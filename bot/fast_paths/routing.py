"""Fast path `routing`: an event walks the router tree with one context dict, not aiogram's copies.

Why: every update visits a chain of routers (errors, operators, customer, then each capability
in turn until one handles it), and a message in the middle of a claim is checked against some
twenty handlers before the one that takes it. aiogram passes the handler context (~30 entries:
settings, db, state, i18n, ...) as `**kwargs` at each step: into each router, its root filters,
its handler loop, each handler's check and each filter's call, so the dict is rebuilt several
times per handler checked, and each router visit is wrapped in its outer middlewares (a new
closure, `functools.wraps` and a partial) even where there are none (bench/RESULTS.md has what
it buys). `route` walks the same tree in the same order with one dict, copying it only where
aiogram's copies would differ: where a router's root filter adds data (for that router's
subtree) and where a filter adds data (for that handler, and, as in aiogram, for the handlers
after it in the same router if the handler raises SkipHandler).

What it reads that aiogram does not promise: each observer's private `_handler` (the holder of
the router's root filters, `observer.filter(...)`). `self_check` checks it is there and that a
small tree (root filter adding data, filters adding data, SkipHandler, an inner middleware, a
sub-router) gives exactly aiogram's results; otherwise the path stays off and aiogram's own
`Router.propagate_event` runs.

Where it cannot be sure it hands over to aiogram: a router with outer middlewares for the event,
or any inner middleware on the way to a handler, goes through aiogram's own path; a synchronous
filter is called through aiogram's FilterObject (which runs it in a thread).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from aiogram import Router as AiogramRouter
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.types import TelegramObject

# A router class sets this to True to be routed by `route` (handlers.routing.Router does).
MARKER = "copy_free_routing"


def root_filters(observer: TelegramEventObserver) -> list[FilterObject] | None:
    """The router's own filters for this event (`router.message.filter(...)`): private in aiogram."""
    return observer._handler.filters  # noqa: SLF001 - the one private read of this path


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


async def route(router: AiogramRouter, update_type: str, event: TelegramObject, context: dict[str, Any]) -> Any:
    """Find and run the handler of `router`'s subtree for the event; UNHANDLED if none takes it.
    `context` is this router's to change (aiogram's `event_router`, `handler`)."""
    observer = router.observers.get(update_type)
    if observer is not None and len(observer.outer_middleware):
        return await AiogramRouter.propagate_event(router, update_type, event, **context)
    context["event_router"] = router
    if observer is not None:
        passed, added = await passes(root_filters(observer), event, context)
        if not passed:
            return UNHANDLED
        if added:
            context = {**context, **added}  # for this subtree only, not for the routers after it
        if observer.handlers:
            response = await trigger(router, observer, event, context)
            if response is REJECTED:
                return UNHANDLED
            if response is not UNHANDLED:
                return response
    for sub_router in router.sub_routers:
        if getattr(sub_router, MARKER, False):
            response = await route(sub_router, update_type, event, context)
        else:
            response = await sub_router.propagate_event(update_type=update_type, event=event, **context)
        if response is not UNHANDLED:
            return response
    return UNHANDLED


async def trigger(router: AiogramRouter, observer: TelegramEventObserver, event: TelegramObject, context: dict[str, Any]) -> Any:
    """aiogram's TelegramEventObserver.trigger: the first handler whose filters pass."""
    if has_inner_middlewares(router, observer.event_name):
        return await observer.trigger(event, **context)  # aiogram's own path, which runs them
    for handler in observer.handlers:
        context["handler"] = handler
        passed, added = await passes(handler.filters, event, context)
        if not passed:
            continue
        if added:
            # aiogram adds a passing handler's filter data to the handler loop's own kwargs, so
            # after a SkipHandler the later handlers of this router see it too; the routers
            # after this one do not (they get the caller's dict).
            context = {**context, **added}
        try:
            return await handler.call(event, **context)
        except SkipHandler:
            continue
    return UNHANDLED


# --- self-check ---------------------------------------------------------------------------------

class _Event:
    """A stand-in event for the check: filters and handlers only read `.text`."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Checked(AiogramRouter):
    copy_free_routing = True

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        return await route(self, update_type, event, kwargs)


def _run_now(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never waits (no I/O, no thread) to its end, without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError("the routing check waited for something")


def _sample_tree(router_class: type[AiogramRouter], seen: list[Any]) -> AiogramRouter:
    top, parent, child, sibling, guarded = (router_class(name=n) for n in ("top", "parent", "child", "sibling", "guarded"))

    async def adds_scope(event: Any) -> Any:
        return {"scope": "parent"} if "scoped" in event.text else False

    async def adds_extra(event: Any) -> Any:
        return {"extra": 1} if "extra" in event.text else False

    async def sees(event: Any, **kwargs: Any) -> bool:
        seen.append(("filter", sorted(k for k in ("scope", "extra", "tag") if k in kwargs)))
        return "pass" in event.text

    def handler(name: str) -> Any:
        async def handle(event: Any, **kwargs: Any) -> str:
            seen.append((name, sorted((k, kwargs[k]) for k in ("scope", "extra", "tag") if k in kwargs)))
            seen.append((name, kwargs["event_router"].name, kwargs["handler"].callback is handle))
            if "skip" in event.text and name != "sibling":
                raise SkipHandler
            return name

        return handle

    async def tagging(handler_: Any, event: Any, data: dict[str, Any]) -> Any:
        data["tag"] = "inner"
        return await handler_(event, data)

    parent.message.filter(adds_scope)
    parent.message.register(handler("parent: extra"), adds_extra)
    parent.message.register(handler("parent: sees"), sees)
    child.message.register(handler("child"), sees)
    guarded.message.middleware(tagging)
    guarded.message.register(handler("guarded"), adds_extra)
    sibling.message.register(handler("sibling"))
    parent.include_router(child)
    top.include_routers(parent, guarded, sibling)
    return top


def self_check() -> str | None:
    """None if the private parts are there and a sample tree routes exactly as in aiogram."""
    probe = AiogramRouter()
    holder = getattr(probe.message, "_handler", None)
    if holder is None or not hasattr(holder, "filters"):
        return "aiogram's observers no longer keep their root filters in `_handler.filters`"
    for text in ("scoped extra pass", "scoped pass skip", "scoped extra skip", "pass", "extra", "nothing", "scoped nothing"):
        results = []
        for router_class in (AiogramRouter, _Checked):
            seen: list[Any] = []
            tree = _sample_tree(router_class, seen)
            outcome = _run_now(tree.propagate_event("message", _Event(text), bot=None))  # type: ignore[arg-type]
            results.append((outcome, seen))
        if results[0] != results[1]:
            return f"a sample update ({text!r}) routed differently from aiogram's Router"
    return None
