"""Field rules shared by every staff-edited file: text, ids, order, file lists.

One definition each, so a topic file, a flow file and the check can never disagree on what a
valid id or a piece of text is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from faq.yamlfile import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 40  # ids travel in 64-byte Telegram callback data
DEFAULT_ORDER = 100  # topics and flows without an `order:` come after those with one


def is_text(value: Any) -> bool:
    """A scalar with something in it (YAML may give numbers where text was meant)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) \
        and str(value).strip() != ""


def valid_id(value: Any, max_length: int = MAX_ID_LENGTH) -> bool:
    """Lowercase letters, digits and single dashes, at most `max_length` characters."""
    return is_text(value) and bool(ID_PATTERN.match(str(value))) and len(str(value)) <= max_length


def id_rule(max_length: int = MAX_ID_LENGTH) -> str:
    """How a valid id looks, for error messages."""
    return f"只能用小写字母、数字和短横线（-），最多 {max_length} 个字符"


def read_order(value: Any, line: int, name: str, problems: list[Problem]) -> int:
    """The optional `order:` of a topic or flow (menus list smaller numbers first)."""
    if value is None:
        return DEFAULT_ORDER
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    problems.append(Problem(name, line, f"order 必须是整数（现在是 {value!r}）"))
    return DEFAULT_ORDER


def yaml_files(path: Path) -> list[Path]:
    """A directory's *.yaml/*.yml files in name order, or the one file given."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    return [path]


def display_name(path: Path, base: Path | None) -> str:
    """A short path for messages: relative to `base` where possible."""
    try:
        return str(path.resolve().relative_to(base.resolve())) if base else str(path)
    except ValueError:
        return str(path)


def unknown_fields(item: dict[Any, Any], allowed: set[str]) -> list[str]:
    """The keys of a mapping that are not among `allowed`, sorted."""
    return sorted(set(map(str, item)) - allowed)


def unknown_field_message(field_name: str, allowed: set[str]) -> str:
    return f"不认识的字段 {field_name!r}（可以用的有：{'、'.join(sorted(allowed))}）"
