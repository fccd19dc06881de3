"""Logging set-up: plain text lines (default) or one JSON object per line (LOG_FORMAT=json).

The JSON form is for log collectors (journald → Loki, Vector, ...): every line is one object with
`time` (UTC, ISO 8601), `level`, `logger` and `message`, and for an exception `error_type` and
`error_at` (the innermost frames as file:line function). An exception's own text and its
traceback's source lines are never written: they can quote what a user typed (the project logs
errors as type and code location only, see handlers/errors.py), and the bot's own messages are
written without personal data.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Literal

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def error_location(error: BaseException, frames: int = 3) -> str:
    """The innermost frames of the error's traceback, innermost first: 'file.py:12 name <- ...'."""
    extracted = traceback.extract_tb(error.__traceback__)[-frames:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(extracted))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error_type"] = type(error).__name__
            entry["error_at"] = error_location(error)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """Configure the root logger once for the process (replacing handlers set before)."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
