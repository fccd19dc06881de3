"""Benchmarks: the bot and a bare aiogram echo bot against the same local stand-in Bot API."""
