"""The person chooses Kazakh or Russian (/language, or the first question on first contact).
No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.consent import ConsentStatus, consent_status
from bot.i18n import SUPPORTED_LANGUAGES
from storage import consents, users
from storage.db import Database
from storage.users import User


@dataclass(frozen=True)
class LanguageChosen:
    first_choice: bool  # on first contact: the home screen (and the consent notice) follows
    user: User  # as stored, with the new language
    consent: ConsentStatus  # against the current policy version: what the home screen shows


async def choose(db: Database, *, user: User, language: str, current_version: str, now: datetime) -> LanguageChosen:
    """The language and its audit entry in one transaction."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    async with db.transaction() as tx:
        stored = await users.get_customer(tx, user.id)
        first_choice = (stored or user).language is None
        await users.write_language(tx, user.id, language, now)
        status = consent_status(await consents.latest(tx, user.id), current_version)
        chosen = await users.get_customer(tx, user.id)
    return LanguageChosen(first_choice, chosen or replace(user, language=language), status)
