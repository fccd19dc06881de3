"""Router: aiogram's Router, without the per-event cost of outer middlewares nobody registered.

Why: every update visits a chain of routers (errors, operators, customer, then each capability
in turn until one handles it), and at each of them aiogram wraps the visit in that router's
outer middlewares: a new closure, `functools.wraps` and a partial per router per update, even
where the list of outer middlewares is empty, as it is on every router of this bot (its
middlewares sit on the dispatcher). With ten routers visited that was several per cent of the
bot's CPU per update (bench/RESULTS.md). This Router goes straight to aiogram's own propagation
when there is nothing to wrap, and through aiogram's full path when there is; a router with no
filters and no handlers for the event (a parent like the customers' router) passes it straight
to its sub-routers. Handlers, filters and the order of routers behave exactly as with aiogram's
Router. Use it for every router.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router as AiogramRouter
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject


class Router(AiogramRouter):
    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        observer = self.observers.get(update_type)
        if observer is not None and len(observer.outer_middleware):
            return await super().propagate_event(update_type, event, **kwargs)
        kwargs["event_router"] = self
        if observer is not None and not observer.handlers and not observer._handler.filters:
            # Nothing of this router's own to check or run for this event (a parent such as the
            # customers' router, or one without handlers for it): straight to its sub-routers,
            # in order, as aiogram's _propagate_event would go after finding nothing here.
            for router in self.sub_routers:
                response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
                if response is not UNHANDLED:
                    return response
            return UNHANDLED
        return await self._propagate_event(observer=observer, update_type=update_type, event=event, **kwargs)
