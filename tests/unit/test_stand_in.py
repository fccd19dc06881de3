"""The Telegram stand-in, exercised through a real aiogram Bot over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)

from stand_in import EntityParseError, TelegramStandIn, parse_html, utf16_len

USER = 1001
OTHER = 1002
GROUP = -1001234567890
FORUM = -1009876543210


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[TelegramStandIn]:
    stand_in = TelegramStandIn()
    await stand_in.start()
    stand_in.add_user(USER, first_name="Aida", language_code="kk")
    yield stand_in
    await stand_in.stop()


@pytest_asyncio.fixture
async def bot(tg: TelegramStandIn) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.url))
    bot = Bot(tg.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons])


def one_button(text: str, data: str) -> InlineKeyboardMarkup:
    return keyboard(InlineKeyboardButton(text=text, callback_data=data))


# --------------------------------------------------------------------------- HTML parsing


def test_parse_html_gives_visible_text_and_utf16_entities() -> None:
    text, entities = parse_html('😀 <b>bold</b> &amp; <a href="https://x.kz/?a=1&amp;b=2">link</a>')
    assert text == "😀 bold & link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},  # the emoji counts as 2 UTF-16 units
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://x.kz/?a=1&b=2"},
    ]


def test_parse_html_pre_with_language_and_expandable_quote() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
    )
    assert text == "x = 1q"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("5 < 6", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", 'Character "&" at byte offset 4 is not part of an HTML entity'),
        ("&nbsp;", 'Character "&" at byte offset 0 is not part of an HTML entity'),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert str(caught.value).startswith(reason)


def test_parse_html_lenient_ampersand_like_telegram() -> None:
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


# --------------------------------------------------------------------------- sending


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "privacy_test_bot", "Privacy Bot", True)


async def test_send_message_stores_what_the_person_sees(tg: TelegramStandIn, bot: Bot) -> None:
    sent = await bot.send_message(USER, "<b>Сәлем</b>, &lt;досым&gt;!")
    assert isinstance(sent, Message)
    assert sent.from_user is not None and sent.from_user.id == 123456
    assert sent.chat.id == USER and sent.text == "Сәлем, <досым>!"
    stored = tg.last_bot_message(USER)
    assert stored.message_id == sent.message_id
    assert stored.text == "Сәлем, <досым>!"
    assert stored.html == "<b>Сәлем</b>, &lt;досым&gt;!"
    assert stored.entities == [{"type": "bold", "offset": 0, "length": 5}]
    second = await bot.send_message(USER, "again")
    assert second.message_id == sent.message_id + 1
    call = tg.calls_to("sendMessage")[0]
    assert call.ok and call.params["chat_id"] == USER and call.params["parse_mode"] == "HTML"


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(555, "hi")


async def test_group_member_who_never_started_the_bot(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP, members=[OTHER])
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(OTHER, "hi")
    await bot.send_message(GROUP, "hello group")
    assert tg.last_bot_message(GROUP).text == "hello group"


@pytest.mark.parametrize("text", ["   ", "<b> </b>", "<i></i>"])
async def test_empty_text_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, text)


async def test_length_limit_is_measured_after_html_parsing(tg: TelegramStandIn, bot: Bot) -> None:
    await bot.send_message(USER, "&amp;" * 4096)  # 4096 visible characters
    assert tg.last_bot_message(USER).text == "&" * 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "&amp;" * 4097)
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>")  # tags do not count
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "😀" * 2048 + "x")


async def test_caption_limit(bot: Bot) -> None:
    file = BufferedInputFile(b"%PDF-1.4", filename="policy.pdf")
    await bot.send_document(USER, file, caption="&lt;" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER, file, caption="c" * 1025)


@pytest.mark.parametrize(
    "html",
    ["<foo>x</foo>", "<b>unclosed", "<b>x</i>", "1 < 2", "Tom & Jerry", "<br/>line", "<span>s</span>"],
)
async def test_bad_html_is_rejected(tg: TelegramStandIn, bot: Bot, html: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, html)
    assert tg.bot_messages(USER) == []


@pytest.mark.parametrize(
    "html",
    [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>",
        "<s>s</s><strike>k</strike><del>d</del>",
        '<span class="tg-spoiler">sp</span> <tg-spoiler>sp</tg-spoiler>',
        '<a href="https://example.kz/?a=1&amp;b=2">link</a> <code>c</code>',
        '<pre>p</pre> <pre><code class="language-python">x</code></pre>',
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &#1178; &#x4B0; &quot;',
    ],
)
async def test_telegram_html_is_accepted(bot: Bot, html: str) -> None:
    await bot.send_message(USER, html)


async def test_markdown_is_only_measured(tg: TelegramStandIn, bot: Bot) -> None:
    await bot.send_message(USER, "*bold*", parse_mode="MarkdownV2")
    assert tg.last_bot_message(USER).text == "*bold*"


# --------------------------------------------------------------------------- keyboards and callbacks


async def test_callback_data_limit_is_64_bytes(tg: TelegramStandIn, bot: Bot) -> None:
    ok = "ж" * 32  # 64 bytes of UTF-8
    await bot.send_message(USER, "pick", reply_markup=one_button("A", ok))
    assert tg.last_bot_message(USER).button("A") == ok
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "pick", reply_markup=one_button("A", ok + "x"))


async def test_button_without_text_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="text buttons are unallowed in the inline keyboard"):
        await bot.send_message(USER, "pick", reply_markup=one_button("", "x"))


async def test_more_than_100_buttons_is_rejected(bot: Bot) -> None:
    buttons = [InlineKeyboardButton(text=str(n), callback_data=str(n)) for n in range(101)]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "pick", reply_markup=keyboard(*buttons))
    await bot.send_message(USER, "pick", reply_markup=keyboard(*buttons[:100]))


async def test_answer_callback_query(tg: TelegramStandIn, bot: Bot) -> None:
    await bot.answer_callback_query("unknown-id", text="ok")  # unknown ids are fine
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("unknown-id", text="x" * 201)
    await bot.answer_callback_query("unknown-id", text="x" * 200, show_alert=True)
    assert tg.answered_callbacks[-1]["show_alert"] is True


async def test_a_callback_answered_twice_is_rejected(tg: TelegramStandIn, bot: Bot) -> None:
    sent = await bot.send_message(USER, "pick", reply_markup=one_button("Yes", "y"))
    update = tg.callback(USER, sent.message_id, "y")
    query_id = update["callback_query"]["id"]
    await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_stored_message_helpers(tg: TelegramStandIn, bot: Bot) -> None:
    with pytest.raises(AssertionError, match="no visible message"):
        tg.last_bot_message(USER)
    await bot.send_message(
        USER,
        "pick",
        reply_markup=keyboard(
            InlineKeyboardButton(text="Yes", callback_data="y"),
            InlineKeyboardButton(text="Yes, delete", callback_data="yd"),
            InlineKeyboardButton(text="Site", url="https://example.kz"),
        ),
    )
    msg = tg.last_bot_message(USER)
    assert msg.buttons() == [[("Yes", "y")], [("Yes, delete", "yd")], [("Site", None)]]
    assert msg.button("Yes") == "y"  # an exact match wins over substrings
    assert msg.button("delete") == "yd"
    with pytest.raises(AssertionError, match=r"no button matching 'Nope'.*Yes, delete"):
        msg.button("Nope")
    with pytest.raises(AssertionError, match="no callback_data"):
        msg.button("Site")
    await bot.send_message(
        USER,
        "share",
        reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Phone", request_contact=True)]]),
    )
    assert tg.last_bot_message(USER).reply_keyboard() == [[{"text": "Phone", "request_contact": True}]]
    with pytest.raises(AssertionError, match="no reply keyboard"):
        msg.reply_keyboard()


# --------------------------------------------------------------------------- editing and deleting


async def test_edit_message_text_and_not_modified(tg: TelegramStandIn, bot: Bot) -> None:
    markup = one_button("Next", "next")
    sent = await bot.send_message(USER, "<b>Step 1</b>", reply_markup=markup)
    mid = sent.message_id
    edited = await bot.edit_message_text("<b>Step 2</b>", chat_id=USER, message_id=mid, reply_markup=markup)
    assert isinstance(edited, Message) and edited.text == "Step 2"
    stored = tg.last_bot_message(USER)
    assert (stored.text, stored.edited, stored.button("Next")) == ("Step 2", True, "next")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>Step 2</b>", chat_id=USER, message_id=mid, reply_markup=markup)
    # Same text without the keyboard is a change: Telegram removes the keyboard.
    await bot.edit_message_text("<b>Step 2</b>", chat_id=USER, message_id=mid)
    assert tg.last_bot_message(USER).buttons() == []
    # Different formatting of the same text is a change too.
    await bot.edit_message_text("Step 2", chat_id=USER, message_id=mid)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)


async def test_edit_reply_markup_and_caption(tg: TelegramStandIn, bot: Bot) -> None:
    markup = one_button("A", "a")
    sent = await bot.send_message(USER, "text", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)
    assert tg.last_bot_message(USER).reply_markup is None
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=USER, message_id=sent.message_id, caption="c")
    doc = await bot.send_document(USER, BufferedInputFile(b"data", filename="a.txt"), caption="old")
    await bot.edit_message_caption(chat_id=USER, message_id=doc.message_id, caption="<i>new</i>")
    assert tg.last_bot_message(USER).caption == "new"


async def test_users_messages_cannot_be_edited(tg: TelegramStandIn, bot: Bot) -> None:
    update = tg.user_message(USER, "hello")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("changed", chat_id=USER, message_id=update["message"]["message_id"])


async def test_delete_message(tg: TelegramStandIn, bot: Bot) -> None:
    first = await bot.send_message(USER, "first")
    second = await bot.send_message(USER, "second")
    assert await bot.delete_message(USER, second.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, second.message_id)
    assert [(m.text, m.deleted) for m in tg.messages(USER)] == [("first", False), ("second", True)]
    assert tg.last_bot_message(USER).message_id == first.message_id
    assert tg.last_bot_message(USER, include_deleted=True).message_id == second.message_id


# --------------------------------------------------------------------------- replies, copies, files


async def test_reply_to_missing_message(tg: TelegramStandIn, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER, "re", reply_parameters=ReplyParameters(message_id=77))
    await bot.send_message(
        USER, "re", reply_parameters=ReplyParameters(message_id=77, allow_sending_without_reply=True)
    )
    asked = tg.user_message(USER, "question")["message"]["message_id"]
    answer = await bot.send_message(USER, "answer", reply_parameters=ReplyParameters(message_id=asked))
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "question"
    assert tg.last_bot_message(USER).reply_to_message_id == asked


async def test_send_document_stores_file_name_and_bytes(tg: TelegramStandIn, bot: Bot) -> None:
    content = "Өтініш / заявление\n".encode()
    upload = BufferedInputFile(content, filename="өтініш.txt")
    sent = await bot.send_document(USER, upload, caption="<b>Дайын</b>")
    assert sent.document is not None and sent.document.file_name == "өтініш.txt"
    stored = tg.last_bot_message(USER)
    assert stored.document == ("өтініш.txt", content)
    assert (stored.caption, stored.text) == ("Дайын", None)
    # The file can be fetched back the way a bot downloads files.
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == content
    # Re-sending by file_id works; an unknown file_id does not.
    await bot.send_document(USER, sent.document.file_id)
    assert tg.last_bot_message(USER).document == ("өтініш.txt", content)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(USER, "no-such-file")


async def test_send_photo(tg: TelegramStandIn, bot: Bot) -> None:
    sent = await bot.send_photo(USER, BufferedInputFile(b"\x89PNG...", filename="qr.png"), caption="QR")
    assert sent.photo and sent.caption == "QR"
    stored = tg.last_bot_message(USER)
    assert (stored.photo, stored.caption, stored.text) == (True, "QR", None)
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_photo(USER, BufferedInputFile(b"", filename="empty.png"))


async def test_plain_json_requests_work_too(tg: TelegramStandIn) -> None:
    url = f"{tg.url}/bot{tg.token}/sendMessage"
    async with aiohttp.ClientSession() as http, http.post(url, json={"chat_id": USER, "text": "123"}) as resp:
        body = await resp.json()
    assert resp.status == 200 and body["result"]["text"] == "123"  # text stays text
    assert tg.calls[-1].params == {"chat_id": USER, "text": "123"}


async def test_copy_message_of_a_user_message(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP, members=[OTHER])
    update = tg.user_message(USER, document=("passport.pdf", b"%PDF secret"), caption="my passport")
    source_id = update["message"]["message_id"]
    copied = await bot.copy_message(GROUP, from_chat_id=USER, message_id=source_id)
    stored = tg.last_bot_message(GROUP)
    assert stored.message_id == copied.message_id
    assert stored.copied_from == (USER, source_id)
    assert stored.document == ("passport.pdf", b"%PDF secret")
    assert stored.caption == "my passport"
    text_id = tg.user_message(USER, "plain words")["message"]["message_id"]
    await bot.copy_message(GROUP, from_chat_id=USER, message_id=text_id)
    assert tg.last_bot_message(GROUP).text == "plain words"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(GROUP, from_chat_id=USER, message_id=999)


async def test_forward_message(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP)
    source_id = tg.user_message(USER, "forward me")["message"]["message_id"]
    forwarded = await bot.forward_message(GROUP, from_chat_id=USER, message_id=source_id)
    assert forwarded.text == "forward me" and forwarded.forward_origin is not None
    assert tg.last_bot_message(GROUP).forwarded_from == (USER, source_id)


async def test_user_photo_and_sticker_can_be_copied(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP)
    photo_id = tg.user_message(USER, photo=True, caption="scan")["message"]["message_id"]
    sticker_id = tg.user_message(USER, sticker=True)["message"]["message_id"]
    await bot.copy_message(GROUP, USER, photo_id, caption="<b>from the user</b>")
    assert (tg.last_bot_message(GROUP).photo, tg.last_bot_message(GROUP).caption) == (True, "from the user")
    await bot.copy_message(GROUP, USER, sticker_id)
    assert tg.last_bot_message(GROUP).sticker


# --------------------------------------------------------------------------- refusals and injected failures


async def test_blocked_and_deleted_users_are_forbidden(tg: TelegramStandIn, bot: Bot) -> None:
    tg.block(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_chat_action(USER, "typing")
    tg.unblock(USER)
    await bot.send_message(USER, "hi")
    tg.my_chat_member(USER, "kicked")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    tg.my_chat_member(USER, "member")
    await bot.send_message(USER, "hi again")
    tg.deleted_users.add(USER)
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(USER, "hi")
    failed = [c for c in tg.calls if not c.ok]
    assert [c.error_code for c in failed] == [403, 403, 403, 403]


async def test_fail_next_retry_after_times_and_chat_filter(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_user(OTHER)
    tg.fail_next("sendMessage", retry_after=7, times=2, chat_id=USER)
    await bot.send_message(OTHER, "not affected")
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(USER, "limited")
        assert caught.value.retry_after == 7
        assert "Too Many Requests: retry after 7" in caught.value.message
    await bot.send_message(USER, "through")
    assert [c.error_code for c in tg.calls_to("sendMessage")] == [None, 429, 429, None]
    tg.fail_next("SENDMESSAGE", error_code=500)
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(USER, "x")
    with pytest.raises(ValueError, match="does not implement"):
        tg.fail_next("sendMesage")


async def test_wrong_token_and_unknown_method(tg: TelegramStandIn) -> None:
    session = AiohttpSession(api=tg.api_server())
    wrong = Bot("654321:WRONG", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await session.close()
    async with aiohttp.ClientSession() as http, http.post(f"{tg.url}/bot{tg.token}/noSuchMethod") as resp:
        assert resp.status == 404
        body = await resp.json()
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_unknown_method_through_aiogram_is_not_found(tg: TelegramStandIn, bot: Bot) -> None:
    from aiogram.methods import TelegramMethod

    class NoSuchMethod(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "noSuchMethod"

    with pytest.raises(TelegramNotFound):
        await bot(NoSuchMethod())


# --------------------------------------------------------------------------- bot profile, chats, topics


async def test_commands_and_descriptions_by_language(tg: TelegramStandIn, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Бастау")], language_code="kk")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert tg.commands["kk"] == [{"command": "start", "description": "Бастау"}]
    assert tg.commands[None][0]["description"] == "Start"
    got = await bot.get_my_commands(language_code="kk")
    assert [c.description for c in got] == ["Бастау"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])
    await bot.delete_my_commands(language_code="kk")
    assert "kk" not in tg.commands
    await bot.set_my_description("Дербес деректер", language_code="kk")
    await bot.set_my_short_description("Personal data")
    await bot.set_my_name("Privacy Bot", language_code="ru")
    assert tg.descriptions == {"kk": "Дербес деректер"}
    assert tg.short_descriptions == {None: "Personal data"}
    assert (await bot.get_my_description(language_code="kk")).description == "Дербес деректер"


async def test_get_chat_and_chat_member(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP, title="Operators", members=[OTHER])
    private = await bot.get_chat(USER)
    assert (private.type, private.first_name) == ("private", "Aida")
    group = await bot.get_chat(GROUP)
    assert (group.type, group.title) == ("supergroup", "Operators")
    assert (await bot.get_chat_member(GROUP, OTHER)).status == "member"
    assert (await bot.get_chat_member(GROUP, USER)).status == "left"
    assert (await bot.get_chat_member(GROUP, 123456)).status == "administrator"
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(-100555)


async def test_forum_topics(tg: TelegramStandIn, bot: Bot) -> None:
    tg.add_group(GROUP)
    tg.add_group(FORUM, title="Requests", is_forum=True)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(GROUP, "Request #1")
    topic = await bot.create_forum_topic(FORUM, "Request #1")
    assert tg.topics(FORUM)[topic.message_thread_id]["name"] == "Request #1"
    sent = await bot.send_message(FORUM, "new request", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert tg.last_bot_message(FORUM).message_thread_id == topic.message_thread_id
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "lost", message_thread_id=4242)
    # An operator's reply in the topic stays in the topic.
    update = tg.user_message(OTHER, "taking it", chat_id=FORUM, reply_to_message_id=sent.message_id)
    assert update["message"]["message_thread_id"] == topic.message_thread_id


async def test_the_right_to_manage_topics_is_one_answer_however_it_was_set(tg: TelegramStandIn, bot: Bot) -> None:
    # Set through add_group: getChatMember reports it as createForumTopic obeys it.
    tg.add_group(FORUM, title="Requests", is_forum=True, bot_can_manage_topics=False)
    assert (await bot.get_chat_member(FORUM, bot.id)).can_manage_topics is False  # type: ignore[union-attr]
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "Request #1")
    # Set through set_bot_member: the same, the other way round.
    tg.add_group(FORUM, title="Requests", is_forum=True)
    assert (await bot.get_chat_member(FORUM, bot.id)).can_manage_topics is True  # type: ignore[union-attr]
    tg.set_bot_member(FORUM, "administrator", can_manage_topics=False)
    assert (await bot.get_chat_member(FORUM, bot.id)).can_manage_topics is False  # type: ignore[union-attr]
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "Request #1")


async def test_send_chat_action(bot: Bot) -> None:
    assert await bot.send_chat_action(USER, "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")


# --------------------------------------------------------------------------- incoming updates


async def test_updates_are_valid_for_aiogram(tg: TelegramStandIn, bot: Bot) -> None:
    sent = await bot.send_message(USER, "pick", reply_markup=one_button("Go", "go"))
    await bot.edit_message_text(
        "picked?", chat_id=USER, message_id=sent.message_id, reply_markup=sent.reply_markup
    )
    start = Update.model_validate(tg.user_message(USER, "/start ref-42"), context={"bot": bot})
    assert start.message is not None and start.message.from_user is not None
    assert start.message.from_user.id == USER and start.message.chat.type == "private"
    assert start.message.entities is not None
    assert (start.message.entities[0].type, start.message.entities[0].length) == ("bot_command", 6)

    pressed = Update.model_validate(tg.press(USER, "Go"), context={"bot": bot})
    query = pressed.callback_query
    assert isinstance(query, CallbackQuery) and query.data == "go"
    assert isinstance(query.message, Message) and query.message.text == "picked?"  # as edited

    tg.add_group(GROUP)
    updates = [
        tg.edited_message(USER, start.message.message_id, "/start"),
        tg.my_chat_member(USER, "kicked"),
        tg.user_message(USER, contact={"phone_number": "+77010000000", "user_id": USER}),
        tg.user_message(USER, document=("id.pdf", b"%PDF")),
        tg.user_message(USER, photo=True),
        tg.user_message(USER, sticker=True),
        tg.user_message(OTHER, "in group", chat_id=GROUP),
    ]
    parsed = [Update.model_validate(u, context={"bot": bot}) for u in updates]
    assert parsed[0].edited_message is not None and parsed[0].edited_message.text == "/start"
    assert parsed[1].my_chat_member is not None
    assert parsed[1].my_chat_member.new_chat_member.status == "kicked"
    assert parsed[2].message is not None and parsed[2].message.contact is not None
    assert parsed[2].message.contact.first_name == "Aida"
    assert parsed[3].message is not None and parsed[3].message.document is not None
    assert parsed[4].message is not None and parsed[4].message.photo
    assert parsed[5].message is not None and parsed[5].message.sticker is not None
    assert parsed[6].message is not None and parsed[6].message.chat.id == GROUP
    ids = [u.update_id for u in [start, pressed, *parsed]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_user_message_after_blocking_unblocks_like_telegram(tg: TelegramStandIn, bot: Bot) -> None:
    tg.my_chat_member(USER, "kicked")
    tg.user_message(USER, "/start")
    kinds = [next(k for k in u if k != "update_id") for u in tg.updates]
    assert kinds == ["my_chat_member", "my_chat_member", "message"]
    await bot.send_message(USER, "welcome back")


async def test_get_updates_long_polling_and_offset(tg: TelegramStandIn, bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == []
    first = tg.user_message(USER, "one")["update_id"]
    tg.user_message(USER, "two")
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [first, first + 1]
    assert [u.update_id for u in await bot.get_updates(offset=first + 1, timeout=0)] == [first + 1]
    # The confirmed update is gone even without an offset.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first + 1]
    assert await bot.get_updates(offset=first + 2, timeout=0) == []

    # A long poll waits until something arrives.
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, tg.user_message, USER, "three")
    started = loop.time()
    got = await bot.get_updates(offset=first + 2, timeout=5)
    assert [u.message.text for u in got if u.message] == ["three"]
    assert 0.1 < loop.time() - started < 4
    # And with nothing to deliver it returns empty after the timeout.
    started = loop.time()
    assert await bot.get_updates(offset=first + 3, timeout=1) == []
    assert loop.time() - started >= 0.9
    # limit caps the batch; the rest stays queued.
    tg.user_message(USER, "four")
    tg.user_message(USER, "five")
    assert [u.update_id for u in await bot.get_updates(offset=first + 3, limit=1, timeout=0)] == [first + 3]
    assert [u.update_id for u in await bot.get_updates(offset=first + 4, timeout=0)] == [first + 4]


async def test_dispatcher_polls_the_stand_in(tg: TelegramStandIn, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "<b>Тілді таңдаңыз</b>",
            reply_markup=one_button("Қазақша", "lang:kk"),
        )

    @dp.callback_query(F.data.startswith("lang:"))
    async def language(query: CallbackQuery) -> None:
        await query.answer("OK")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Таңдалды")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        tg.user_message(USER, "/start")
        menu = await tg.wait_bot_message(USER)
        assert menu.text == "Тілді таңдаңыз"
        tg.press(USER, "Қазақша")
        await tg.wait_until(lambda: tg.last_bot_message(USER).text == "Таңдалды", what="the edit")
        assert tg.answered_callbacks[-1]["text"] == "OK"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_stop_releases_a_pending_long_poll() -> None:
    stand_in = TelegramStandIn()
    await stand_in.start()
    session = AiohttpSession(api=stand_in.api_server())
    other = Bot(stand_in.token, session=session)
    try:
        poll = asyncio.create_task(other.get_updates(timeout=30))
        await asyncio.sleep(0.2)  # let the request reach the server and start waiting
        loop = asyncio.get_running_loop()
        started = loop.time()
        await stand_in.stop()
        assert await asyncio.wait_for(poll, 5) == []
        assert loop.time() - started < 3
    finally:
        await session.close()


def test_utf16_len() -> None:
    assert (utf16_len("abc"), utf16_len("Қ"), utf16_len("😀")) == (3, 1, 2)


async def test_without_history_private_copies_are_observed_but_not_kept() -> None:
    """keep_history=False (benchmarks): group messages are kept, copies to private chats are not."""
    async with TelegramStandIn(keep_history=False) as tg:
        tg.add_user(USER, first_name="Aida")
        tg.add_group(GROUP, members=[OTHER])
        seen: list[tuple[str, bool]] = []
        tg.observers.append(lambda call: seen.append((call.method, call.ok)))
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.url))
        bot = Bot(tg.token, session=session)
        try:
            source = await bot.send_message(GROUP, "to everyone")
            first = await bot.copy_message(USER, from_chat_id=GROUP, message_id=source.message_id)
            second = await bot.copy_message(USER, from_chat_id=GROUP, message_id=source.message_id)
            with pytest.raises(TelegramBadRequest):
                await bot.copy_message(4242, from_chat_id=GROUP, message_id=source.message_id)
        finally:
            await bot.session.close()
        assert second.message_id == first.message_id + 1  # ids still advance
        assert [m.text for m in tg.bot_messages(GROUP)] == ["to everyone"]
        assert tg.bot_messages(USER) == []
        assert [c.method for c in tg.calls] == ["sendMessage"]
        assert seen == [("sendMessage", True), ("copyMessage", True), ("copyMessage", True), ("copyMessage", False)]
