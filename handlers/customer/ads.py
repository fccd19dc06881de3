"""/ads: advertising is off until the user opts in; one tap turns it off again (bot/ads.py)."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from bot import ads
from bot.ads import AdsOutcome
from bot.clock import Clock
from bot.config import Settings
from bot.formatting import local_time, utc_offset_label
from bot.session import ignore_result
from handlers.customer.views import ads_view
from handlers.filters import MenuButton
from handlers.keyboards import AdsCb
from handlers.routing import Router
from storage.db import Database
from storage.users import User

REFUSALS = {AdsOutcome.BLOCKED: "erasure-ads-blocked", AdsOutcome.NEEDS_CONSENT: "ads-needs-consent"}


async def on_ads(message: Message, i18n: I18nContext, settings: Settings, db: Database, app_user: User) -> None:
    text, markup = ads_view(i18n, settings, await ads.ads_status(db, app_user))
    await ignore_result(message.answer(text, reply_markup=markup))


async def on_ads_button(
    callback: CallbackQuery, callback_data: AdsCb, i18n: I18nContext, settings: Settings,
    db: Database, clock: Clock, app_user: User,
) -> None:
    message = callback.message
    assert isinstance(message, Message)
    now = clock.now()
    choice = await ads.choose(db, user_id=app_user.id, opt_in=callback_data.opt_in, from_ad=callback_data.from_ad, now=now)
    if choice.outcome in REFUSALS:
        await callback.answer(i18n.get(REFUSALS[choice.outcome]), show_alert=True)
        return
    if choice.outcome is AdsOutcome.ALREADY or choice.status is None:
        await callback.answer(i18n.get("ads-already"))
        return
    await callback.answer()
    if callback_data.from_ad:
        # Under an advertising copy: keep the ad as it is, drop its opt-out button.
        await ignore_result(message.edit_reply_markup(reply_markup=None))
    else:
        text, markup = ads_view(i18n, settings, choice.status)
        await ignore_result(message.edit_text(text, reply_markup=markup))
    key = "ads-turned-on" if choice.outcome is AdsOutcome.TURNED_ON else "ads-turned-off"
    await ignore_result(message.answer(i18n.get(key, time=local_time(now, settings.tz), tz=utc_offset_label(settings.tz, now))))


def create_router() -> Router:
    router = Router(name="ads")
    router.message.register(on_ads, Command("ads"))
    router.message.register(on_ads, MenuButton("menu-ads"))
    router.callback_query.register(on_ads_button, AdsCb.filter())
    return router
