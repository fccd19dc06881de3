"""CallbackData factories and keyboard builders.

Every inline button's data is built and parsed by a CallbackData class, so a forged or stale
button fails validation and lands in the "out of date" handler instead of a handler that would
trust it. Telegram limits callback data to 64 bytes: keep prefixes and fields short.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.i18n import SUPPORTED_LANGUAGES
from bot.request_types import REQUEST_TYPES, RequestTypes

if TYPE_CHECKING:
    from storage.claims import Claim


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
    type: str  # a request type's code (bot/request_types.py)


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
    CLOSE_DUPLICATE = "cd"   # close, telling the applicant it repeats another claim
    CLOSE_WITHDRAWN = "cw"   # close, telling the applicant they withdrew it


class ClaimOpCb(CallbackData, prefix="clo"):
    action: ClaimOpAction
    claim_id: int
    v: int = -1  # the claim's version the card showed (-1: unknown); a changed claim is not acted on blindly


class DraftAction(enum.StrEnum):
    FINAL = "f"      # send as the final answer: the clock stops
    INTERIM = "i"    # send as an interim message: the clock keeps running
    NOTE = "n"       # keep as an internal note: never sent
    REOPEN = "r"     # the claim is closed: reopen it, then choose


class DraftCb(CallbackData, prefix="cdr"):
    action: DraftAction
    draft_id: int


def claim_types_keyboard(i18n: I18nContext, request_types: RequestTypes = REQUEST_TYPES) -> InlineKeyboardMarkup:
    """Every registered request type, in the registry's order, then Cancel."""
    rows = [((i18n.get(entry.button_key), ClaimTypeCb(type=entry.code).pack()),) for entry in request_types]
    rows.append(((i18n.get("cancel-button"), ClaimFlowCb(action=ClaimFlowAction.CANCEL).pack()),))
    return inline_markup(tuple(rows))


def claim_flow_keyboard(i18n: I18nContext, *actions: ClaimFlowAction) -> InlineKeyboardMarkup:
    labels = {ClaimFlowAction.CONTINUE: "claim-continue-button", ClaimFlowAction.CONFIRM: "claim-confirm-button",
              ClaimFlowAction.CANCEL: "cancel-button"}
    return inline_markup(tuple(((i18n.get(labels[a]), ClaimFlowCb(action=a).pack()),) for a in actions))


def claim_card_markup(
    t: object, claim_id: int, status: str = "registered", *, taken: bool = False, version: int = -1,
    claim_type: str | None = None, extra_rows: tuple[tuple[tuple[str, str], ...], ...] = (),
) -> InlineKeyboardMarkup:
    """Buttons on an operators' card, only those possible in the claim's status; `t(key)`
    translates in OPERATOR_LANGUAGE. A block or destroy request's open card also carries the
    buttons that carry it out (`erasure_buttons`); `extra_rows` (text, packed callback data) go
    above the history button too."""
    translate = t  # a callable(key, **args) -> str
    if status != "closed":
        extra_rows = tuple(
            tuple((b.text, b.callback_data or "") for b in row) for row in erasure_buttons(t, claim_id, claim_type)
        ) + extra_rows

    def button(action: ClaimOpAction, key: str) -> tuple[str, str]:
        return translate(key), ClaimOpCb(action=action, claim_id=claim_id, v=version).pack()  # type: ignore[operator]

    first: list[tuple[str, str]] = []
    if status != "closed":
        if not taken and status in ("registered", "in_progress"):  # an answered claim needs no taking
            first.append(button(ClaimOpAction.TAKE, "op-take-button"))
        first.append(button(ClaimOpAction.CLOSE, "op-close-button"))
    else:
        first.append(button(ClaimOpAction.REOPEN, "op-reopen-button"))
    return inline_markup((tuple(first), *extra_rows, (button(ClaimOpAction.HISTORY, "op-history-button"),)))


def card_markup_for(t: object, claim: Claim) -> InlineKeyboardMarkup:
    """The card's buttons for the claim as it is now (the outbox's first card and every redraw)."""
    return claim_card_markup(
        t, claim.id, claim.status, taken=claim.taken_by is not None, version=claim.version, claim_type=claim.type
    )


def close_reason_markup(t: object, claim_id: int, version: int) -> InlineKeyboardMarkup:
    """Closing a claim without a final answer: the stated reasons the applicant will be told."""
    translate = t
    return inline_markup((
        ((translate("desk-close-duplicate-button"),  # type: ignore[operator]
          ClaimOpCb(action=ClaimOpAction.CLOSE_DUPLICATE, claim_id=claim_id, v=version).pack()),),
        ((translate("desk-close-withdrawn-button"),  # type: ignore[operator]
          ClaimOpCb(action=ClaimOpAction.CLOSE_WITHDRAWN, claim_id=claim_id, v=version).pack()),),
    ))


def draft_markup(t: object, draft_id: int, *, closed: bool = False) -> InlineKeyboardMarkup:
    """The choice for an operator's draft: final answer first (the common case, one tap)."""
    translate = t

    def button(action: DraftAction, key: str) -> tuple[str, str]:
        return translate(key), DraftCb(action=action, draft_id=draft_id).pack()  # type: ignore[operator]

    if closed:
        return inline_markup(((button(DraftAction.REOPEN, "desk-reopen-and-answer-button"),),
                              (button(DraftAction.NOTE, "desk-note-button"),)))
    return inline_markup(((button(DraftAction.FINAL, "desk-final-button"),),
                          (button(DraftAction.INTERIM, "desk-interim-button"), button(DraftAction.NOTE, "desk-note-button"))))


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
    RETRY = "r"      # send again to the recipients whose send failed (from the report)


class BroadcastCb(CallbackData, prefix="bc"):
    action: BroadcastAction
    id: int
    audience: str = ""


class PublishAction(enum.StrEnum):
    REVIEW = "r"     # show the diff of a version waiting for publication
    CONFIRM = "y"
    DISCARD = "n"
    WITHDRAW = "w"           # ask whether to withdraw a scheduled version
    WITHDRAW_CONFIRM = "wy"
    WITHDRAW_KEEP = "wn"


class PublishCb(CallbackData, prefix="pp"):
    action: PublishAction
    version: str


# --- /myclaims pages (customers) -------------------------------------------------------------

class MyClaimsCb(CallbackData, prefix="mcl"):
    """A page of the customer's list of claims."""

    page: int


class MyClaimCb(CallbackData, prefix="mcv"):
    """A page of one claim's history; `back` is the list page to return to."""

    claim_id: int
    page: int = 0
    back: int = 0
