"""Fast paths: the only code of the bot that reads private parts of aiogram or aiohttp's session.

Everything outside this package stays on the libraries' public API. What is in here buys a
measured share of the bot's update throughput (bench/RESULTS.md has the ablation) by reaching past
that API, so a new library release may break it. Hence:

- one switch, the `FAST_PATHS` setting: `on` (the default), `off`, or a comma-separated list of
  the paths to use (e.g. `FAST_PATHS=routing`), for measuring one against the others;
- a self-check per path, run when the application starts (`activate`): it checks that the private
  parts the path relies on are still there and, where that is cheap, that the path gives the same
  result as the library's own on a small example. A path whose check fails is not used, and the
  library's own path runs instead; one log line says which paths are active and why not the rest.

The paths (each module's docstring says what it reads and why):
- `http_client`: Bot API calls without files go through `KeepAliveClient` (a plain HTTP/1.1
  keep-alive client) instead of aiohttp's ClientSession; needs the proxy and TLS settings that
  aiogram's AiohttpSession keeps privately (`fast_paths/session.py`).
- `routing`: an update walks the router tree with one context dict instead of aiogram's copies at
  every step; needs each observer's private root-filter handler (`fast_paths/routing.py`).
- `lazy_types`: aiogram's ~440 Bot API types are built on first use, not at import, which keeps
  the bot's memory down under load; wraps pydantic's `model_rebuild` and uses its private
  parameters (`fast_paths/lazy_types.py`). Decided at `import bot` from the environment variable.

`handlers.routing.Router` / `Dispatcher` and `bot.session.BotSession` remain the classes the rest
of the bot uses; they ask `active(name)` on each call and take the fast or the library's path.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import import_module

log = logging.getLogger(__name__)

SWITCH = "FAST_PATHS"
PATHS: tuple[str, ...] = ("http_client", "routing", "lazy_types")
_CHECKS: dict[str, str] = {  # path -> module whose self_check() returns None (fine) or why not
    "http_client": "bot.fast_paths.session",
    "routing": "bot.fast_paths.routing",
    "lazy_types": "bot.fast_paths.lazy_types",
}
# Decided when `bot` is imported, before aiogram, from the environment: its self-check only reports.
AT_IMPORT = frozenset({"lazy_types"})

_active: dict[str, bool] | None = None
_check_results: dict[str, str | None] = {}


class FastPathsSettingError(ValueError):
    pass


def parse(value: str | None) -> frozenset[str]:
    """`on`/`off`/a comma-separated list of path names -> the names asked for."""
    text = (value or "on").strip().lower()
    if text in ("on", "true", "1", "yes", "all"):
        return frozenset(PATHS)
    if text in ("off", "false", "0", "no", "none", ""):
        return frozenset()
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = names - set(PATHS)
    if unknown:
        raise FastPathsSettingError(
            f"{SWITCH}: unknown fast path(s) {', '.join(sorted(unknown))}; use on, off or some of {', '.join(PATHS)}"
        )
    return names


def self_check(name: str) -> str | None:
    """Run (once per process) the path's self-check: None if it may be used, else the reason."""
    if name not in _check_results:
        check: Callable[[], str | None] = import_module(_CHECKS[name]).self_check
        try:
            _check_results[name] = check()
        except Exception as error:  # a check that cannot even run is a failed check
            _check_results[name] = f"{type(error).__name__}: {error}"
    return _check_results[name]


def activate(value: str | None = None) -> dict[str, bool]:
    """Decide which fast paths run in this process (value: the FAST_PATHS setting, else the
    environment's); logs the outcome; returns {path: active}."""
    global _active
    wanted = parse(os.environ.get(SWITCH) if value is None else value)
    decided: dict[str, bool] = {}
    notes: list[str] = []
    for name in PATHS:
        if name not in wanted:
            decided[name] = False
            notes.append(f"{name} off (switched off)")
            continue
        reason = self_check(name) if name not in AT_IMPORT else import_module(_CHECKS[name]).self_check()
        decided[name] = reason is None
        if reason is None:
            notes.append(f"{name} on")
        else:
            notes.append(f"{name} off (self-check failed: {reason}; the library's own path runs)")
    _active = decided
    failed = any(name in wanted and not decided[name] for name in PATHS)
    log.log(logging.WARNING if failed else logging.INFO, "fast paths: %s", "; ".join(notes))
    return dict(decided)


def active(name: str) -> bool:
    """Whether the fast path `name` runs now (decided from the environment on first use)."""
    if _active is None:
        activate()
    assert _active is not None
    return _active[name]


def report() -> dict[str, bool]:
    if _active is None:
        activate()
    assert _active is not None
    return dict(_active)
