"""Only bot/fast_paths/ reads private parts of aiogram, aiohttp's session, pydantic or aiosqlite."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# Our own private attributes, read on another instance of the same class.
OWN = {("storage/db.py", "_in_thread")}


def private_reads(path: Path) -> list[str]:
    """`x._name` where x is not self/cls/super(), and getattr(x, "_name") anywhere in the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not (node.attr.startswith("__") and node.attr.endswith("__") and not node.attr.startswith("__pydantic")):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr"):
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and str(node.args[1].value).startswith("_"):
                found.append((node.lineno, str(node.args[1].value)))
    relative = path.relative_to(PROJECT).as_posix()
    return [f"{relative}:{line} reads {name}" for line, name in found if (relative, name) not in OWN]


def test_no_module_outside_the_fast_paths_package_reads_a_private_attribute() -> None:
    modules = [
        path for folder in ("bot", "handlers", "storage") for path in sorted((PROJECT / folder).rglob("*.py"))
        if "fast_paths" not in path.parts
    ]
    assert len(modules) > 30
    assert [read for path in modules for read in private_reads(path)] == []


def test_the_scan_finds_what_the_fast_paths_read() -> None:
    reads = [read for path in sorted((PROJECT / "bot" / "fast_paths").glob("*.py")) for read in private_reads(path)]
    assert any("routing.py" in read and "_handler" in read for read in reads)
    assert any("session.py" in read and "_connector_init" in read for read in reads)
