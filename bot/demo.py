"""`python -m bot demo`: the whole bot in a terminal, with no token and no network.

Starts the stand-in Bot API server (the stand_in package) on 127.0.0.1, the real bot against it by
long polling, with a throwaway database and a throwaway copy of the policy folder (the sample
policy, or --policy-dir / POLICY_DIR), and a chat in the terminal. You
type as a customer; the bot's inline buttons are numbered and pressed by their number. Colon
commands switch to the operators' chat, reply to a message there, move the clock, and so on
(`:help` lists them). Standard input may be a script: the demo ends at end of input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shlex
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from aiogram import BaseMiddleware
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import event_loop
from bot.app import App, create_app
from bot.clock import OffsetClock
from bot.config import SAMPLE_POLICY_DIR, Settings
from bot.policy import PolicyError, load_policy_library
from stand_in import StoredMessage, TelegramStandIn

CUSTOMER_ID = 700001
OPERATOR_ID = 700002
ADMIN_CHAT_ID = -1007000000001

HELP = """Demo commands (anything else is sent to the bot as a message):
  :N              press button N of the latest message that has buttons (e.g. :1)
  :ops            switch to the operators' chat      :me   back to the customer's chat
  :reply [#ID] TEXT   reply to message #ID (default: the latest bot message) with TEXT
  :photo [CAPTION]    send a photo                    :sticker   send a sticker
  :file PATH          send the file at PATH from your disk as a document (e.g. a policy's ru.md)
  :file NAME [TEXT]   send a text file called NAME (e.g. ru.md) with TEXT or sample text
  :contact        share the customer's own phone number
  :advance N      move the clock N days forward and run the background jobs
  :show           show the whole current chat again
  :help           this help                         :quit   leave the demo"""


class UpdatesInFlight(BaseMiddleware):
    """How many updates the dispatcher is handling right now: the demo waits for none before
    it reads the next line (a quiet moment alone is no proof, a handler may be mid-work)."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, handler: Callable[..., Awaitable[Any]], event: Any, data: dict[str, Any]) -> Any:
        self.count += 1
        try:
            return await handler(event, data)
        finally:
            self.count -= 1


class TerminalChat:
    """Drives the stand-in as the two people of the demo and prints what they see."""

    def __init__(self, app: App, server: TelegramStandIn, out: TextIO) -> None:
        self.app = app
        self.in_flight = UpdatesInFlight()
        app.dispatcher.update.outer_middleware(self.in_flight)
        self.server = server
        self.out = out
        self.chat_id = CUSTOMER_ID
        self.person = CUSTOMER_ID
        self._shown: dict[tuple[int, int], tuple[str, str]] = {}
        self._announced: set[tuple[int, int]] = set()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    @property
    def chat_name(self) -> str:
        return "operators' chat" if self.chat_id == ADMIN_CHAT_ID else "your chat with the bot"

    # ----------------------------------------------------------------- output

    def render(self, message: StoredMessage) -> str:
        who = "bot" if message.from_bot else ("you" if message.sender_id == self.person else f"user {message.sender_id}")
        lines = [f"#{message.message_id} {who}{' (edited)' if message.edited else ''}:"]
        if message.text is not None:
            lines.append(message.text)
        if message.photo:
            lines.append("[photo]" + (f" {message.caption}" if message.caption else ""))
        elif message.document is not None:
            name, content = message.document
            lines.append(f"[file {name}, {len(content)} bytes]" + (f" {message.caption}" if message.caption else ""))
        elif message.caption:
            lines.append(message.caption)
        if message.sticker:
            lines.append("[sticker]")
        if message.contact:
            lines.append(f"[contact {message.contact.get('phone_number')}]")
        buttons = [text for row in message.buttons() for text, _ in row]
        if buttons:
            lines.append("   " + "   ".join(f"[{n}] {text}" for n, text in enumerate(buttons, 1)))
        with contextlib.suppress(AssertionError):
            keyboard = [b.get("text", "") for row in message.reply_keyboard() for b in row]
            if keyboard:
                lines.append("   keyboard: " + " | ".join(keyboard))
        return "\n".join(lines)

    def show_new(self, chat_id: int | None = None, *, everything: bool = False) -> None:
        """Print messages in the current chat that are new or changed since last shown."""
        chat = chat_id or self.chat_id
        for message in self.server.messages(chat):
            if message.deleted or not message.from_bot and not everything:
                continue
            key = (chat, message.message_id)
            fingerprint = (message.text or message.caption or "", str(message.reply_markup))
            previous = self._shown.get(key)
            if everything or previous != fingerprint:
                self._shown[key] = fingerprint
                if not everything and previous is not None and previous[0] == fingerprint[0]:
                    # Only the buttons changed (e.g. removed after an answer): say just that.
                    buttons = [text for row in message.buttons() for text, _ in row]
                    self.say(f"#{message.message_id} buttons now: " + ("   ".join(f"[{n}] {t}" for n, t in enumerate(buttons, 1)) or "none"))
                    continue
                self.say(self.render(message))
                self.say()
        other = ADMIN_CHAT_ID if chat == CUSTOMER_ID else CUSTOMER_ID
        unseen = [
            m for m in self.server.bot_messages(other)
            if not m.deleted and self._shown.get((other, m.message_id)) is None
            and (other, m.message_id) not in self._announced
        ]
        self._announced.update((other, m.message_id) for m in unseen)
        if unseen:
            where = "operators' chat (:ops)" if other == ADMIN_CHAT_ID else "customer's chat (:me)"
            self.say(f"({len(unseen)} new message(s) in the {where})")

    # ---------------------------------------------------------------- actions

    async def settle(self, update: dict | None = None) -> None:
        """Wait until the bot has taken the update and gone quiet."""
        if update is not None:
            update_id = update["update_id"]
            with contextlib.suppress(AssertionError):
                await self.server.wait_until(
                    lambda: any(
                        c.method == "getUpdates" and any(u.get("update_id", 0) >= update_id for u in (c.result or []))
                        for c in self.server.calls[-20:]
                    ),
                    timeout=5,
                    what="the bot to take the update",
                )
        count = -1
        for _ in range(50):  # at most ~5 s
            busy = len([c for c in self.server.calls if c.method != "getUpdates"])
            if busy == count and not self.in_flight.count:
                break
            count = busy
            await asyncio.sleep(0.15)

    def latest_with_buttons(self) -> StoredMessage | None:
        for message in reversed(self.server.bot_messages(self.chat_id)):
            if not message.deleted and message.buttons():
                return message
        return None

    async def press(self, number: int) -> None:
        message = self.latest_with_buttons()
        flat = [(text, data) for row in (message.buttons() if message else []) for text, data in row]
        if message is None or not 1 <= number <= len(flat) or flat[number - 1][1] is None:
            self.say(f"(no button {number} here)")
            return
        await self.settle(self.server.callback(self.person, message.message_id, flat[number - 1][1] or "", chat_id=self.chat_id))
        for answer in self.server.answered_callbacks[-1:]:
            if answer.get("text"):
                self.say(f"(popup) {answer['text']}")
        self.show_new()

    async def send(self, text: str | None = None, **kwargs: object) -> None:
        chat = None if self.chat_id == self.person else self.chat_id
        await self.settle(self.server.user_message(self.person, text, chat_id=chat, **kwargs))  # type: ignore[arg-type]
        self.show_new()

    async def advance(self, days: float) -> None:
        clock = self.app.clock
        assert isinstance(clock, OffsetClock)
        clock.advance(timedelta(days=days))
        # Reminders and overdue alerts are due by the moved clock: run the scheduler now
        # rather than waiting for its next tick.
        scheduler = self.app.dispatcher.workflow_data.get("scheduler")
        if scheduler is not None:
            await scheduler.run_once()
        policy_schedule = self.app.dispatcher.workflow_data.get("policy_schedule")
        if policy_schedule is not None:  # a scheduled policy version whose date has come
            await policy_schedule.tick()
        await self.settle()
        self.say(f"(clock moved {days:g} day(s) forward: now {clock.now().astimezone(self.app.settings.tz):%d.%m.%Y %H:%M} {self.app.settings.timezone})")
        self.show_new()

    async def handle(self, line: str) -> bool:
        """One line of input; False ends the demo."""
        line = line.rstrip("\n")
        if not line.strip():
            return True
        if not line.startswith(":"):
            await self.send(line)
            return True
        command, _, rest = line[1:].partition(" ")
        command = command.lower()
        if command.isdigit():
            await self.press(int(command))
        elif command in ("quit", "q", "exit"):
            return False
        elif command == "help":
            self.say(HELP)
        elif command == "ops":
            self.chat_id, self.person = ADMIN_CHAT_ID, OPERATOR_ID
            self.say("== operators' chat (you are the operator) ==")
            self.show_new()
        elif command == "me":
            self.chat_id, self.person = CUSTOMER_ID, CUSTOMER_ID
            self.say("== your chat with the bot (you are the customer) ==")
            self.show_new()
        elif command == "reply":
            target, text = None, rest
            if rest.startswith("#"):
                ref, _, text = rest.partition(" ")
                target = int(ref[1:]) if ref[1:].isdigit() else None
            if target is None:
                latest = [m for m in self.server.bot_messages(self.chat_id) if not m.deleted]
                target = latest[-1].message_id if latest else None
            if target is None or not text.strip():
                self.say("(usage: :reply [#ID] TEXT)")
            else:
                await self.send(text, reply_to_message_id=target)
        elif command == "photo":
            await self.send(photo=True, caption=rest or None)
        elif command == "sticker":
            await self.send(sticker=True)
        elif command == "file":
            parts = shlex.split(rest) if rest else []
            path = Path(parts[0]).expanduser() if len(parts) == 1 else None
            if not parts:
                self.say("(usage: :file PATH  or  :file NAME [TEXT])")
            elif path is not None and path.is_file():
                try:
                    content = path.read_bytes()
                except OSError as error:
                    self.say(f"(cannot read {path}: {error.strerror or error})")
                else:
                    await self.send(document=(path.name, content))
            else:
                body = " ".join(parts[1:]) or "1. SAMPLE\n1.1. Sample text."
                await self.send(document=(Path(parts[0]).name, body.encode("utf-8")))
        elif command == "contact":
            await self.send(contact={"phone_number": "+77010000001", "first_name": "Demo", "user_id": self.person})
        elif command == "advance":
            try:
                days = float(rest)
            except ValueError:
                self.say("(usage: :advance N)")
            else:
                await self.advance(days)
        elif command == "show":
            self.show_new(everything=True)
        else:
            self.say(f"(unknown demo command :{command}; :help lists them)")
        return True


class DemoPolicySource(BaseSettings):
    """The one setting the demo takes from the environment or `.env`: which policy to show.
    (Not the rest of .env: the demo must not use a real token or database.)"""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    policy_dir: Path = SAMPLE_POLICY_DIR


def policy_copy(source: Path, folder: Path) -> Path:
    """A throwaway copy of the policy folder: publishing in the demo writes there, never into
    the repository's sample policy or the operator's own folder. Hidden folders (staging,
    withdrawn versions) stay behind."""
    target = folder / "policies"
    shutil.copytree(source, target, ignore=lambda _, names: [n for n in names if n.startswith(".")])
    return target


async def run_demo(
    *, language: str, out: TextIO, read_line: Callable[[], Awaitable[str]], forum: bool = False,
    policy_dir: Path | None = None,
) -> None:
    server = TelegramStandIn(bot_username="privacy_demo_bot", bot_name="Privacy Demo")
    await server.start()
    server.add_user(CUSTOMER_ID, first_name="Айгерим", username="aigerim_demo", language_code=language)
    server.add_user(OPERATOR_ID, first_name="Operator", username="operator_demo", language_code=language)
    server.add_group(ADMIN_CHAT_ID, title="Operators", is_forum=forum, members=[OPERATOR_ID], admins=[OPERATOR_ID])
    with tempfile.TemporaryDirectory(prefix="privacy-bot-demo-") as folder:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            bot_token=server.token,
            admin_chat_id=ADMIN_CHAT_ID,
            database_url=f"sqlite:///{Path(folder) / 'demo.sqlite3'}",
            telegram_api_url=server.url,
            policy_dir=policy_copy(policy_dir or DemoPolicySource().policy_dir, Path(folder)),
        )
        # The demo's day starts at 10:00 in the operator's zone (after the 09:00 reminder hour), so
        # what `:advance N` shows does not depend on when the demo is run.
        local_now = datetime.now(settings.tz)
        start = local_now.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
        app = await create_app(settings, clock=OffsetClock(start))
        polling = asyncio.create_task(
            app.dispatcher.start_polling(app.bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
        )
        chat = TerminalChat(app, server, out)
        chat.say("Privacy bot demo — no token, no network. You are the customer; type /start. :help lists demo commands.")
        chat.say()
        try:
            await chat.settle()
            while True:
                line = await read_line()
                if line == "":
                    break
                chat.say(f"> {line.rstrip()}")
                if not await chat.handle(line):
                    break
        finally:
            await app.dispatcher.stop_polling()
            with contextlib.suppress(Exception):
                await polling
            await app.bot.session.close()
            await app.db.close()
            await server.stop()
    chat.say("Demo finished.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot demo", description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["kk", "ru"], default="ru", help="the customer's Telegram language")
    parser.add_argument("--forum", action="store_true", help="make the operators' chat a forum supergroup")
    parser.add_argument(
        "--policy-dir", type=Path, default=None,
        help="the policy folder to show (default: POLICY_DIR from the environment or .env, else the sample "
             "policy); the demo works on a throwaway copy of it",
    )
    args = parser.parse_args(argv)
    try:
        source = args.policy_dir or DemoPolicySource().policy_dir
        load_policy_library(source)  # a clear message now rather than a traceback later
    except (PolicyError, ValueError) as error:
        print(f"Policy error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    async def read_line() -> str:
        return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    try:
        event_loop.run(run_demo(
            language=args.language, out=sys.stdout, read_line=read_line, forum=args.forum, policy_dir=source,
        ))
    except KeyboardInterrupt:
        pass
    return 0
