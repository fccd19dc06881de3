"""aiogram's Bot API types are built on first use (bot/fast_paths/lazy_types.py): same behaviour, less memory.

Each case runs in a fresh interpreter, because whether aiogram was imported before the hook is
a per-process fact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

RSS = """
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
"""

ROUND_TRIP = """
import json
from aiogram import types
from aiogram.methods import SendMessage
from bot.session import BotSession
complete_after_import = sum(
    1 for name in types.__all__ if getattr(getattr(types, name), "__pydantic_complete__", False)
)
update = types.Update.model_validate({
    "update_id": 7,
    "callback_query": {
        "id": "q1", "chat_instance": "c", "data": "consent:accept",
        "from": {"id": 5, "is_bot": False, "first_name": "Айгерім", "language_code": "kk"},
        "message": {
            "message_id": 3, "date": 1700000000, "chat": {"id": 5, "type": "private"},
            "text": "Келісім", "reply_markup": {"inline_keyboard": [[{"text": "Иә", "callback_data": "a"}]]},
        },
    },
})
message = update.callback_query.message
method = SendMessage(chat_id=5, text="ok", reply_markup=types.InlineKeyboardMarkup(
    inline_keyboard=[[types.InlineKeyboardButton(text="Иә", callback_data="a")]]))
answer = BotSession().check_response(None, method, 200, json.dumps({"ok": True, "result": {
    "message_id": 9, "date": 1700000000, "chat": {"id": 5, "type": "private"}, "text": "ok"}}))
bad = None
try:
    types.User.model_validate({"id": "not a number", "is_bot": False, "first_name": "x"})
except Exception as error:
    bad = type(error).__name__
print(json.dumps({
    "installed": __import__("bot.fast_paths.lazy_types", fromlist=["x"]).installed(),
    "complete_after_import": complete_after_import,
    "types": len(types.__all__),
    "message_type": type(message).__name__,
    "button": message.reply_markup.inline_keyboard[0][0].text,
    "user": update.callback_query.from_user.first_name,
    "dumped": method.model_dump(exclude_none=True)["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    "answer_type": type(answer.result).__name__,
    "answer_id": answer.result.message_id,
    "invalid": bad,
}, ensure_ascii=False))
"""


def run(code: str, fast_paths: str = "on") -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "FAST_PATHS": fast_paths},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_types_are_deferred_and_behave_as_when_built_at_import() -> None:
    lazy = run("import bot\n" + ROUND_TRIP)
    eager = run("import aiogram\nimport bot\n" + ROUND_TRIP)  # aiogram first: nothing left to defer
    switched_off = run("import bot\n" + ROUND_TRIP, fast_paths="off")
    assert lazy["installed"] is True and eager["installed"] is False and switched_off["installed"] is False
    # Deferred: almost nothing built by the import itself; eagerly, nearly every type is.
    assert lazy["complete_after_import"] < lazy["types"] // 10
    assert eager["complete_after_import"] > eager["types"] // 2
    expected = {
        "message_type": "Message", "button": "Иә", "user": "Айгерім", "dumped": "a",
        "answer_type": "Message", "answer_id": 9, "invalid": "ValidationError",
    }
    assert switched_off["complete_after_import"] > switched_off["types"] // 2
    for mode in (lazy, eager, switched_off):
        assert {key: mode[key] for key in expected} == expected


def test_importing_aiogram_takes_far_less_memory_with_deferred_types() -> None:
    measure = RSS + "import aiogram, aiogram.types, aiogram.methods\nimport json\nprint(json.dumps({'rss': rss_mb()}))"
    lazy = run("import bot\n" + measure)["rss"]
    eager = run(measure)["rss"]
    # Measured 58 MB against 165 MB on the benchmark machine; the margin here is generous.
    assert lazy < eager * 0.6, (lazy, eager)
