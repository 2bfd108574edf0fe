"""What a guided check is: steps with button options, results, and the paths through them.

A position in a flow is its path: the 1-based option numbers chosen from the start ("1.2.1").
`version` is a short hash of the structure that gives a path its meaning (step and result ids,
option labels and targets; not the texts), so a button pressed after the flow was restructured
can be recognised as stale instead of leading to a wrong step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from faq.fields import DEFAULT_ORDER

VERSION_CHARS = 6


@dataclass(frozen=True)
class Option:
    """One button of a step: its label and the id of the step or result it leads to."""

    label: str
    next: str
    line: int = 0  # of the option (its label)
    next_line: int = 0


@dataclass(frozen=True)
class Step:
    """A question with button options."""

    id: str
    text: str
    options: tuple[Option, ...]
    line: int = 0


@dataclass(frozen=True)
class Result:
    """Where a path ends: text, FAQ entries to link, and optionally another flow to offer."""

    id: str
    text: str
    entries: tuple[str, ...] = ()
    flow: str | None = None
    line: int = 0
    entry_lines: tuple[int, ...] = ()
    flow_line: int = 0


Node = Step | Result


@dataclass(frozen=True)
class Flow:
    """One guided check, as loaded from its file."""

    id: str
    title: str
    start: str
    steps: dict[str, Step]
    results: dict[str, Result]
    file: str = ""
    line: int = 0
    start_line: int = 0
    title_line: int = 0
    order: int = DEFAULT_ORDER

    @cached_property
    def version(self) -> str:
        """A short hash of the structure that gives a path its meaning."""
        shape = [self.start, [[s.id, [[o.label, o.next] for o in s.options]]
                              for s in self.steps.values()], sorted(self.results)]
        digest = hashlib.sha1(json.dumps(shape, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:VERSION_CHARS]

    def node(self, node_id: str) -> Node | None:
        return self.steps.get(node_id) or self.results.get(node_id)


class PathError(ValueError):
    """A path that does not lead anywhere in a flow."""


def walk(flow: Flow, path: tuple[int, ...]) -> Node:
    """The node reached by choosing `path` (1-based option indexes) from the start."""
    node = flow.node(flow.start)
    if node is None:
        raise PathError(f"测评 {flow.id}：start {flow.start!r} 不是步骤也不是结果")
    for depth, index in enumerate(path, 1):
        if isinstance(node, Result):
            raise PathError(f"第 {depth} 个选择（{index}）：已经到了结果 {node.id!r}，不能再选")
        if not 1 <= index <= len(node.options):
            raise PathError(f"第 {depth} 个选择（{index}）：步骤 {node.id!r} 只有 "
                            f"{len(node.options)} 个选项")
        target = node.options[index - 1].next
        node = flow.node(target)
        if node is None:
            raise PathError(f"第 {depth} 个选择（{index}）：步骤 {target!r} 不存在")
    return node


def path_labels(flow: Flow, path: tuple[int, ...]) -> list[str]:
    """The option labels chosen along `path`, as far as it leads somewhere."""
    labels: list[str] = []
    node = flow.node(flow.start)
    for index in path:
        if not isinstance(node, Step) or not 1 <= index <= len(node.options):
            break
        labels.append(node.options[index - 1].label)
        node = flow.node(node.options[index - 1].next)
    return labels


def all_paths(flow: Flow, limit: int = 10_000) -> list[tuple[tuple[int, ...], Node]]:
    """Every path from the start to a result or a dead end (a step with no options or a
    missing target), depth first in option order; stops at cycles and after `limit` paths."""
    found: list[tuple[tuple[int, ...], Node]] = []

    def visit(path: tuple[int, ...], node: Node, seen: frozenset[str]) -> None:
        if len(found) >= limit:
            return
        if isinstance(node, Result) or not node.options:
            found.append((path, node))
            return
        for i, option in enumerate(node.options, 1):
            target = flow.node(option.next)
            if target is None or target.id in seen:
                found.append(((*path, i), node))
                continue
            visit((*path, i), target, seen | {target.id})

    start = flow.node(flow.start)
    if start is not None:
        visit((), start, frozenset({start.id}))
    return found


def longest_path(flow: Flow) -> tuple[int, ...]:
    """The path whose written form ("1.12.3") is longest: the largest button payload."""
    paths = [path for path, _ in all_paths(flow)]
    return max(paths, key=lambda p: len(".".join(map(str, p))), default=())
