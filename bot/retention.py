"""Retention: personal content is kept only as long as it is needed, then redacted or purged.

Law 94-V Art. 5 and Art. 12(1): personal data are stored no longer than their purposes need;
when the purpose is reached they are destroyed. What each purpose needs (settings in
bot/config.py, reasoning in README, "Erasure, blocking and retention"):

- a closed claim's content (texts, attachments, replies): CLAIM_RETENTION_DAYS after closing,
  by default 3 years, the general limitation period (Civil Code of the Republic of Kazakhstan,
  General Part, Art. 178): the time within which the person may take the handling of the claim
  to court and the operator must be able to show what was asked and answered. The evidence
  without content (number, type, dates, status, who handled it) stays.
- messages for the operators, once delivered: OUTBOX_RETENTION_DAYS (a few days, to look into a
  delivery problem); the claim itself keeps the content for as long as it is needed.
- unfinished conversations (drafts in the FSM state): DRAFT_TTL_HOURS, a day by default.
- Telegram names: only while the person has consent in force or a claim open.

The job runs once a day (and at start), each part idempotent: running it twice changes
nothing the second time. Time comes from the injected Clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import erasure
from bot.background import BackgroundLoop
from bot.clock import Clock, Sleep
from bot.config import Settings
from storage import audit, redaction
from storage.db import Database

log = logging.getLogger(__name__)

RUN_EVERY = timedelta(days=1)
CHECK_EVERY_SECONDS = 3600.0  # how often the loop looks at the Clock


@dataclass(frozen=True)
class RetentionReport:
    claims: int = 0          # closed claims whose content was redacted
    outbox: int = 0          # delivered messages whose payload was purged
    drafts: int = 0          # conversation states expired
    names: int = 0           # people whose Telegram names were forgotten


class RetentionJob:
    def __init__(
        self, settings: Settings, db: Database, clock: Clock, *,
        forget_drafts: Callable[[list[str]], None] | None = None, sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.forget_drafts = forget_drafts  # drops deleted FSM rows from the FSM storage's memory
        self.sleep = sleep
        self.last_run: datetime | None = None
        self._background = BackgroundLoop("retention", self._loop)

    async def run_once(self) -> RetentionReport:
        now = self.clock.now()
        settings = self.settings
        await erasure.scrub_freed_content(self.db)
        claims = 0
        # Each claim in its own transaction, with its audit entry: a long backlog does not hold
        # the database for the whole run, and an interrupted run continues where it stopped.
        for claim_id, number, user_id in await redaction.closed_claims_past(
            self.db, now - timedelta(days=settings.claim_retention_days)
        ):
            async with self.db.transaction() as tx:
                redacted = await redaction.redact_claim(tx, claim_id, now)
                if redacted.claims:
                    await audit.record(
                        tx, at=now, actor=audit.SYSTEM, event="claim_content_redacted", subject_user_id=user_id,
                        details={"claim": number, "reason": "retention", **redacted.as_details()},
                    )
                    claims += 1
        async with self.db.transaction() as tx:
            outbox = await redaction.purge_delivered_outbox(
                tx, now - timedelta(days=settings.outbox_retention_days), now
            )
        async with self.db.transaction() as tx:
            drafts = await redaction.delete_stale_drafts(tx, now - timedelta(hours=settings.draft_ttl_hours))
        if drafts and self.forget_drafts is not None:
            self.forget_drafts(drafts)  # no await since the commit: nobody read the stale rows meanwhile
        async with self.db.transaction() as tx:
            forgotten = await redaction.forget_unneeded_names(tx, now)
            for user_id in forgotten:
                await audit.record(
                    tx, at=now, actor=audit.SYSTEM, event="telegram_names_forgotten", subject_user_id=user_id,
                    details={"reason": "retention"},
                )
        self.last_run = now
        report = RetentionReport(claims, outbox, len(drafts), len(forgotten))
        if report != RetentionReport():
            await erasure.flush_old_pages(self.db)  # no old copy of what was removed stays in the log
        log.info("retention: %s", report)  # counts only
        return report

    # ------------------------------------------------------------ lifecycle

    async def on_startup(self) -> None:
        if self.settings.retention_autostart:
            self._background.start()

    async def on_shutdown(self) -> None:
        await self._background.stop()

    def due(self) -> bool:
        return self.last_run is None or self.clock.now() - self.last_run >= RUN_EVERY

    async def _loop(self) -> None:
        while True:
            if self.due():
                try:
                    await self.run_once()
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # keep the loop alive; log without personal data
                    log.error("retention run failed: %s", type(error).__name__)
                    self.last_run = self.clock.now()  # try again tomorrow, not in a tight loop
            await self.sleep(CHECK_EVERY_SECONDS)
