"""Fast path `lazy_types`: aiogram's Bot API types are built when first used, not all at import.

Why: `import aiogram` rebuilds the pydantic schema of every Bot API type (about 440 of them),
and each validator carries its own copy of everything it nests, when a bot touches a few dozen
types. Built on first use, the bot needs far less memory, idle and under load (bench/RESULTS.md
has the figures).

What it relies on that pydantic does not promise: `model_rebuild`'s private parameters
`_parent_namespace_depth` and `_types_namespace`, and that aiogram's `aiogram/types/__init__.py`
passes its namespace through the latter. Installed at `import bot` (bot/__init__.py), before
anything imports aiogram, when the FAST_PATHS environment variable asks for it (this path is
decided at import, from the environment only, not from .env).

How: aiogram's `aiogram/types/__init__.py` calls `model_rebuild(_types_namespace=...)` on every
type. While this hook is installed, such a call on an aiogram class only records the namespace
and leaves the class incomplete; pydantic then builds it at its first use (its placeholder
validator calls `model_rebuild()` again, without a namespace, and the hook passes the recorded
one). Only pydantic's public `model_rebuild` is wrapped, and only aiogram's classes are treated
differently.

Fallback: if aiogram is already imported (nothing left to save) or pydantic's `model_rebuild`
does not take the arguments the hook relies on, `install()` does nothing and aiogram builds
everything at import as it always does. Either way the types behave the same.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from pydantic import BaseModel

_EXPECTED_PARAMETERS = {"force", "raise_errors", "_parent_namespace_depth", "_types_namespace"}
_recorded_namespace: dict[str, Any] = {}
_original_rebuild: Any = None


def _is_aiogram(cls: type) -> bool:
    return cls.__module__.startswith("aiogram.")


def _model_rebuild(
    cls: type[BaseModel],
    *,
    force: bool = False,
    raise_errors: bool = True,
    _parent_namespace_depth: int = 2,
    _types_namespace: Any = None,
) -> bool | None:
    if _is_aiogram(cls) and not force:
        if _types_namespace is not None and not cls.__pydantic_complete__:
            # aiogram's import-time loop: remember where its forward references live, build later.
            _recorded_namespace.update(_types_namespace)
            return None
        if _types_namespace is None and _recorded_namespace and not cls.__pydantic_complete__:
            # First use of a deferred type (or a method model that refers to one).
            _types_namespace = _recorded_namespace
    # One frame more than pydantic expects sits between the caller and pydantic: this function.
    return _original_rebuild(  # type: ignore[no-any-return]
        cls, force=force, raise_errors=raise_errors,
        _parent_namespace_depth=_parent_namespace_depth + 1 if _parent_namespace_depth > 0 else 0,
        _types_namespace=_types_namespace,
    )


def install() -> bool:
    """Defer aiogram's type building; True if the hook is (now) in place."""
    global _original_rebuild
    if _original_rebuild is not None:
        return True
    if "aiogram" in sys.modules:
        return False
    original = BaseModel.__dict__["model_rebuild"].__func__
    if not _EXPECTED_PARAMETERS <= set(inspect.signature(original).parameters):
        return False
    _original_rebuild = original
    BaseModel.model_rebuild = classmethod(_model_rebuild)  # type: ignore[method-assign,assignment]
    return True


def installed() -> bool:
    return _original_rebuild is not None


def build(*models: type[BaseModel]) -> None:
    """Build these types now (at start-up, so the first update does not pay for them)."""
    for model in models:
        if not model.__pydantic_complete__:
            model.model_rebuild()


def self_check() -> str | None:
    """None if the hook is in place (it checks pydantic's signature when it installs itself)."""
    if installed():
        return None
    if "aiogram" in sys.modules and _original_rebuild is None:
        return "not installed: aiogram was imported before bot, or pydantic's model_rebuild changed"
    return "not installed"
