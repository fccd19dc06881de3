"""The application: settings, wiring, middlewares and plain domain modules."""

from bot import lazy_types

# Before anything imports aiogram: its Bot API types are built when first used, not all at import
# (see bot/lazy_types.py for why and how much).
lazy_types.install()
