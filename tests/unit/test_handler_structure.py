"""The shape of handlers/ that keeps each handler callable and testable on its own.

A handler module is one that defines a router factory (`create_router`, `create_*_router`).
No handler module imports another: what two of them share (views, keyboards, filters, routing,
outbox delivery) lives in a module without a router. A package's __init__ may import its own
modules: that is where their routers are put together. Everywhere, handlers are
module-level functions registered in the factory, not closures inside it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ROOT / "handlers"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(HANDLERS.rglob("*.py"))}


def is_router_factory(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("create_")
        and node.name.endswith("router")
    )


def is_handler_module(name: str) -> bool:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return any(is_router_factory(node) for node in tree.body)


def imported_modules(name: str) -> set[str]:
    """Every handlers.* module `name` imports, however it is spelled."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from package import module`
    return {module for module in found if module in MODULES and module != name}


def sideways_imports() -> list[str]:
    problems = []
    for name in MODULES:
        if not is_handler_module(name):
            continue
        own_package = name + "." if MODULES[name].name == "__init__.py" else None
        for imported in sorted(imported_modules(name)):
            if own_package and imported.startswith(own_package):
                continue  # a package's __init__ puts its modules' routers together
            if is_handler_module(imported):
                problems.append(f"{name} imports {imported}")
    return problems


def test_the_walk_sees_the_handler_modules() -> None:
    # Guards the test itself: if the walk found nothing, the rule below would pass vacuously.
    handler_modules = {name for name in MODULES if is_handler_module(name)}
    assert {"handlers.customer.consent", "handlers.customer.start", "handlers.customer.claims",
            "handlers.operators.claims", "handlers.errors"} <= handler_modules
    assert "handlers.customer.views" not in handler_modules and "handlers.keyboards" not in handler_modules
    assert "handlers.keyboards" in imported_modules("handlers.customer.ads")


def test_no_handler_module_imports_another() -> None:
    assert sideways_imports() == []


HANDLER_MODULES = sorted(name for name in MODULES if is_handler_module(name))


@pytest.mark.parametrize("name", HANDLER_MODULES)
def test_handlers_are_module_level_functions(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    closures = [
        f"{factory.name}.{inner.name}"
        for factory in tree.body if is_router_factory(factory)
        for inner in ast.walk(factory)
        if inner is not factory and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    assert closures == []
