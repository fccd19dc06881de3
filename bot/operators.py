"""Who is an operator: the administrators of the admin chat, narrowed by OPERATOR_IDS if set.

Being in the admin chat is not enough: anyone can be added to a group, and an operator refuses
claims, broadcasts and publishes policies. Telegram's own list of the chat's administrators is
the authority (getChatAdministrators); it is cached for REFRESH and read again sooner when an
unknown person acts (a colleague just promoted should not wait minutes), at most every
MISS_REFRESH, and forgotten when Telegram reports a change of members (chat_member updates).

No aiogram here: the caller passes `load`, which returns the administrators' user ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from bot.clock import Clock

log = logging.getLogger(__name__)

REFRESH = timedelta(minutes=5)
MISS_REFRESH = timedelta(seconds=30)

LoadAdmins = Callable[[], Awaitable[Iterable[int]]]


class OperatorDirectory:
    def __init__(self, clock: Clock, allowed: Iterable[int] = (), *, refresh: timedelta = REFRESH,
                 miss_refresh: timedelta = MISS_REFRESH) -> None:
        self.clock = clock
        self.allowed = frozenset(allowed)  # OPERATOR_IDS; empty: every administrator
        self.refresh = refresh
        self.miss_refresh = miss_refresh
        self._admins: frozenset[int] | None = None
        self._loaded_at: datetime | None = None
        self._lock = asyncio.Lock()

    @property
    def known(self) -> bool:
        """Whether the administrators were ever read (False: Telegram refused to tell, e.g. the
        bot is not in the chat or ADMIN_CHAT_ID is wrong)."""
        return self._admins is not None

    def forget(self) -> None:
        """The chat's members changed: read the administrators again on the next check."""
        self._loaded_at = None

    async def on_members_changed(self, update: object, **_: object) -> None:
        """Handler of the admin chat's chat_member updates: someone was promoted, demoted,
        added or removed, so ask Telegram again."""
        self.forget()

    async def is_operator(self, user_id: int, load: LoadAdmins) -> bool:
        now = self.clock.now()
        if self._stale(user_id, now):
            async with self._lock:
                if self._stale(user_id, now):
                    try:
                        self._admins = frozenset(await load())
                    except Exception as error:  # Telegram unreachable: keep what we knew
                        log.warning("could not read the admin chat's administrators: %s", type(error).__name__)
                        if self._admins is None:
                            return False
                    self._loaded_at = now
        if self.allowed and user_id not in self.allowed:
            return False
        return self._admins is not None and user_id in self._admins

    def _stale(self, user_id: int, now: datetime) -> bool:
        if self._admins is None or self._loaded_at is None:
            return True
        age = now - self._loaded_at
        return age >= self.refresh or (user_id not in self._admins and age >= self.miss_refresh)
