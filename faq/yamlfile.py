"""YAML reading that remembers where every value came from, so errors can name file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located by file and line (line 0: the whole file)."""

    file: str
    line: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class YamlDoc:
    """Parsed YAML data plus the line of every mapping value and list item."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, *key: str | int) -> int:
        """Line of the value at `key`, or of its nearest located parent."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


class YamlError(Exception):
    """A file could not be read or parsed; carries the located problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path, display: str | None = None) -> YamlDoc:
    """Parse one YAML file; raise YamlError with file and line on any failure."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise YamlError(Problem(name, 0, "file not found")) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(Problem(name, 0, f"cannot read file: {exc}")) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        message = f"YAML syntax: {exc.problem or exc}"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            # e.g. an unclosed [ is noticed on the next line; say where it was opened
            message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        raise YamlError(Problem(name, line, message)) from exc
    except yaml.YAMLError as exc:
        raise YamlError(Problem(name, 0, f"YAML: {exc}")) from exc
    finally:
        loader.dispose()
    doc = YamlDoc(path, data)
    if node is not None:
        _record_lines(node, (), doc.lines)
    return doc


def _record_lines(node: yaml.Node, key: PathKey, lines: dict[PathKey, int]) -> None:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k_node, v_node in node.value:
            if isinstance(k_node, yaml.ScalarNode):
                _record_lines(v_node, key + (k_node.value,), lines)
                lines[key + (k_node.value,)] = k_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, key + (i,), lines)
