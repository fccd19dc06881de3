"""After an event whose notice went into the outbox (in the event's own transaction), deliver it
now rather than at the scheduler's next round. Shared by handler modules; not a handler."""

from __future__ import annotations

import logging

from bot.scheduler import Scheduler

log = logging.getLogger("handlers.outbox")


async def kick(scheduler: Scheduler | None) -> None:
    """Deliver the outbox now; a failure here is retried by the scheduler, the user is unaffected."""
    if scheduler is None:
        return
    try:
        await scheduler.kick()
    except Exception as error:
        log.warning("outbox delivery after an event failed: %s", type(error).__name__)
