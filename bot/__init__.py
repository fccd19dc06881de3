"""The application: settings, wiring, middlewares and plain domain modules."""

import os

from bot import fast_paths
from bot.fast_paths import lazy_types

# Before anything imports aiogram: its Bot API types are built when first used, not all at import
# (bot/fast_paths/lazy_types.py says why), unless FAST_PATHS in the environment leaves this out.
if "lazy_types" in fast_paths.parse(os.environ.get(fast_paths.SWITCH)):
    lazy_types.install()
