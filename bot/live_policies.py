"""The policy library the running bot serves: one object, replaced in place on publication.

Why a holder and not a value in dispatcher data: aiogram's `start_polling` (and the webhook
handler) copy the dispatcher's data once, at start, and hand that copy to every update. A new
library stored with `dispatcher["policies"] = ...` after start was therefore never seen by the
running bot: customers kept the old text and every button of the update notice looked outdated
until a restart. The holder is what sits in dispatcher data; `PolicyLibraryMiddleware` reads it
per update and hands handlers the library that is current at that moment as `policies`.
"""

from __future__ import annotations

from bot.policy import PolicyLibrary


class LivePolicies:
    """The published policy library; `replace` makes a new one current for the next update."""

    def __init__(self, library: PolicyLibrary) -> None:
        self._library = library

    @property
    def library(self) -> PolicyLibrary:
        return self._library

    def replace(self, library: PolicyLibrary) -> None:
        self._library = library
