"""A stand-in for the Telegram Bot API server, so the bot can be exercised offline.

What it is
    A small aiohttp server that speaks the Bot API over real HTTP on 127.0.0.1.
    A real aiogram ``Bot`` talks to it unchanged; only the API server address
    differs. It keeps a tiny "world" (users, supergroups, chat histories, files)
    and rejects what Telegram rejects -- malformed HTML, over-long texts and
    captions, oversized callback data, edits that change nothing, sends to
    blocked or unknown chats -- so tests fail where production would.

    It serves the end-to-end tests, the local demo and the benchmarks. Nothing in
    it reaches the real Telegram.

    Its parts: ``html`` (Telegram's HTML parse mode: tags, entities, lengths in
    UTF-16 code units), ``world`` (people, chats, messages, files, topics and
    what people do there), ``methods`` (the Bot API methods and their checks),
    ``server`` (the aiohttp server, failure injection, getUpdates and webhooks;
    ``TelegramStandIn`` puts the parts together).

How to use it
    ::

        tg = TelegramStandIn()
        await tg.start()                         # picks a free port; tg.url is set
        tg.add_user(1001, first_name="Aida", language_code="kk")
        bot = Bot(tg.token, session=AiohttpSession(api=tg.api_server()),
                  default=DefaultBotProperties(parse_mode="HTML"))
        # either run the real dispatcher against it ...
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        tg.user_message(1001, "/start")          # queued for getUpdates
        reply = await tg.wait_bot_message(1001)  # what the person now sees
        tg.press(1001, "Қазақша")                # presses an inline button
        # ... or feed updates directly: await dp.feed_raw_update(bot, tg.user_message(...))
        await tg.stop()

    Every request is recorded in ``tg.calls``; ``tg.messages(chat_id)`` shows a
    chat as the person sees it (after edits and deletions); ``tg.fail_next(...)``,
    ``tg.fail_for(seconds)`` (an outage of some seconds), ``tg.block(...)`` and
    ``tg.deleted_users`` inject the failures the bot must survive, and so do ``tg.outage()``
    (every request fails until ``end_outage()``), ``tg.migrate_group(old, new)``,
    ``tg.remove_bot(chat)`` and ``tg.user_deletes(...)``.

    Who can be messaged follows Telegram: a chat never seen answers "chat not
    found"; a person known only as a group member (``add_group(members=...)``)
    but who never started the bot answers 403 "bot can't initiate conversation";
    ``add_user`` or a private ``user_message`` counts as having started it.

Where it deliberately differs from Telegram
    * A bare ``&`` in HTML text is rejected (Telegram shows it literally). It
      almost always means a value was not escaped, and the next such value may
      contain ``<``. Set ``strict_html = False`` to accept it like Telegram.
    * MarkdownV2/Markdown texts are only measured, not parsed: the bot uses HTML.
    * Only what the bot needs is modelled: no inline mode, payments, polls or
      webhooks' extra connections (below); one bot per stand-in. An album is its messages
      tagged with one ``media_group_id`` (sent one by one; sendMediaGroup is not
      modelled).
    * Webhooks: setWebhook checks the URL and secret as Telegram does, but the
      stand-in posts updates to ``webhook_target`` (the bot's own server on
      127.0.0.1, standing in for the reverse proxy behind the public URL), one
      at a time rather than over up to ``max_connections`` connections.
"""

from stand_in.html import EntityParseError, parse_html, utf16_len
from stand_in.server import TelegramStandIn
from stand_in.world import ApiCall, StoredMessage, Upload

__all__ = [
    "ApiCall",
    "EntityParseError",
    "StoredMessage",
    "TelegramStandIn",
    "Upload",
    "parse_html",
    "utf16_len",
]
