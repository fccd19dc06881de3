"""Filters shared by handlers."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject
from magic_filter import MagicFilter
from aiogram_i18n import I18nContext

from bot.i18n import SUPPORTED_LANGUAGES


class MenuButton(Filter):
    """Matches a main-menu button's text in either language.

    Both languages count: a user who just switched language may still press a button of the
    keyboard drawn before the switch.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, i18n: I18nContext) -> bool:
        if not message.text:
            return False
        return message.text in {i18n.core.get(self.key, lang) for lang in SUPPORTED_LANGUAGES}


class Magic(Filter):
    """A magic filter (`F.text`, `F.chat.id == 42`) checked on the event loop.

    aiogram takes a bare `F` expression for a synchronous callable and runs every check of it in
    a worker thread (asyncio.to_thread): a thread round trip, with its wake-ups and GIL hand-overs,
    for each filter of each update that reaches it, several per update. Wrapped in this async
    filter the same expression is resolved in place. Use it wherever a filter is an `F`
    expression; `CallbackData.filter(F...)` already resolves its rule in place.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


class IsOperator(Filter):
    """Passes an admin-chat update from an operator (bot/operators.py: an administrator of the
    admin chat, narrowed by OPERATOR_IDS), adding `operator` (bot.claim_desk.Operator) for the
    handlers; with `negate`, passes exactly the others (people and anonymous admins alike).

    One instance per bot holds the cached directory, so a router factory creates it once and
    shares it between the gate and the operators' routers.
    """

    def __init__(self, directory: Any, *, negate: bool = False) -> None:
        self.directory = directory  # bot.operators.OperatorDirectory
        self.negate = negate

    def negated(self) -> IsOperator:
        return IsOperator(self.directory, negate=not self.negate)

    async def __call__(self, event: TelegramObject, bot: Any, settings: Any) -> Any:
        from bot.claim_desk import Operator  # a plain dataclass; imported here to keep this module light

        person = getattr(event, "from_user", None)
        is_operator = False
        if person is not None and not person.is_bot:

            async def load() -> list[int]:
                members = await bot.get_chat_administrators(settings.admin_chat_id)
                return [m.user.id for m in members if not m.user.is_bot]

            is_operator = await self.directory.is_operator(person.id, load)
        if self.negate:
            # For the refusal: whether the administrators could be read at all.
            return False if is_operator else {"operators_known": bool(self.directory.known)}
        return {"operator": Operator(person.id, person.full_name)} if is_operator else False
