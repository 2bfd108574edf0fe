"""YAML reading that remembers where every value came from, so errors can name file and line.

Staff files are read defensively: anchors and aliases (the "billion laughs" bomb, recursive
aliases), very deep nesting and very large files are refused with a located message before any
Python object is built, and nothing here recurses, so no file can exhaust memory or the stack.
"""

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

# Bounds on what one file may cost to load (a file at the limits: ~2 s, ~30 MB). The largest
# shipped files: 17 KB and 352 values (a topic), 32 KB and 1,710 values (the dev set); nesting
# goes 5 deep (flows).
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 50  # nested lists and mappings
MAX_VALUES = 50_000  # scalars, lists and mappings

ALIAS_MESSAGE = "不支持 YAML 锚点/别名（& 和 *），请把内容直接写出来"
DEPTH_MESSAGE = f"嵌套太深：超过 {MAX_DEPTH} 层，请减少列表和层级的嵌套"


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
    text = _read_text(path, name)
    _check_events(text, name)  # before any node or object exists
    loader = _Loader(text)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise YamlError(Problem(name, *_syntax_message(exc))) from exc
    except yaml.YAMLError as exc:
        raise YamlError(Problem(name, 0, f"YAML 格式错误：{exc}")) from exc
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. 2017-02-30, a 5,000-digit int
        line = _bad_value_line(node) if node is not None else 0
        raise YamlError(Problem(name, line, f"无法读取这个值：{exc}")) from exc
    finally:
        loader.dispose()
    doc = YamlDoc(path, data)
    if node is not None:
        _record_lines(node, doc.lines)
    return doc


def _read_text(path: Path, name: str) -> str:
    """The file as text, refusing files over MAX_FILE_BYTES without reading them whole."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise YamlError(Problem(name, 0, "找不到文件")) from exc
    except OSError as exc:
        raise YamlError(Problem(name, 0, f"无法读取文件：{exc.strerror or exc}")) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(Problem(name, 0, f"文件太大：超过 {MAX_FILE_BYTES // 1024} KB，"
                                         "请把内容拆成几个文件"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(Problem(name, line, "无法读取文件：不是 UTF-8 编码的文本，"
                                            "请用 UTF-8 保存")) from exc


def _check_events(text: str, name: str) -> None:
    """Refuse anchors, aliases, deep nesting and too many values from the parser's events
    alone, before any node exists: composing recurses on deep nesting and recursive aliases,
    and walking a "billion laughs" file's nodes visits every expanded copy."""
    loader = _Loader(text)
    depth = values = 0
    try:
        while (event := loader.get_event()) is not None:
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.NodeEvent):  # an alias is one, its anchor the name used
                if event.anchor is not None:
                    raise YamlError(Problem(name, line, ALIAS_MESSAGE))
                values += 1
                if values > MAX_VALUES:
                    raise YamlError(Problem(name, line, f"内容太多：超过 {MAX_VALUES} 个值，"
                                                        "请把内容拆成几个文件"))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(Problem(name, line, DEPTH_MESSAGE))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        line, message = _syntax_message(exc)
        if "nesting depth" in str(exc.problem):  # libyaml's own limit, met when scanning ahead
            message = DEPTH_MESSAGE
        raise YamlError(Problem(name, line, message)) from exc
    except yaml.YAMLError as exc:
        raise YamlError(Problem(name, 0, f"YAML 格式错误：{exc}")) from exc
    finally:
        loader.dispose()


def _syntax_message(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """Line and Chinese message for a PyYAML error, keeping PyYAML's own description."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    message = f"YAML 格式错误：{exc.problem or exc}"
    if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
        # e.g. an unclosed [ is noticed on the next line; say where it was opened
        message += f"（{exc.context}，从第 {exc.context_mark.line + 1} 行开始）"
    return line, message


def _walk(root: yaml.Node) -> list[tuple[yaml.Node, PathKey, int]]:
    """Every node under `root` in document order, with its key path and line (for a mapping
    value, the line of its key). Iterative, so depth costs no stack."""
    out: list[tuple[yaml.Node, PathKey, int]] = []
    stack: list[tuple[yaml.Node, PathKey, int]] = [(root, (), root.start_mark.line + 1)]
    while stack:
        node, key, line = stack.pop()
        out.append((node, key, line))
        children: list[tuple[yaml.Node, PathKey, int]] = []
        if isinstance(node, yaml.MappingNode):
            children = [(v, (*key, k.value), k.start_mark.line + 1)
                        for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (*key, i), item.start_mark.line + 1)
                        for i, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return out


def _record_lines(root: yaml.Node, lines: dict[PathKey, int]) -> None:
    for _, key, line in _walk(root):
        lines[key] = line


def _bad_value_line(root: yaml.Node) -> int:
    """The line of the first scalar that cannot be built (only looked for after a failure)."""
    probe = yaml.SafeLoader("")
    for node, _, _ in _walk(root):
        if isinstance(node, yaml.ScalarNode):
            try:
                probe.construct_object(node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return node.start_mark.line + 1
    return 0
