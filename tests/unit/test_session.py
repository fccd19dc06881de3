"""BotSession keeps the Response[...] models it checks answers with, so none is rebuilt."""

from __future__ import annotations

import gc
import json
import weakref

from aiogram.methods import GetMyShortDescription
from aiogram.methods.base import Response
from aiogram.types import BotShortDescription, UserChatBoosts

from bot.session import BotSession


def test_pydantic_forgets_an_unused_response_model_but_the_session_keeps_its_own() -> None:
    # Without a holder, pydantic's weak cache lets the model go: the next call would rebuild it.
    forgotten = weakref.ref(Response[UserChatBoosts])
    gc.collect()
    assert forgotten() is None, "pydantic now keeps parametrised models itself: BotSession's cache is redundant"

    session = BotSession()
    answer = session.check_response(
        None,  # type: ignore[arg-type]
        GetMyShortDescription(),
        200,
        json.dumps({"ok": True, "result": {"short_description": "Дербес деректер"}}),
    )
    assert isinstance(answer.result, BotShortDescription)
    kept = weakref.ref(Response[BotShortDescription])
    gc.collect()
    assert kept() is not None and kept() is BotSession.response_models[BotShortDescription]


def test_prepare_builds_what_a_customer_update_needs() -> None:
    BotSession.prepare()
    for returning, model in BotSession.response_models.items():
        assert model.__pydantic_complete__, returning
