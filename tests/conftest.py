"""Import the application first, as `python -m bot` does, so the whole suite runs with aiogram's
types built on first use (bot/lazy_types.py) — the mode production runs in."""

import bot  # noqa: F401
