"""The Bot API methods the stand-in implements (sending, editing, chats, files, the bot's profile),
with the checks Telegram applies to them, and the error they answer with when refused."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from typing import Any

from stand_in.html import EntityParseError, _strip_text, parse_html, utf16_len
from stand_in.world import StoredMessage, Upload, _Chat, _File

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
CALLBACK_ANSWER_LIMIT = 200
INLINE_BUTTONS_LIMIT = 100
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


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


# Keys that carry a message's content, copied by copyMessage/forwardMessage.
_CONTENT_KEYS = (
    "text", "entities", "caption", "caption_entities", "document", "photo", "sticker", "contact",
    "video", "animation", "voice", "audio", "video_note",
)  # fmt: skip
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

_Handler = Callable[..., Any]
_METHODS: dict[str, tuple[str, _Handler]] = {}


def _api(name: str) -> Callable[[_Handler], _Handler]:
    """Registers a Bot API method handler; names are matched case-insensitively."""

    def register(fn: _Handler) -> _Handler:
        _METHODS[name.lower()] = (name, fn)
        return fn

    return register


class BotApiMethods:
    """The Bot API methods half of ``TelegramStandIn`` (a mixin over its state and its ``World``)."""

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
            plain, entities = value, []  # not parsed: see the package docstring
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
        if not self._bot_can_manage_topics(chat):
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
