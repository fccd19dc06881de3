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

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import math
import logging
import mimetypes
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple

from aiogram.client.telegram import TelegramAPIServer
from aiohttp import ClientSession, ClientTimeout, web

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties

__all__ = [
    "ApiCall",
    "EntityParseError",
    "StoredMessage",
    "TelegramStandIn",
    "Upload",
    "parse_html",
    "utf16_len",
]

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
CALLBACK_ANSWER_LIMIT = 200
INLINE_BUTTONS_LIMIT = 100
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


# --------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The reason Telegram gives after "Bad Request: can't parse entities: "."""


# Tag -> entity type, exactly the tags Telegram's HTML mode accepts.
_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPACE = " \t\r\n\f\v"
_MARKUP = re.compile("[<&]")


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at ``text[i]`` stands for, and where it ends."""
    m = _ENTITY_RE.match(text, i)
    if m is None:
        return None
    if m.group(1):
        return _NAMED_ENTITIES[m.group(1)], m.end()
    code = int(m.group(2), 10) if m.group(2) else int(m.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    byte_offset: int
    expandable: bool = False
    language: str = ""  # set on <pre> by a nested <code class="language-...">


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the visible text and its entities (UTF-16 offsets).

    Follows the rules of Telegram's own parser (tdlib ``parse_html``), including its
    error wording; raises ``EntityParseError`` with the reason Telegram would give.
    """
    out: list[str] = []
    pos16 = 0  # UTF-16 length of what has been emitted so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal pos16
        out.append(chunk)
        pos16 += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" at byte offset {byte_offset(i)} is not part of an HTML entity '
                    "(stand-in is stricter than Telegram here: escape it as &amp;)"
                )
            emit(ch)
            i += 1
            continue
        if ch != "<":
            # Plain text up to the next tag or entity, emitted as one piece.
            markup = _MARKUP.search(text, i)
            end = markup.start() if markup else n
            emit(text[i:end])
            i = end
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            # An end tag closes the innermost open tag; "</>" closes whatever is open.
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            i += 2
            name_start = i
            while i < n and text[i] not in _SPACE and text[i] != ">":
                i += 1
            end_name = text[name_start:i].lower()
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            open_tag = stack.pop()
            if end_name and end_name != open_tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{open_tag.name}>", found "</{end_name}>"'
                )
            _close_tag(open_tag, pos16, stack, entities)
            continue

        # A start tag: name up to whitespace or ">", then attributes.
        i += 1
        name_start = i
        while i < n and text[i] not in _SPACE and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[name_start:i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
        tag = _OpenTag(name=name, argument="", utf16_start=pos16, byte_offset=byte_offset(begin))
        i = _parse_attributes(text, i, tag)
        if name == "span" and tag.argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag.byte_offset}'
            )
        stack.append(tag)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_attributes(text: str, i: int, tag: _OpenTag) -> int:
    """Reads attributes of ``tag`` from ``text[i]`` up to and including ">"; returns the next index."""
    n = len(text)
    unclosed = f"Unclosed start tag at byte offset {tag.byte_offset}"
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] == ">":
            return i + 1
        attr_start = i
        while i < n and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        attr = text[attr_start:i].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag.name}" at byte offset {tag.byte_offset}'
            )
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] != "=":
            # Only <blockquote expandable> may carry a bare attribute.
            if tag.name == "blockquote" and attr == "expandable":
                tag.expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag.name}" '
                f"at byte offset {tag.byte_offset}"
            )
        i += 1
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            value_chars: list[str] = []
            while i < n and text[i] != quote:
                # Entities are decoded inside values; a lone "&" stays literal, as in Telegram.
                decoded = _decode_entity(text, i) if text[i] == "&" else None
                if decoded is not None:
                    value_chars.append(decoded[0])
                    i = decoded[1]
                else:
                    value_chars.append(text[i])
                    i += 1
            if i >= n:
                raise EntityParseError(unclosed)
            i += 1
            value = "".join(value_chars)
        else:
            token_start = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i >= n or (text[i] not in _SPACE and text[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {len(text[:token_start].encode())}"
                )
            value = text[token_start:i].lower()
        if tag.name == "a" and attr == "href":
            tag.argument = value
        elif tag.name == "code" and attr == "class" and value.startswith("language-"):
            tag.argument = value[len("language-") :]
        elif tag.name == "span" and attr == "class" and value.startswith("tg-"):
            tag.argument = value[len("tg-") :]
        elif tag.name == "tg-emoji" and attr == "emoji-id":
            tag.argument = value
        # Other attributes are ignored, as Telegram does.


def _close_tag(tag: _OpenTag, pos16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]) -> None:
    length = pos16 - tag.utf16_start
    kind = _HTML_TAGS[tag.name]
    if kind == "code" and tag.argument and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        stack[-1].language = tag.argument
        return
    if length <= 0:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {"type": kind, "offset": tag.utf16_start, "length": length}
    if kind == "text_link":
        if not tag.argument:
            return  # <a> without href is plain text
        entity["url"] = tag.argument
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and tag.expandable:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.argument
    entities.append(entity)


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace; entities are shifted and clipped to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the Telegram client attaches to "/start" and the like."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND_RE.finditer(text)
    ]


# --------------------------------------------------------------------------- records


class Upload(NamedTuple):
    """A file that came as a multipart part: how it appears in ``ApiCall.params``."""

    filename: str
    data: bytes


@dataclass
class ApiCall:
    """One request the bot made; ``calls`` lists them in the order they were answered."""

    method: str  # canonical Bot API name, e.g. "sendMessage"
    params: dict[str, Any]  # decoded: JSON parsed, ints as int, files as Upload
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    result: Any = None  # what was answered on success


@dataclass
class StoredMessage:
    """A message as the person sees it now (after edits and deletions)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None = None  # visible text, after HTML parsing
    html: str | None = None  # text as sent, when parse_mode was HTML
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None  # as sent (inline or reply keyboard)
    document: tuple[str, bytes] | None = None  # (file name, content)
    photo: bool = False
    message_thread_id: int | None = None
    reply_to_message_id: int | None = None
    deleted: bool = False
    edited: bool = False
    copied_from: tuple[int, int] | None = None  # (chat_id, message_id)
    raw: dict[str, Any] = field(default_factory=dict)  # Telegram Message JSON
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    forwarded_from: tuple[int, int] | None = None
    sticker: bool = False
    contact: dict[str, Any] | None = None
    sender_id: int | None = None
    media: str | None = None  # video, animation, voice, audio or video_note

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (text, callback_data); [] if there is none."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    def button(self, text: str) -> str:
        """callback_data of the button whose text is ``text`` (or uniquely contains it)."""
        flat = [b for row in (self.reply_markup or {}).get("inline_keyboard") or [] for b in row]
        found = [b for b in flat if b.get("text") == text] or [b for b in flat if text in b.get("text", "")]
        if len(found) != 1:
            problem = "no button" if not found else f"{len(found)} buttons"
            raise AssertionError(f"{problem} matching {text!r} in {self.describe()}")
        data = found[0].get("callback_data")
        if data is None:
            raise AssertionError(f"button {found[0].get('text')!r} has no callback_data: {found[0]}")
        return str(data)

    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of a ReplyKeyboardMarkup sent with this message, buttons as dicts."""
        rows = (self.reply_markup or {}).get("keyboard")
        if rows is None:
            raise AssertionError(f"no reply keyboard on {self.describe()}")
        return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]

    def describe(self) -> str:
        """One line for assertion messages."""
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        flags = "".join(
            f" [{name}]" for name, on in (("deleted", self.deleted), ("edited", self.edited)) if on
        )
        if self.text is not None:
            body = repr(self.text if len(self.text) <= 120 else self.text[:117] + "...")
        elif self.document is not None:
            body = f"document {self.document[0]!r} caption={self.caption!r}"
        elif self.photo:
            body = f"photo caption={self.caption!r}"
        else:
            body = "sticker" if self.sticker else "contact" if self.contact else self.media or "(no text)"
        keys = self.buttons()
        buttons = f" buttons={[[t for t, _ in row] for row in keys]}" if keys else ""
        return f"#{self.message_id} {who}{flags}: {body}{buttons}"


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    kind: str  # document | photo | sticker
    data: bytes
    file_name: str | None
    file_path: str

    def document_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
            mime, _ = mimetypes.guess_type(self.file_name)
            if mime:
                doc["mime_type"] = mime
        return doc

    def photo_json(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": 800,
                "height": 600,
            }
        ]


@dataclass
class _Chat:
    info: dict[str, Any]  # Telegram Chat JSON
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_message_id: int = 0
    members: set[int] = field(default_factory=set)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_can_manage_topics: bool = True  # the bot's administrator right in a forum
    admins: list[int] = field(default_factory=list)  # people, the first one the owner (creator)

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.info["type"] == "private")

    @property
    def is_forum(self) -> bool:
        return bool(self.info.get("is_forum"))

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class _FailRule:
    method: str  # lower case
    error_code: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None


def _html_error_page(code: int, phrase: str) -> str:
    """What the front-end server answers when the Bot API behind it is down (nginx's page)."""
    title = f"{code} {phrase}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@dataclass
class _Outage:
    until: float  # on TelegramStandIn.clock
    error_code: int
    methods: frozenset[str] | None  # lower case; None: every method
    html: bool


class _ApiError(Exception):
    html = False  # answer as an HTML error page (Telegram's front-end during an outage)

    def __init__(
        self, code: int, description: str, *, retry_after: int | None = None, html: bool = False,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        self.html = html
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


def _bad(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


# Fields whose value is text even when it looks like JSON ("123", "true").
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "description", "short_description", "name", "data", "title",
        "callback_query_id", "inline_message_id", "file_id", "parse_mode", "url", "action",
        "language_code", "emoji", "icon_custom_emoji_id", "business_connection_id",
        "message_effect_id", "document", "photo", "sticker", "video", "audio", "voice",
        "animation", "thumbnail", "phone_number", "first_name", "last_name", "vcard",
        "secret_token", "ip_address", "certificate", "custom_title", "query",
    }
)  # fmt: skip
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")

# Keys that carry a message's content, copied by copyMessage/forwardMessage.
_CONTENT_KEYS = (
    "text", "entities", "caption", "caption_entities", "document", "photo", "sticker", "contact",
    "video", "animation", "voice", "audio", "video_note",
)  # fmt: skip
# Other kinds of media a person may send (user_message(media=...)), with their required fields.
_MEDIA_FIELDS: dict[str, dict[str, Any]] = {
    "video": {"width": 640, "height": 360, "duration": 5},
    "animation": {"width": 320, "height": 240, "duration": 2},
    "voice": {"duration": 3},
    "audio": {"duration": 60},
    "video_note": {"length": 240, "duration": 4},
}
_MEDIA_KINDS = frozenset(_MEDIA_FIELDS)
_MEDIA_BYTES = b"stand-in media"
_ANONYMOUS_ADMIN_BOT = 1087968824  # "GroupAnonymousBot", the sender Telegram shows for anonymous admins
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_INLINE_BUTTON_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
)  # fmt: skip
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")

# A placeholder image for photos a person "sends"; its bytes are never decoded.
_PHOTO_BYTES = b"\x89PNG\r\n\x1a\n stand-in photo"
_STICKER_BYTES = b"RIFF\x00\x00\x00\x00WEBP stand-in sticker"

_Handler = Callable[..., Any]
_METHODS: dict[str, tuple[str, _Handler]] = {}


def _api(name: str) -> Callable[[_Handler], _Handler]:
    """Registers a Bot API method handler; names are matched case-insensitively."""

    def register(fn: _Handler) -> _Handler:
        _METHODS[name.lower()] = (name, fn)
        return fn

    return register


# --------------------------------------------------------------------------- server


class TelegramStandIn:
    """An in-process Bot API server holding a small Telegram world. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_id: int = 123456,
        bot_username: str = "privacy_test_bot",
        bot_name: str = "Privacy Bot",
        keep_history: bool = True,
    ) -> None:
        self.token = token
        # False (benchmarks with many recipients): what the bot sends to private chats is not
        # stored, and the calls that sent it are not appended to ``calls``; observers still see
        # every call, and group chats (the operators' chat) keep their messages as usual.
        self.keep_history = keep_history
        self.url = ""
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.strict_html = True  # see the module docstring: bare "&" is rejected

        # What the bot did.
        self.calls: list[ApiCall] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.scoped_commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.names: dict[str | None, str] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []  # every update ever produced

        # Behaviour controls.
        self.blocked: set[int] = set()
        self.deleted_users: set[int] = set()

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _File] = {}
        self._files_by_path: dict[str, _File] = {}
        self._fail_rules: list[_FailRule] = []
        # What ApiCall.at and outages (fail_for) are measured on; a test driving the bot on a
        # manual clock passes that clock's monotonic(), so both sides see the same seconds.
        self.clock: Callable[[], float] = time.monotonic
        self._outages: list[_Outage] = []
        self._migrated: dict[int, int] = {}  # old group id → its supergroup's id
        self._removed_from: set[int] = set()  # groups the bot was removed from
        self._pending: list[dict[str, Any]] = []  # updates not yet confirmed via offset
        self._issued_callbacks: set[str] = set()
        self._answered_callback_ids: set[str] = set()
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._updates_ready: asyncio.Event | None = None
        self._waiters: list[asyncio.Future[None]] = []
        # Callables told of every answered request (benchmarks measure latency with these).
        self.observers: list[Callable[[ApiCall], None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        # Webhook (setWebhook): Telegram's record of it, and where the stand-in really posts.
        self.webhook: dict[str, Any] | None = None
        self.webhook_target: str | None = None  # e.g. the bot's http://127.0.0.1:PORT/path
        self._webhook_task: asyncio.Task[None] | None = None
        # The bot's membership of groups, where it is not the default administrator.
        self._bot_members: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Starts listening; port 0 picks a free one. ``self.url`` is set afterwards."""
        self._closing = False
        self._updates_ready = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram allows 50 MB uploads
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # A short shutdown timeout: pending long polls are released in stop() anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        log.debug("Telegram stand-in listening on %s", self.url)

    async def stop(self) -> None:
        """Releases waiting long polls and stops the server."""
        self._closing = True
        if self._updates_ready is not None:
            self._updates_ready.set()
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def api_server(self) -> TelegramAPIServer:
        if not self.url:
            raise RuntimeError("start() the stand-in before asking for its address")
        return TelegramAPIServer.from_base(self.url)

    def create_bot(self, default: DefaultBotProperties | None = None) -> Bot:
        """A real aiogram Bot wired to this stand-in; close it with ``await bot.session.close()``."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        return Bot(self.token, session=AiohttpSession(api=self.api_server()), default=default)

    # ------------------------------------------------------------ the world

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A person who has started the bot: their private chat exists and accepts messages."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat = self._open_private_chat(user_id)
        chat.info = self._private_chat_info(user)
        return dict(user)

    def add_group(
        self,
        chat_id: int,
        *,
        title: str = "Operators",
        is_forum: bool = False,
        members: Iterable[int] = (),
        bot_can_manage_topics: bool = True,
        admins: Iterable[int] | None = None,
    ) -> dict[str, Any]:
        """A supergroup the bot is an administrator of. Calling it again updates it.

        ``bot_can_manage_topics=False``: in a forum, the bot lacks the right to create topics.
        ``admins``: the people who administer it (the first is its owner), as getChatAdministrators
        reports them; they are members too. Not given: the admins set before are kept.
        """
        if chat_id >= 0:
            raise ValueError(f"supergroup ids are negative, got {chat_id}")
        info: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
        if is_forum:
            info["is_forum"] = True
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(info=info)
        chat.info = info
        chat.bot_can_manage_topics = bot_can_manage_topics
        self._removed_from.discard(chat_id)
        for user_id in members:
            self._ensure_user(user_id)
            chat.members.add(user_id)
        if admins is not None:
            chat.admins = list(dict.fromkeys(admins))
            for user_id in chat.admins:
                self._ensure_user(user_id)
                chat.members.add(user_id)
        return dict(info)

    def set_bot_member(self, chat_id: int, status: str, **rights: bool) -> None:
        """The bot's membership of a group: "administrator" (the default, every right),
        "member", "restricted" (with e.g. can_send_messages=False), "left" or "kicked".
        Administrator rights given here (e.g. can_manage_topics=False) override the defaults."""
        if status not in ("administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(f"unknown chat member status {status!r}")
        if chat_id not in self._chats or self._chats[chat_id].is_private:
            raise ValueError(f"call add_group({chat_id}) first")
        self._bot_members[chat_id] = {"status": status, **rights}

    def _bot_status(self, chat: _Chat) -> str:
        return "member" if chat.is_private else self._bot_members.get(chat.id, {}).get("status", "administrator")

    def _ensure_user(self, user_id: int) -> dict[str, Any]:
        """A known person; unlike add_user this does not mean they have started the bot."""
        if user_id not in self._users:
            self._users[user_id] = {"id": user_id, "is_bot": False, "first_name": "Test"}
        return self._users[user_id]

    @staticmethod
    def _private_chat_info(user: dict[str, Any]) -> dict[str, Any]:
        info = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        info.update({k: user[k] for k in ("last_name", "username") if k in user})
        return info

    def _open_private_chat(self, user_id: int) -> _Chat:
        chat = self._chats.get(user_id)
        if chat is None:
            info = self._private_chat_info(self._ensure_user(user_id))
            chat = self._chats[user_id] = _Chat(info=info, members={user_id})
        return chat

    def _chat_for_person(self, user_id: int, chat_id: int | None) -> _Chat:
        if chat_id is None or chat_id == user_id:
            return self._open_private_chat(user_id)
        chat = self._chats.get(chat_id)
        if chat is None or chat.is_private:
            raise AssertionError(f"chat {chat_id} is unknown to the stand-in; call add_group() first")
        chat.members.add(user_id)
        return chat

    # ------------------------------------------------------------ incoming updates

    def user_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        sticker: bool = False,
        photo: bool = False,
        document: tuple[str, bytes] | None = None,
        caption: str | None = None,
        contact: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        media: str | None = None,
        media_group_id: str | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """A person sends a message; returns the queued Update.

        ``media``: one of video, animation, voice, audio, video_note (placeholder files);
        ``media_group_id``: the message is part of an album; ``anonymous``: an anonymous group
        admin posts it (Telegram shows the group as the sender: ``sender_chat``, and ``from`` is
        the GroupAnonymousBot).

        In a private chat the person counts as having started the bot. If they had
        blocked it, Telegram unblocks first and reports that; so does this.
        """
        user = self._ensure_user(user_id)
        if media is not None and media not in _MEDIA_KINDS:
            raise ValueError(f"media must be one of {sorted(_MEDIA_KINDS)}, got {media!r}")
        kind = media
        media = sticker or photo or document is not None or kind is not None  # type: ignore[assignment]
        if text is not None and (media or contact is not None):
            raise ValueError("a message has either text or media/contact; use caption= for media")
        if caption is not None and not media:
            raise ValueError("caption= needs photo=, document= or sticker=")
        if user_id in self.blocked and (chat_id is None or chat_id == user_id):
            self.my_chat_member(user_id, "member")
        chat = self._chat_for_person(user_id, chat_id)

        content: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        if text is not None:
            content["text"] = text
            ents = entities if entities is not None else _command_entities(text)
            if ents:
                content["entities"] = ents
            fields.update(text=text, entities=list(ents))
        if sticker:
            rec = self._register_file("sticker", _STICKER_BYTES, None)
            content["sticker"] = {
                "file_id": rec.file_id,
                "file_unique_id": rec.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
            fields["sticker"] = True
        if photo:
            rec = self._register_file("photo", _PHOTO_BYTES, None)
            content["photo"] = rec.photo_json()
            fields["photo"] = True
        if document is not None:
            rec = self._register_file("document", document[1], document[0])
            content["document"] = rec.document_json()
            fields["document"] = (document[0], document[1])
        if kind is not None:
            rec = self._register_file("document", _MEDIA_BYTES, f"{kind}.bin")
            content[kind] = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id, **_MEDIA_FIELDS[kind]}
            fields["media"] = kind
        if caption is not None:
            content["caption"] = caption
            fields["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        if contact is not None:
            if "phone_number" not in contact:
                raise ValueError("a contact needs phone_number")
            content["contact"] = {"first_name": user["first_name"], **contact}
            fields["contact"] = content["contact"]
        if not content:
            raise ValueError("user_message needs text, media or a contact")

        reply = None
        if reply_to_message_id is not None:
            reply = chat.messages.get(reply_to_message_id)
            if reply is None or reply.deleted:
                raise AssertionError(
                    f"message {reply_to_message_id} to reply to is not in chat {chat.id}:\n"
                    + self._listing(chat.id)
                )
        thread = message_thread_id
        if thread is None and reply is not None and chat.is_forum:
            thread = reply.message_thread_id
        if thread is not None and chat.is_forum and thread not in chat.topics:
            # A person may post in a topic someone else made; the stand-in learns of it now.
            chat.topics[thread] = {
                "message_thread_id": thread,
                "name": f"Topic {thread}",
                "icon_color": 7322096,
            }

        if anonymous:
            if chat.is_private:
                raise ValueError("only a group admin can post anonymously")
            content["sender_chat"] = dict(chat.info)
            user = {"id": _ANONYMOUS_ADMIN_BOT, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
        msg = self._store(
            chat, sender=user, from_bot=False, content=content, thread=thread, reply=reply, **fields
        )
        return self._queue_update("message", msg.raw)

    def edited_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A person edits the text of a message they sent."""
        chat = self._chat_for_person(user_id, chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.from_bot or msg.sender_id != user_id or msg.text is None:
            raise AssertionError(
                f"user {user_id} has no text message {message_id} in chat {chat.id}:\n"
                + self._listing(chat.id)
            )
        ents = _command_entities(text)
        msg.text, msg.entities, msg.edited = text, ents, True
        msg.raw["text"] = text
        msg.raw.pop("entities", None)
        if ents:
            msg.raw["entities"] = ents
        msg.raw["edit_date"] = int(time.time())
        return self._queue_update("edited_message", msg.raw)

    def callback(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A person presses an inline button of a bot message; returns the queued Update."""
        user = self._ensure_user(user_id)
        cid = user_id if chat_id is None else chat_id
        chat = self._chats.get(cid)
        msg = chat.messages.get(message_id) if chat else None
        if chat is None or msg is None or msg.deleted or not msg.from_bot:
            raise AssertionError(
                f"no bot message {message_id} in chat {cid} to press a button on:\n" + self._listing(cid)
            )
        query_id = str(next(self._callback_ids))
        self._issued_callbacks.add(query_id)
        payload = {
            "id": query_id,
            "from": user,
            "message": msg.raw,
            "chat_instance": str(abs(cid) * 7919 % 1_000_000_007),
            "data": data,
        }
        return self._queue_update("callback_query", payload)

    def press(
        self, user_id: int, button_text: str, *, chat_id: int | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Presses the button labelled ``button_text`` (default: on the last bot message)."""
        cid = user_id if chat_id is None else chat_id
        if message_id is None:
            msg = self.last_bot_message(cid)
        else:
            found = self._chats[cid].messages.get(message_id) if cid in self._chats else None
            if found is None:
                raise AssertionError(f"no message {message_id} in chat {cid}:\n" + self._listing(cid))
            msg = found
        return self.callback(user_id, msg.message_id, msg.button(button_text), chat_id=chat_id)

    def promote(self, chat_id: int, user_id: int, *, admin: bool = True) -> dict[str, Any]:
        """The group's owner makes a member an administrator (or takes it back); returns the
        chat_member Update Telegram sends to a bot that administers the group."""
        chat = self._chats[chat_id]
        user = self._ensure_user(user_id)
        was = user_id in chat.admins
        chat.members.add(user_id)
        if admin and not was:
            chat.admins.append(user_id)
        elif not admin and was:
            chat.admins.remove(user_id)
        owner = self._users[chat.admins[0]] if chat.admins else user

        def state(is_admin: bool) -> dict[str, Any]:
            return {**self._admin_json(), "user": dict(user)} if is_admin else self._member_json("member", user)

        payload = {
            "chat": dict(chat.info),
            "from": dict(owner),
            "date": int(time.time()),
            "old_chat_member": state(was),
            "new_chat_member": state(admin),
        }
        return self._queue_update("chat_member", payload)

    def my_chat_member(self, user_id: int, status: str) -> dict[str, Any]:
        """The person blocks ("kicked") or unblocks ("member") the bot in their private chat."""
        if status not in ("kicked", "member"):
            raise ValueError(f'status must be "kicked" or "member", got {status!r}')
        user = self._ensure_user(user_id)
        chat = self._open_private_chat(user_id)
        old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")
        if status == "kicked":
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        payload = {
            "chat": chat.info,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": self._member_json(old, self.bot_user),
            "new_chat_member": self._member_json(new, self.bot_user),
        }
        return self._queue_update("my_chat_member", payload)

    def _queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self._pending.append(update)
        if self._updates_ready is not None:
            self._updates_ready.set()
        self._notify()
        return copy.deepcopy(update)

    # ------------------------------------------------------------ what the bot did

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Every message in the chat in order, deleted ones included (``deleted=True``)."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int, *, include_deleted: bool = False) -> StoredMessage:
        """The last bot message the person can see (or the last at all, with include_deleted)."""
        for msg in reversed(self.bot_messages(chat_id)):
            if include_deleted or not msg.deleted:
                return msg
        raise AssertionError(f"the bot has no visible message in chat {chat_id}:\n" + self._listing(chat_id))

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one method (case-insensitive name)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def topics(self, chat_id: int) -> dict[int, dict[str, Any]]:
        """Forum topics of a group by message_thread_id."""
        chat = self._chats.get(chat_id)
        return dict(chat.topics) if chat else {}

    def _listing(self, chat_id: int) -> str:
        chat = self._chats.get(chat_id)
        if chat is None:
            known = ", ".join(str(c) for c in self._chats) or "none"
            return f"  (chat {chat_id} is unknown; known chats: {known})"
        if not chat.messages:
            return f"  (chat {chat_id} has no messages)"
        return "\n".join("  " + m.describe() for m in chat.messages.values())

    # ------------------------------------------------------------ waiting (for tests driving a running bot)

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(
        self, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """Waits until ``predicate()`` is truthy (re-checked after every request); returns its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = (
                    "\n".join(f"  {c.method} ok={c.ok} {c.description or ''}" for c in self.calls[-10:])
                    or "  (no calls)"
                )
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; last calls:\n{recent}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, remaining)

    async def wait_for_call(self, method: str, *, since: int = 0, timeout: float = 5.0) -> ApiCall:
        """The first call of ``method`` at index >= ``since`` in ``calls``.

        Pass ``since=len(tg.calls)`` taken before acting to skip earlier calls.
        """

        def find() -> ApiCall | None:
            return next((c for c in self.calls[since:] if c.method.lower() == method.lower()), None)

        call: ApiCall = await self.wait_until(find, timeout=timeout, what=f"a {method} call")
        return call

    async def wait_bot_message(
        self, chat_id: int, *, after_message_id: int = 0, timeout: float = 5.0
    ) -> StoredMessage:
        """The first bot message in the chat with an id above ``after_message_id``."""

        def find() -> StoredMessage | None:
            return next((m for m in self.bot_messages(chat_id) if m.message_id > after_message_id), None)

        what = f"a bot message in chat {chat_id}"
        msg: StoredMessage = await self.wait_until(find, timeout=timeout, what=what)
        return msg

    # ------------------------------------------------------------ behaviour controls

    def block(self, user_id: int) -> None:
        """The person has blocked the bot: sends to their private chat answer 403."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (only to ``chat_id`` if given) fail this way."""
        if method.lower() not in _METHODS:
            raise ValueError(f"the stand-in does not implement {method!r}; a typo?")
        if error_code == 429 and retry_after is None:
            retry_after = 1  # aiogram raises TelegramRetryAfter only with a positive retry_after
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            elif error_code == 403:
                description = "Forbidden: bot was blocked by the user"
            else:
                description = HTTPStatus(error_code).phrase
        self._fail_rules.append(
            _FailRule(method.lower(), error_code, description, retry_after, times, chat_id)
        )

    def fail_for(
        self,
        seconds: float,
        *,
        error_code: int = 502,
        methods: Iterable[str] | None = None,
        html: bool = True,
    ) -> None:
        """An outage: every call (or every call of ``methods``) fails for the next ``seconds`` of
        ``self.clock``. With ``html`` (the default for 5xx) the answer is the HTML page Telegram's
        front-end server answers when the Bot API behind it is down ("502 Bad Gateway", not the
        Bot API's JSON); otherwise the Bot API's JSON error. ``error_code=0``: no answer at all,
        the connection is closed (Telegram unreachable). Nothing is carried out meanwhile."""
        names = None
        if methods is not None:
            names = frozenset(m.lower() for m in methods)
            unknown = [m for m in names if m not in _METHODS]
            if unknown:
                raise ValueError(f"the stand-in does not implement {unknown}; a typo?")
        self._outages.append(_Outage(self.clock() + seconds, error_code, names, html))

    def _outage_failure(self, method: str) -> _ApiError | None:
        now = self.clock()
        self._outages = [o for o in self._outages if o.until > now]
        for outage in self._outages:
            if outage.methods is None or method.lower() in outage.methods:
                if outage.error_code == 0:
                    return _ApiError(0, "connection closed without an answer (outage)")
                phrase = HTTPStatus(outage.error_code).phrase
                return _ApiError(outage.error_code, phrase, html=outage.html)
        return None

    def outage(self, *, error_code: int = 502) -> None:
        """Telegram is down: every request fails with the Bot API's JSON error ``error_code``
        until ``end_outage()``."""
        self._outages.append(_Outage(math.inf, error_code, None, html=False))

    def end_outage(self) -> None:
        """Every outage ends now (``outage()``'s and ``fail_for``'s)."""
        self._outages.clear()

    def migrate_group(self, old_chat_id: int, new_chat_id: int) -> dict[str, Any]:
        """The group became a supergroup with a new id: requests naming the old id answer 400
        "group chat was upgraded to a supergroup chat" with ``migrate_to_chat_id``, as Telegram does."""
        old = self._chats.get(old_chat_id)
        if old is None or old.is_private:
            raise AssertionError(f"no group {old_chat_id} to migrate")
        info = self.add_group(new_chat_id, title=str(old.info.get("title", "")), is_forum=old.is_forum,
                              members=old.members, bot_can_manage_topics=old.bot_can_manage_topics,
                              admins=old.admins)
        self._migrated[old_chat_id] = new_chat_id
        return info

    def remove_bot(self, chat_id: int) -> None:
        """The bot was removed (kicked) from the group: requests about it answer 403, as Telegram does."""
        if chat_id not in self._chats or self._chats[chat_id].is_private:
            raise AssertionError(f"no group {chat_id} to remove the bot from")
        self._removed_from.add(chat_id)

    def user_deletes(self, user_id: int, message_id: int, *, chat_id: int | None = None) -> None:
        """The person deletes a message they sent (it can no longer be copied or forwarded)."""
        chat = self._chats.get(user_id if chat_id is None else chat_id)
        msg = chat.messages.get(message_id) if chat else None
        if msg is None or msg.from_bot or msg.sender_id != user_id:
            raise AssertionError(f"user {user_id} has no message {message_id} to delete")
        msg.deleted = True

    def _injected_failure(self, method: str, params: dict[str, Any]) -> _ApiError | None:
        outage = self._outage_failure(method)
        if outage is not None:
            return outage
        for rule in self._fail_rules:
            if rule.method != method.lower():
                continue
            if rule.chat_id is not None and _as_int(params.get("chat_id")) != rule.chat_id:
                continue
            rule.times -= 1
            if rule.times <= 0:
                self._fail_rules.remove(rule)
            return _ApiError(rule.error_code, rule.description, retry_after=rule.retry_after)
        return None

    # ------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = self.clock()
        params = await self._read_params(request)
        requested = request.match_info["method"]
        entry = _METHODS.get(requested.lower())
        call = ApiCall(method=entry[0] if entry else requested, params=params, at=arrived)
        error_page: str | None = None
        dropped = False
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if entry is None:
                raise _ApiError(404, "Not Found: method not found")
            failure = self._injected_failure(call.method, params)
            if failure is not None:
                raise failure
            result = entry[1](self, params)
            if inspect.isawaitable(result):
                result = await result
        except _ApiError as exc:
            call.ok, call.error_code, call.description = False, exc.code, exc.description
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            if exc.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": exc.migrate_to_chat_id}
            status = exc.code
            if exc.code == 0:
                dropped = True
            if exc.html:
                error_page = _html_error_page(exc.code, exc.description)
        except Exception as exc:  # a stand-in bug must show up as a failed request, not a hang
            log.exception("stand-in failed on %s", call.method)
            call.ok, call.error_code, call.description = False, 500, f"Internal Server Error: {exc!r}"
            body = {"ok": False, "error_code": 500, "description": call.description}
            status = 500
        else:
            call.result = result
            body = {"ok": True, "result": result}
            status = 200
        if self.keep_history or not self._private_send(call):
            self.calls.append(call)
        log.debug("%s %s -> %s", call.method, params, "ok" if call.ok else call.description)
        for observer in self.observers:
            observer(call)
        self._notify()
        if dropped and request.transport is not None:
            request.transport.close()  # the client sees the connection close without an answer
            return web.Response(status=502)
        if error_page is not None:
            return web.Response(text=error_page, status=status, content_type="text/html")
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    @staticmethod
    def _private_send(call: ApiCall) -> bool:
        chat_id = _as_int(call.params.get("chat_id"))
        return chat_id is not None and chat_id > 0

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        """Request fields decoded the way Telegram reads them (aiogram sends strings)."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.method == "POST":
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename or key, value.file.read())
                    else:
                        raw[key] = value
        params = {key: self._decode_field(key, value) for key, value in raw.items()}
        attached: set[str] = set()
        for key, value in params.items():
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                attached.add(value[9:])
                params[key] = files[value[9:]]
        for key, upload in files.items():
            if key not in attached:
                params.setdefault(key, upload)  # a file sent under the field name itself
        return params

    @staticmethod
    def _decode_field(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in _STRING_FIELDS:
            return value
        if value in ("true", "false"):
            return value == "true"
        if _INT_RE.fullmatch(value):
            return int(value)
        if _FLOAT_RE.fullmatch(value):
            return float(value)
        if value[:1] in ("{", "["):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        rec = self._files_by_path.get(request.match_info["path"])
        if rec is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=rec.data, content_type="application/octet-stream")

    # ------------------------------------------------------------ shared request logic

    def _target_chat(self, p: dict[str, Any], key: str = "chat_id", *, sending: bool = True) -> _Chat:
        """The chat a request is about, refused as Telegram would refuse it."""
        value = p.get(key)
        if value is None or value == "":
            raise _bad(f"{key} is empty")
        chat_id = _as_int(value)
        if chat_id is None:
            raise _bad("chat not found")  # "@username" chats are not modelled
        if sending and chat_id in self.deleted_users:
            raise _ApiError(403, "Forbidden: user is deactivated")
        if chat_id in self._migrated:
            raise _ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                            migrate_to_chat_id=self._migrated[chat_id])
        if chat_id in self._removed_from:
            raise _ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users:
                # Seen in a group, but never started the bot.
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad("chat not found")
        if sending and chat.is_private and chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        status = self._bot_status(chat)
        if status in ("left", "kicked"):
            # A private group the bot is not in: it cannot even see it.
            if not sending:
                raise _bad("chat not found")
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {chat.info['type']} chat")
            raise _ApiError(403, f"Forbidden: bot is not a member of the {chat.info['type']} chat")
        if sending and status == "restricted" and not self._bot_members[chat.id].get("can_send_messages", False):
            raise _bad("not enough rights to send text messages to the chat")
        return chat

    def _parse_formatted(
        self,
        p: dict[str, Any],
        key: str,
        entities_key: str,
        *,
        limit: int,
        too_long: str,
        empty_error: str | None,
    ) -> tuple[str | None, list[dict[str, Any]], str | None]:
        """(visible text, entities, html as sent) of a text or caption field, validated."""
        value = p.get(key)
        if value is None or value == "":
            if empty_error:
                raise _bad(empty_error)
            return None, [], None
        value = str(value)
        mode = str(p.get("parse_mode") or "").lower()
        html: str | None = None
        if mode == "html":
            try:
                plain, entities = parse_html(value, strict_ampersand=self.strict_html)
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
            html = value
        elif mode in ("markdownv2", "markdown"):
            plain, entities = value, []  # not parsed: see the module docstring
        elif mode == "":
            given = p.get(entities_key)
            plain, entities = value, list(given) if isinstance(given, list) else []
        else:
            raise _bad("unsupported parse_mode")
        plain, entities = _strip_text(plain, entities)
        if not plain:
            if empty_error:
                raise _bad(empty_error)
            return None, [], html
        if utf16_len(plain) > limit:
            raise _bad(too_long)
        return plain, entities, html

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> None:
        if markup is None:
            return
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise _bad("inline keyboard expected")
            if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                raise _bad("can't parse reply keyboard markup JSON object")
            return
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        buttons = [b for row in rows for b in row]
        if len(buttons) > INLINE_BUTTONS_LIMIT:
            raise _bad("reply markup is too long")
        for button in buttons:
            if not isinstance(button, dict):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            text = button.get("text")
            has_action = any(k in button for k in _INLINE_BUTTON_ACTIONS)
            if not isinstance(text, str) or not text.strip() or not has_action:
                raise _bad("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = str(button["callback_data"])
                if not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).strip():
                raise _bad("BUTTON_URL_INVALID")

    def _resolve_reply(self, chat: _Chat, p: dict[str, Any]) -> StoredMessage | None:
        params = p.get("reply_parameters")
        if isinstance(params, dict):
            message_id = _as_int(params.get("message_id"))
            allow = bool(params.get("allow_sending_without_reply", p.get("allow_sending_without_reply")))
            other = _as_int(params.get("chat_id"))
            source = self._chats.get(other) if other is not None else chat
        else:
            message_id = _as_int(p.get("reply_to_message_id"))
            allow = bool(p.get("allow_sending_without_reply"))
            source = chat
        if message_id is None:
            return None
        msg = source.messages.get(message_id) if source else None
        if msg is None or msg.deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return msg

    @staticmethod
    def _resolve_thread(chat: _Chat, p: dict[str, Any], reply: StoredMessage | None) -> int | None:
        thread = _as_int(p.get("message_thread_id"))
        if thread is None and reply is not None and chat.is_forum and reply.chat_id == chat.id:
            thread = reply.message_thread_id  # a reply lands in the topic of what it answers
        # Thread 1 is the General topic, which always exists.
        if thread is not None and chat.is_forum and thread != 1 and thread not in chat.topics:
            raise _bad("message thread not found")
        return thread

    def _deliver(
        self, chat: _Chat, p: dict[str, Any], content: dict[str, Any], **fields: Any
    ) -> StoredMessage:
        """Validates the common send parameters and stores a bot message."""
        markup = p.get("reply_markup")
        self._check_markup(markup)
        reply = self._resolve_reply(chat, p)
        thread = self._resolve_thread(chat, p, reply)
        return self._store(
            chat, sender=self.bot_user, from_bot=True, content=content, thread=thread, reply=reply,
            reply_markup=markup, **fields,
        )  # fmt: skip

    def _store(
        self,
        chat: _Chat,
        *,
        sender: dict[str, Any],
        from_bot: bool,
        content: dict[str, Any],
        thread: int | None,
        reply: StoredMessage | None,
        reply_markup: dict[str, Any] | None = None,
        **fields: Any,
    ) -> StoredMessage:
        message_id = chat.next_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(sender),
            "date": int(time.time()),
            "chat": dict(chat.info),
        }
        if thread is not None:
            raw["message_thread_id"] = thread
            if chat.is_forum:
                raw["is_topic_message"] = True
        if reply is not None:
            quoted = copy.deepcopy(reply.raw)
            quoted.pop("reply_to_message", None)  # Telegram nests only one level
            raw["reply_to_message"] = quoted
        raw.update(copy.deepcopy(content))
        inline = self._inline(reply_markup)
        if inline is not None:
            raw["reply_markup"] = inline  # Message JSON carries inline keyboards only
        msg = StoredMessage(
            message_id=message_id,
            chat_id=chat.id,
            from_bot=from_bot,
            sender_id=sender["id"],
            message_thread_id=thread,
            reply_to_message_id=reply.message_id if reply else None,
            reply_markup=reply_markup,
            raw=raw,
            **fields,
        )
        if self.keep_history or not (from_bot and chat.is_private):
            chat.messages[message_id] = msg
        return msg

    @staticmethod
    def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        return markup if markup is not None and "inline_keyboard" in markup else None

    def _register_file(self, kind: str, data: bytes, file_name: str | None) -> _File:
        n = next(self._file_ids)
        prefix = {"document": "BQACAgIAAxk", "photo": "AgACAgIAAxk", "sticker": "CAACAgIAAxk"}[kind]
        folder = {"document": "documents", "photo": "photos", "sticker": "stickers"}[kind]
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        rec = _File(
            file_id=f"{prefix}{n:012d}",
            file_unique_id=f"AgAD{n:08d}",
            kind=kind,
            data=data,
            file_name=file_name,
            file_path=f"{folder}/file_{n}{suffix}",
        )
        self._files[rec.file_id] = rec
        self._files_by_path[rec.file_path] = rec
        return rec

    def _input_file(self, p: dict[str, Any], key: str) -> _File:
        value = p.get(key)
        if value is None or value == "":
            raise _bad(f"there is no {key} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise _bad("file must be non-empty")
            return self._register_file(key, value.data, value.filename)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")  # the stand-in never goes online
        rec = self._files.get(str(value))
        if rec is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        return rec

    def _editable(self, p: dict[str, Any]) -> tuple[_Chat, StoredMessage]:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # inline mode is not modelled
        chat = self._target_chat(p)
        message_id = _as_int(p.get("message_id"))
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise _bad("message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        return chat, msg

    def _apply_markup_edit(self, msg: StoredMessage, markup: dict[str, Any] | None) -> None:
        # An edit without reply_markup removes an inline keyboard; a reply keyboard stays.
        if markup is not None or self._inline(msg.reply_markup) is not None:
            msg.reply_markup = markup
        msg.raw.pop("reply_markup", None)
        if markup is not None:
            msg.raw["reply_markup"] = markup
        msg.edited = True
        msg.raw["edit_date"] = int(time.time())

    @staticmethod
    def _member_json(status: str, user: dict[str, Any]) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": dict(user)}
        if status == "kicked":
            member["until_date"] = 0
        return member

    def _admin_json(self) -> dict[str, Any]:
        rights = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
            "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
            "can_delete_stories", "can_pin_messages", "can_manage_topics",
        )  # fmt: skip
        member: dict[str, Any] = {"status": "administrator", "user": dict(self.bot_user)}
        member.update(dict.fromkeys(rights, True))
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
            can_send_welcome_messages=False,
        )
        return member

    def _bot_member_json(self, chat: _Chat) -> dict[str, Any]:
        status = self._bot_status(chat)
        rights = {k: v for k, v in self._bot_members.get(chat.id, {}).items() if k != "status"}
        if status == "administrator":
            return {**self._admin_json(), **rights}
        if status == "restricted":
            member = self._member_json("restricted", self.bot_user)
            permissions = (
                "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
                "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
                "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
                "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics",
            )  # fmt: skip
            member.update({name: bool(rights.get(name, False)) for name in permissions})
            member.update(is_member=True, until_date=0)
            return member
        return self._member_json(status, self.bot_user)

    # ------------------------------------------------------------ methods: bot and updates

    @_api("getMe")
    def _get_me(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("getUpdates")
    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = _as_int(p.get("offset")) or 0
        limit = min(max(_as_int(p.get("limit")) or 100, 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        # Like Telegram: a positive offset confirms every earlier update; a negative
        # one keeps only the last |offset| updates.
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ready = self._updates_ready
        while not self._pending and not self._closing and ready is not None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            ready.clear()
            try:
                await asyncio.wait_for(ready.wait(), remaining)
            except TimeoutError:
                break
        # No copy needed: a queued update is the stand-in's own (copied in _queue_update) and never changed.
        return self._pending[:limit]

    @_api("setWebhook")
    def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = str(p.get("url") or "")
        if not url:  # an empty URL removes the webhook, as deleteWebhook does
            return self._delete_webhook(p)
        # What Telegram answers (core.telegram.org/bots/api#setwebhook): HTTPS only, on ports
        # 443, 80, 88 or 8443; secret_token of 1-256 characters A-Z, a-z, 0-9, _ and -.
        match = re.fullmatch(r"https://([^/:?#]+)(?::(\d+))?([/?#].*)?", url)
        if match is None:
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if int(match.group(2) or 443) not in (443, 80, 88, 8443):
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        allowed = p.get("allowed_updates")
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": list(allowed) if isinstance(allowed, list) else None,
            "max_connections": _as_int(p.get("max_connections")) or 40,
            "last_error_date": None,
            "last_error_message": None,
        }
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook(), name="stand-in-webhook")
        return True

    @_api("deleteWebhook")
    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        return True

    @_api("getWebhookInfo")
    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}
        info: dict[str, Any] = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            "max_connections": self.webhook["max_connections"],
        }
        if self.webhook["allowed_updates"] is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook["last_error_date"] is not None:
            info["last_error_date"] = self.webhook["last_error_date"]
            info["last_error_message"] = self.webhook["last_error_message"]
        return info

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed (by a getUpdates offset, or a webhook's 2xx answer)."""
        return len(self._pending)

    async def post_update(
        self, update: dict[str, Any], *, secret_token: str | None = "", url: str | None = None
    ) -> tuple[int, str]:
        """POST one update as Telegram's webhook does: to ``url`` (default ``webhook_target``),
        with X-Telegram-Bot-Api-Secret-Token set to ``secret_token`` ("" means the secret
        given to setWebhook; None sends no header). Returns (HTTP status, body)."""
        target = url or self.webhook_target
        if target is None:
            raise RuntimeError("set webhook_target (or pass url=) to post an update")
        if secret_token == "":
            secret_token = (self.webhook or {}).get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with ClientSession(timeout=ClientTimeout(total=60)) as session:
            async with session.post(target, data=json.dumps(update, ensure_ascii=False), headers=headers) as answer:
                return answer.status, await answer.text()

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates in order while a webhook is set; a failed post is retried, and
        its reason shows in getWebhookInfo's last_error_message, as Telegram does."""
        while self.webhook is not None and not self._closing:
            if not self._pending or self.webhook_target is None:
                ready = self._updates_ready
                if ready is not None:
                    ready.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ready.wait(), 0.05)
                else:
                    await asyncio.sleep(0.05)
                continue
            update = self._pending[0]
            try:
                status, _ = await self.post_update(update)
            except Exception as error:  # connection refused, timeout
                status, reason = 0, f"Connection failed: {type(error).__name__}"
            else:
                reason = f"Wrong response from the webhook: {status}"
            if 200 <= status < 300:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                self._notify()
                continue
            if self.webhook is not None:
                self.webhook["last_error_date"] = int(time.time())
                self.webhook["last_error_message"] = reason
            await asyncio.sleep(0.2)

    @_api("logOut")
    def _log_out(self, p: dict[str, Any]) -> bool:
        return True

    @_api("close")
    def _close(self, p: dict[str, Any]) -> bool:
        return True

    # ------------------------------------------------------------ methods: sending

    @_api("sendMessage")
    def _send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p)
        text, entities, html = self._parse_formatted(
            p, "text", "entities", limit=TEXT_LIMIT, too_long="message is too long",
            empty_error="message text is empty",
        )  # fmt: skip
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        msg = self._deliver(chat, p, content, text=text, html=html, entities=entities)
        return copy.deepcopy(msg.raw)

    def _send_media(self, p: dict[str, Any], key: str) -> dict[str, Any]:
        chat = self._target_chat(p)
        rec = self._input_file(p, key)
        caption, caption_entities, caption_html = self._parse_formatted(
            p, "caption", "caption_entities", limit=CAPTION_LIMIT, too_long="message caption is too long",
            empty_error=None,
        )  # fmt: skip
        content: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        if key == "photo":
            content["photo"] = rec.photo_json()
            fields["photo"] = True
        else:
            content["document"] = rec.document_json()
            fields["document"] = (rec.file_name or "document", rec.data)
        if caption is not None:
            content["caption"] = caption
            if caption_entities:
                content["caption_entities"] = caption_entities
        msg = self._deliver(
            chat, p, content, caption=caption, caption_html=caption_html, caption_entities=caption_entities,
            **fields,
        )  # fmt: skip
        return copy.deepcopy(msg.raw)

    @_api("sendDocument")
    def _send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(p, "document")

    @_api("sendPhoto")
    def _send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(p, "photo")

    def _source_message(self, p: dict[str, Any], missing: str) -> tuple[_Chat, StoredMessage]:
        source_chat = self._target_chat(p, "from_chat_id", sending=False)
        msg = source_chat.messages.get(_as_int(p.get("message_id")) or 0)
        if msg is None or msg.deleted:
            raise _bad(missing)
        return source_chat, msg

    @staticmethod
    def _content_of(msg: StoredMessage) -> tuple[dict[str, Any], dict[str, Any]]:
        """(Message JSON content keys, StoredMessage fields) to recreate ``msg`` elsewhere."""
        content = {k: copy.deepcopy(msg.raw[k]) for k in _CONTENT_KEYS if k in msg.raw}
        fields = {
            "text": msg.text, "html": msg.html, "entities": list(msg.entities), "caption": msg.caption,
            "caption_html": msg.caption_html, "caption_entities": list(msg.caption_entities),
            "document": msg.document, "photo": msg.photo, "sticker": msg.sticker, "contact": msg.contact,
            "media": msg.media,
        }  # fmt: skip
        return content, fields

    @_api("copyMessage")
    def _copy_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p)
        source_chat, src = self._source_message(p, "message to copy not found")
        content, fields = self._content_of(src)
        if src.text is None and p.get("caption") is not None:
            # A new caption replaces the original one; text messages ignore it.
            caption, caption_entities, caption_html = self._parse_formatted(
                p, "caption", "caption_entities", limit=CAPTION_LIMIT, too_long="message caption is too long",
                empty_error=None,
            )  # fmt: skip
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if caption is not None:
                content["caption"] = caption
                if caption_entities:
                    content["caption_entities"] = caption_entities
            fields.update(caption=caption, caption_html=caption_html, caption_entities=caption_entities)
        msg = self._deliver(chat, p, content, copied_from=(source_chat.id, src.message_id), **fields)
        return {"message_id": msg.message_id}

    @_api("forwardMessage")
    def _forward_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p)
        source_chat, src = self._source_message(p, "message to forward not found")
        content, fields = self._content_of(src)
        content["forward_origin"] = {
            "type": "user",
            "sender_user": copy.deepcopy(src.raw["from"]),
            "date": src.raw["date"],
        }
        p = {k: v for k, v in p.items() if k != "reply_markup"}  # forwards carry no keyboard
        msg = self._deliver(chat, p, content, forwarded_from=(source_chat.id, src.message_id), **fields)
        return copy.deepcopy(msg.raw)

    @_api("sendChatAction")
    def _send_chat_action(self, p: dict[str, Any]) -> bool:
        self._target_chat(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    # ------------------------------------------------------------ methods: editing

    @_api("editMessageText")
    def _edit_message_text(self, p: dict[str, Any]) -> dict[str, Any]:
        _, msg = self._editable(p)
        text, entities, html = self._parse_formatted(
            p, "text", "entities", limit=TEXT_LIMIT, too_long="message is too long",
            empty_error="message text is empty",
        )  # fmt: skip
        if msg.text is None:
            raise _bad("there is no text in the message to edit")
        markup = p.get("reply_markup")
        self._check_markup(markup, inline_only=True)
        if text == msg.text and entities == msg.entities and markup == self._inline(msg.reply_markup):
            raise _bad(NOT_MODIFIED)
        msg.text, msg.entities, msg.html = text, entities, html
        msg.raw["text"] = text
        msg.raw.pop("entities", None)
        if entities:
            msg.raw["entities"] = entities
        self._apply_markup_edit(msg, markup)
        return copy.deepcopy(msg.raw)

    @_api("editMessageCaption")
    def _edit_message_caption(self, p: dict[str, Any]) -> dict[str, Any]:
        _, msg = self._editable(p)
        if msg.text is not None:
            raise _bad("there is no caption in the message to edit")
        caption, caption_entities, caption_html = self._parse_formatted(
            p, "caption", "caption_entities", limit=CAPTION_LIMIT, too_long="message caption is too long",
            empty_error=None,
        )  # fmt: skip
        markup = p.get("reply_markup")
        self._check_markup(markup, inline_only=True)
        if (
            caption == msg.caption
            and caption_entities == msg.caption_entities
            and markup == self._inline(msg.reply_markup)
        ):
            raise _bad(NOT_MODIFIED)
        msg.caption, msg.caption_entities, msg.caption_html = caption, caption_entities, caption_html
        msg.raw.pop("caption", None)
        msg.raw.pop("caption_entities", None)
        if caption is not None:
            msg.raw["caption"] = caption
            if caption_entities:
                msg.raw["caption_entities"] = caption_entities
        self._apply_markup_edit(msg, markup)
        return copy.deepcopy(msg.raw)

    @_api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p: dict[str, Any]) -> dict[str, Any]:
        _, msg = self._editable(p)
        markup = p.get("reply_markup")
        self._check_markup(markup, inline_only=True)
        if markup == self._inline(msg.reply_markup):
            raise _bad(NOT_MODIFIED)
        self._apply_markup_edit(msg, markup)
        return copy.deepcopy(msg.raw)

    @_api("deleteMessage")
    def _delete_message(self, p: dict[str, Any]) -> bool:
        chat = self._target_chat(p, sending=False)
        msg = chat.messages.get(_as_int(p.get("message_id")) or 0)
        if msg is None or msg.deleted:
            raise _bad("message to delete not found")
        msg.deleted = True
        return True

    @_api("deleteMessages")
    def _delete_messages(self, p: dict[str, Any]) -> bool:
        chat = self._target_chat(p, sending=False)
        for message_id in p.get("message_ids") or []:
            msg = chat.messages.get(_as_int(message_id) or 0)
            if msg is not None:
                msg.deleted = True  # Telegram skips the ones it cannot find
        return True

    @_api("answerCallbackQuery")
    def _answer_callback_query(self, p: dict[str, Any]) -> bool:
        text = str(p.get("text") or "")
        if len(text) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        query_id = str(p.get("callback_query_id") or "")
        if query_id in self._answered_callback_ids:
            # Answering twice is a real bug (e.g. a middleware and a handler both answer).
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if query_id in self._issued_callbacks:
            self._answered_callback_ids.add(query_id)
        self.answered_callbacks.append(dict(p))
        return True

    # ------------------------------------------------------------ methods: chats and files

    @_api("getChat")
    def _get_chat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p, sending=False)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    @_api("getChatMember")
    def _get_chat_member(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p, sending=False)
        user_id = _as_int(p.get("user_id"))
        if user_id == self.bot_user["id"]:
            if chat.is_private:
                return self._member_json("member", self.bot_user)
            return self._bot_member_json(chat)
        if user_id is None or user_id not in self._users:
            raise _bad("user not found")
        status = "member" if user_id in chat.members else "left"
        return self._member_json(status, self._users[user_id])

    @_api("getChatAdministrators")
    def _get_chat_administrators(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._target_chat(p, sending=False)
        if chat.is_private:
            raise _bad("there are no administrators in the private chat")
        # Bots other than this one are left out, as Telegram does unless return_bots is passed.
        result = [self._admin_json()]
        for index, user_id in enumerate(chat.admins):
            if index == 0:
                member = {**self._member_json("creator", self._users[user_id]), "is_anonymous": False}
            else:
                member = {**self._admin_json(), "user": dict(self._users[user_id])}
            result.append(member)
        return result

    @_api("leaveChat")
    def _leave_chat(self, p: dict[str, Any]) -> bool:
        self._target_chat(p, sending=False)
        return True

    @_api("pinChatMessage")
    def _pin_chat_message(self, p: dict[str, Any]) -> bool:
        chat = self._target_chat(p)
        msg = chat.messages.get(_as_int(p.get("message_id")) or 0)
        if msg is None or msg.deleted:
            raise _bad("message to pin not found")
        return True

    @_api("unpinChatMessage")
    def _unpin_chat_message(self, p: dict[str, Any]) -> bool:
        self._target_chat(p)
        return True

    @_api("createForumTopic")
    def _create_forum_topic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p)
        if not chat.is_forum:
            raise _bad("the chat is not a forum")
        if not chat.bot_can_manage_topics:
            raise _bad("not enough rights to create a topic")
        name = str(p.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise _bad("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        # A topic's id is the id of the service message that created it.
        thread_id = chat.next_message_id()
        topic: dict[str, Any] = {
            "message_thread_id": thread_id,
            "name": name,
            "icon_color": _as_int(p.get("icon_color")) or 7322096,
        }
        if p.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = str(p["icon_custom_emoji_id"])
        chat.topics[thread_id] = topic
        return dict(topic)

    def _existing_topic(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._target_chat(p)
        if not chat.is_forum:
            raise _bad("the chat is not a forum")
        topic = chat.topics.get(_as_int(p.get("message_thread_id")) or 0)
        if topic is None:
            raise _bad("message thread not found")
        return topic

    @_api("editForumTopic")
    def _edit_forum_topic(self, p: dict[str, Any]) -> bool:
        topic = self._existing_topic(p)
        if p.get("name"):
            name = str(p["name"])
            if len(name) > 128:
                raise _bad("TOPIC_TITLE_TOO_LONG")
            if name == topic["name"] and not p.get("icon_custom_emoji_id"):
                raise _bad("TOPIC_NOT_MODIFIED")
            topic["name"] = name
        return True

    @_api("closeForumTopic")
    def _close_forum_topic(self, p: dict[str, Any]) -> bool:
        topic = self._existing_topic(p)
        if topic.get("is_closed"):
            raise _bad("TOPIC_NOT_MODIFIED")
        topic["is_closed"] = True  # seen in topics(); people can no longer write there
        return True

    @_api("reopenForumTopic")
    def _reopen_forum_topic(self, p: dict[str, Any]) -> bool:
        topic = self._existing_topic(p)
        if not topic.get("is_closed"):
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.pop("is_closed", None)
        return True

    @_api("getFile")
    def _get_file(self, p: dict[str, Any]) -> dict[str, Any]:
        rec = self._files.get(str(p.get("file_id") or ""))
        if rec is None:
            raise _bad("invalid file_id")
        return {
            "file_id": rec.file_id,
            "file_unique_id": rec.file_unique_id,
            "file_size": len(rec.data),
            "file_path": rec.file_path,
        }

    # ------------------------------------------------------------ methods: bot profile

    @staticmethod
    def _scope_key(p: dict[str, Any]) -> str | None:
        """None for the default scope, else a stable key of the scope object."""
        scope = p.get("scope")
        if not isinstance(scope, dict) or scope.get("type", "default") == "default":
            return None
        return json.dumps(scope, sort_keys=True)

    @staticmethod
    def _language(p: dict[str, Any]) -> str | None:
        return str(p["language_code"]) if p.get("language_code") else None

    @_api("setMyCommands")
    def _set_my_commands(self, p: dict[str, Any]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, language = self._scope_key(p), self._language(p)
        stored = [dict(c) for c in commands]
        if scope is None:
            self.commands[language] = stored
        else:
            self.scoped_commands[(scope, language)] = stored
        return True

    @_api("getMyCommands")
    def _get_my_commands(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        scope, language = self._scope_key(p), self._language(p)
        found = self.commands.get(language) if scope is None else self.scoped_commands.get((scope, language))
        return copy.deepcopy(found or [])

    @_api("deleteMyCommands")
    def _delete_my_commands(self, p: dict[str, Any]) -> bool:
        scope, language = self._scope_key(p), self._language(p)
        if scope is None:
            self.commands.pop(language, None)
        else:
            self.scoped_commands.pop((scope, language), None)
        return True

    def _set_profile_text(
        self, store: dict[str | None, str], p: dict[str, Any], key: str, limit: int
    ) -> bool:
        value = str(p.get(key) or "")
        if len(value) > limit:
            raise _bad(f"{key.replace('_', ' ')} is too long")
        if value:
            store[self._language(p)] = value
        else:
            store.pop(self._language(p), None)  # an empty value removes it for that language
        return True

    @_api("setMyDescription")
    def _set_my_description(self, p: dict[str, Any]) -> bool:
        return self._set_profile_text(self.descriptions, p, "description", 512)

    @_api("setMyShortDescription")
    def _set_my_short_description(self, p: dict[str, Any]) -> bool:
        return self._set_profile_text(self.short_descriptions, p, "short_description", 120)

    @_api("setMyName")
    def _set_my_name(self, p: dict[str, Any]) -> bool:
        return self._set_profile_text(self.names, p, "name", 64)

    @_api("getMyDescription")
    def _get_my_description(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"description": self.descriptions.get(self._language(p), "")}

    @_api("getMyShortDescription")
    def _get_my_short_description(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"short_description": self.short_descriptions.get(self._language(p), "")}

    @_api("getMyName")
    def _get_my_name(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"name": self.names.get(self._language(p), self.bot_user["first_name"])}

    @_api("setChatMenuButton")
    def _set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        return True
