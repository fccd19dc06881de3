"""CallbackData factories and keyboard builders.

Every inline button's data is built and parsed by a CallbackData class, so a forged or stale
button fails validation and lands in the "out of date" handler instead of a handler that would
trust it. Telegram limits callback data to 64 bytes: keep prefixes and fields short.
"""

from __future__ import annotations

import enum
from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.i18n import SUPPORTED_LANGUAGES


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class PolicyAction(enum.StrEnum):
    TOC = "t"
    SECTION = "s"
    FILE = "f"


class PolicyCb(CallbackData, prefix="pol"):
    action: PolicyAction
    version: str
    lang: str
    section: int = 0
    page: int = 0
    fresh: bool = False  # open in a new message: the pressed one (a notice) must stay as it is


class ConsentAction(enum.StrEnum):
    SHOW = "n"
    ACCEPT = "a"
    DECLINE = "d"
    WITHDRAW = "w"
    WITHDRAW_CONFIRM = "wy"
    WITHDRAW_KEEP = "wn"


class ConsentCb(CallbackData, prefix="cns"):
    action: ConsentAction
    version: str


class AdsCb(CallbackData, prefix="ads"):
    opt_in: bool
    from_ad: bool = False  # pressed under an advertising copy, not in the /ads view


class MyDataAction(enum.StrEnum):
    EXPORT = "x"
    NAME = "n"
    PHONE = "p"
    EMAIL = "e"
    DELETE_VALUE = "del"
    CANCEL = "c"


class MyDataCb(CallbackData, prefix="me"):
    action: MyDataAction


MENU_KEYS = ("menu-policy", "menu-consent", "menu-ads", "menu-mydata", "menu-claim", "menu-language")


@lru_cache(maxsize=256)
def inline_markup(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (text, packed callback data), built once per content.

    Keyboards that are the same for every user of a language are sent with most answers;
    aiogram's builders deep-copy their rows on every build, which showed up in profiles.
    """
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data) for text, data in row] for row in rows]
    )


def main_menu(i18n: I18nContext) -> ReplyKeyboardMarkup:
    # Sent with most answers: built once per language (a keyboard builder deep-copies its rows).
    return _main_menu(tuple(i18n.get(key) for key in MENU_KEYS))


@lru_cache(maxsize=8)
def _main_menu(labels: tuple[str, ...]) -> ReplyKeyboardMarkup:
    rows = [list(labels[i : i + 2]) for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label) for label in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
    )


def language_keyboard(i18n: I18nContext, suggested: str | None) -> InlineKeyboardMarkup:
    return inline_markup((tuple(
        (("✓ " if code == suggested else "") + i18n.get(f"lang-name-{code}"), LanguageCb(code=code).pack())
        for code in SUPPORTED_LANGUAGES
    ),))


def cancel_keyboard(i18n: I18nContext, *, with_delete: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if with_delete:
        builder.button(text=i18n.get("mydata-delete-value-button"), callback_data=MyDataCb(action=MyDataAction.DELETE_VALUE))
    builder.button(text=i18n.get("cancel-button"), callback_data=MyDataCb(action=MyDataAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def share_phone_keyboard(i18n: I18nContext) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=i18n.get("mydata-share-phone-button"), request_contact=True)],
            [KeyboardButton(text=i18n.get("cancel-button"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


# --- claims and data-subject requests -----------------------------------------------------------


class ClaimTypeCb(CallbackData, prefix="clt"):
    type: str  # claim, access, change, block, destroy


class ClaimFlowAction(enum.StrEnum):
    CONTINUE = "n"
    CONFIRM = "y"
    CANCEL = "c"


class ClaimFlowCb(CallbackData, prefix="clf"):
    action: ClaimFlowAction


class FollowUpCb(CallbackData, prefix="clu"):
    claim_id: int


class ClaimOpAction(enum.StrEnum):
    TAKE = "t"
    CLOSE = "c"
    REOPEN = "r"
    HISTORY = "h"


class ClaimOpCb(CallbackData, prefix="clo"):
    action: ClaimOpAction
    claim_id: int


CLAIM_TYPES = ("claim", "access", "change", "block", "destroy")


def claim_types_keyboard(i18n: I18nContext, types: tuple[str, ...] = CLAIM_TYPES) -> InlineKeyboardMarkup:
    rows = [((i18n.get(f"claim-type-button-{t}"), ClaimTypeCb(type=t).pack()),) for t in types]
    rows.append(((i18n.get("cancel-button"), ClaimFlowCb(action=ClaimFlowAction.CANCEL).pack()),))
    return inline_markup(tuple(rows))


def claim_flow_keyboard(i18n: I18nContext, *actions: ClaimFlowAction) -> InlineKeyboardMarkup:
    labels = {ClaimFlowAction.CONTINUE: "claim-continue-button", ClaimFlowAction.CONFIRM: "claim-confirm-button",
              ClaimFlowAction.CANCEL: "cancel-button"}
    return inline_markup(tuple(((i18n.get(labels[a]), ClaimFlowCb(action=a).pack()),) for a in actions))


def claim_card_markup(t: object, claim_id: int, claim_type: str | None = None) -> InlineKeyboardMarkup:
    """Buttons on an operators' card; `t(key)` translates in OPERATOR_LANGUAGE."""
    translate = t  # a callable(key, **args) -> str
    builder = InlineKeyboardBuilder()
    for action, key in ((ClaimOpAction.TAKE, "op-take-button"), (ClaimOpAction.CLOSE, "op-close-button"),
                        (ClaimOpAction.REOPEN, "op-reopen-button"), (ClaimOpAction.HISTORY, "op-history-button")):
        builder.button(text=translate(key), callback_data=ClaimOpCb(action=action, claim_id=claim_id))  # type: ignore[operator]
    builder.adjust(3, 1)
    builder.attach(InlineKeyboardBuilder(erasure_buttons(translate, claim_id, claim_type)))  # block / destroy requests
    return builder.as_markup()


class ErasureAction(enum.StrEnum):
    ASK_DESTROY = "d"      # show the confirmation
    DESTROY = "dy"         # carry it out
    ASK_BLOCK = "b"
    BLOCK = "by"
    ASK_UNBLOCK = "u"
    UNBLOCK = "uy"
    CANCEL = "n"


class ErasureCb(CallbackData, prefix="era"):
    action: ErasureAction
    claim_id: int


def erasure_buttons(t: object, claim_id: int, claim_type: str | None) -> list[list[InlineKeyboardButton]]:
    """The row carrying out a block or destroy request, for its card (empty for other types)."""
    translate = t  # a callable(key, **args) -> str
    actions = {"destroy": ((ErasureAction.ASK_DESTROY, "erasure-op-destroy-button"),),
               "block": ((ErasureAction.ASK_BLOCK, "erasure-op-block-button"),
                         (ErasureAction.ASK_UNBLOCK, "erasure-op-unblock-button"))}.get(claim_type or "", ())
    if not actions:
        return []
    return [[InlineKeyboardButton(text=translate(key), callback_data=ErasureCb(action=action, claim_id=claim_id).pack())  # type: ignore[operator]
             for action, key in actions]]


def erasure_confirm_markup(t: object, claim_id: int, action: ErasureAction) -> InlineKeyboardMarkup:
    translate = t  # a callable(key, **args) -> str
    keys = {ErasureAction.DESTROY: "erasure-op-destroy-confirm-button", ErasureAction.BLOCK: "erasure-op-block-confirm-button",
            ErasureAction.UNBLOCK: "erasure-op-unblock-confirm-button"}
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=translate(keys[action]), callback_data=ErasureCb(action=action, claim_id=claim_id).pack()),  # type: ignore[operator]
        InlineKeyboardButton(text=translate("erasure-op-cancel-button"), callback_data=ErasureCb(action=ErasureAction.CANCEL, claim_id=claim_id).pack()),  # type: ignore[operator]
    ]])

# --- broadcasts and policy publishing (admin chat) -----------------------------------------

class BroadcastAction(enum.StrEnum):
    AUDIENCE = "a"   # choose the audience of a draft
    CONFIRM = "y"    # start sending
    DISCARD = "n"    # drop the draft
    CANCEL = "c"     # stop a running broadcast


class BroadcastCb(CallbackData, prefix="bc"):
    action: BroadcastAction
    id: int
    audience: str = ""


class PublishAction(enum.StrEnum):
    REVIEW = "r"     # show the diff of a version waiting for publication
    CONFIRM = "y"
    DISCARD = "n"


class PublishCb(CallbackData, prefix="pp"):
    action: PublishAction
    version: str
