"""The stand-in's Telegram world: people, chats, messages, files and topics as Telegram knows them,
what people do there (the updates they cause) and what the bot has done (recorded calls, messages)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stand_in.html import _command_entities


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

# A placeholder image for photos a person "sends"; its bytes are never decoded.
_PHOTO_BYTES = b"\x89PNG\r\n\x1a\n stand-in photo"
_STICKER_BYTES = b"RIFF\x00\x00\x00\x00WEBP stand-in sticker"


class World:
    """The world half of ``TelegramStandIn``: a mixin over the state ``TelegramStandIn.__init__``
    sets up, needing nothing of the Bot API methods or the HTTP server."""

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

    def _bot_can_manage_topics(self, chat: _Chat) -> bool:
        """The one answer to "may the bot create topics here", whichever way a test said it
        (add_group(bot_can_manage_topics=) or set_bot_member): getChatMember reports it and
        createForumTopic obeys it."""
        return (
            chat.bot_can_manage_topics
            and self._bot_status(chat) == "administrator"
            and bool(self._bot_members.get(chat.id, {}).get("can_manage_topics", True))
        )

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

    # ------------------------------------------------------------ how the world records messages, files, members

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
            return {**self._admin_json(), **rights, "can_manage_topics": self._bot_can_manage_topics(chat)}
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
