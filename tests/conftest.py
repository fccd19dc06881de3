"""Import the application first, as `python -m bot` does, so the whole suite runs with aiogram's
types built on first use (bot/fast_paths/lazy_types.py) — the mode production runs in, unless
FAST_PATHS in the environment says otherwise (test.sh runs the end-to-end suite a second time
with FAST_PATHS=off)."""

import bot  # noqa: F401
