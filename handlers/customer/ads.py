"""/ads: advertising is off until the user opts in; one tap turns it off again."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram_i18n import I18nContext

from bot.clock import Clock
from bot.config import Settings
from bot.consent import has_active_consent
from bot.formatting import esc, local_time, utc_offset_label
from handlers.filters import MenuButton
from handlers.keyboards import AdsCb
from handlers.routing import Router
from storage import audit, consents, users
from storage.db import Database
from storage.users import User


async def ads_view(i18n: I18nContext, settings: Settings, db: Database, user: User) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    if user.ads_opt_in:
        history = await users.ads_history(db, user.id)
        since = history[-1].created_at if history else user.updated_at
        text = i18n.get("ads-status-on", time=local_time(since, settings.tz), operator=esc(settings.operator_name_in(i18n.locale)))
        builder.button(text=i18n.get("ads-turn-off-button"), callback_data=AdsCb(opt_in=False))
    else:
        text = i18n.get("ads-status-off")
        builder.button(text=i18n.get("ads-turn-on-button"), callback_data=AdsCb(opt_in=True))
    if user.blocked:
        text += "\n" + i18n.get("erasure-ads-blocked")
    return text, builder.as_markup()


def create_router() -> Router:
    router = Router(name="ads")

    @router.message(Command("ads"))
    @router.message(MenuButton("menu-ads"))
    async def on_ads(message: Message, i18n: I18nContext, settings: Settings, db: Database, app_user: User) -> None:
        text, markup = await ads_view(i18n, settings, db, app_user)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(AdsCb.filter())
    async def on_ads_button(
        callback: CallbackQuery, callback_data: AdsCb, i18n: I18nContext, settings: Settings,
        db: Database, clock: Clock, app_user: User,
    ) -> None:
        message = callback.message
        assert isinstance(message, Message)
        if callback_data.opt_in and app_user.blocked:
            # Processing blocked on the person's request: no advertising until unblocked.
            await callback.answer(i18n.get("erasure-ads-blocked"), show_alert=True)
            return
        if callback_data.opt_in and not has_active_consent(await consents.latest(db, app_user.id)):
            await callback.answer(i18n.get("ads-needs-consent"), show_alert=True)
            return
        now = clock.now()
        changed = await users.set_ads_opt_in(
            db, app_user.id, callback_data.opt_in, reason="broadcast_button" if callback_data.from_ad else "user",
            actor=audit.user_actor(app_user.id), now=now,
        )
        if not changed:
            await callback.answer(i18n.get("ads-already"))
            return
        await callback.answer()
        key = "ads-turned-on" if callback_data.opt_in else "ads-turned-off"
        refreshed = await users.get_user(db, app_user.id)
        assert refreshed is not None
        if callback_data.from_ad:
            # Under an advertising copy: keep the ad as it is, drop its opt-out button.
            await message.edit_reply_markup(reply_markup=None)
        else:
            text, markup = await ads_view(i18n, settings, db, refreshed)
            await message.edit_text(text, reply_markup=markup)
        await message.answer(i18n.get(key, time=local_time(now, settings.tz), tz=utc_offset_label(settings.tz, now)))

    return router
