"""CallbackData factories and keyboard builders.

Every inline button's data is built and parsed by a CallbackData class, so a forged or stale
button fails validation and lands in the "out of date" handler instead of a handler that would
trust it. Telegram limits callback data to 64 bytes: keep prefixes and fields short.
"""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder, ReplyKeyboardBuilder
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


def main_menu(i18n: I18nContext) -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    for key in MENU_KEYS:
        builder.button(text=i18n.get(key))
    builder.adjust(2, 2, 2)
    return builder.as_markup(resize_keyboard=True, is_persistent=True)


def language_keyboard(i18n: I18nContext, suggested: str | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in SUPPORTED_LANGUAGES:
        label = i18n.get(f"lang-name-{code}")
        builder.button(text=("✓ " if code == suggested else "") + label, callback_data=LanguageCb(code=code))
    builder.adjust(2)
    return builder.as_markup()


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
    builder = InlineKeyboardBuilder()
    for claim_type in types:
        builder.button(text=i18n.get(f"claim-type-button-{claim_type}"), callback_data=ClaimTypeCb(type=claim_type))
    builder.button(text=i18n.get("cancel-button"), callback_data=ClaimFlowCb(action=ClaimFlowAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def claim_flow_keyboard(i18n: I18nContext, *actions: ClaimFlowAction) -> InlineKeyboardMarkup:
    labels = {ClaimFlowAction.CONTINUE: "claim-continue-button", ClaimFlowAction.CONFIRM: "claim-confirm-button",
              ClaimFlowAction.CANCEL: "cancel-button"}
    builder = InlineKeyboardBuilder()
    for action in actions:
        builder.button(text=i18n.get(labels[action]), callback_data=ClaimFlowCb(action=action))
    builder.adjust(1)
    return builder.as_markup()


def claim_card_markup(t: object, claim_id: int) -> InlineKeyboardMarkup:
    """Buttons on an operators' card; `t(key)` translates in OPERATOR_LANGUAGE."""
    translate = t  # a callable(key, **args) -> str
    builder = InlineKeyboardBuilder()
    for action, key in ((ClaimOpAction.TAKE, "op-take-button"), (ClaimOpAction.CLOSE, "op-close-button"),
                        (ClaimOpAction.REOPEN, "op-reopen-button"), (ClaimOpAction.HISTORY, "op-history-button")):
        builder.button(text=translate(key), callback_data=ClaimOpCb(action=action, claim_id=claim_id))  # type: ignore[operator]
    builder.adjust(3, 1)
    return builder.as_markup()

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
