"""The shape the code keeps: three rooms with imports pointing one way (handlers → bot → faq),
and modules and functions small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each room may not import (a prefix matches the package and its modules).
FORBIDDEN = {
    "faq": ("bot", "handlers", "telegram"),
    "bot": ("handlers", "telegram"),
    "handlers": (),
}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def modules(room: str) -> list[Path]:
    return sorted((ROOT / room).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_imports_point_one_way(room: str) -> None:
    wrong = [f"{path.relative_to(ROOT)} imports {name}"
             for path in modules(room) for name in sorted(imported(path))
             if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[room])]
    assert wrong == []


def test_the_check_itself_sees_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from handlers.app import run\n    import telegram.ext\n")
    assert {"handlers.app", "telegram.ext"} <= imported(bad)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_modules_and_functions_stay_small(room: str) -> None:
    too_long = []
    for path in modules(room):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {size} lines")
    assert too_long == []
