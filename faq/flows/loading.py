"""Reading flow files (faq/data/flows/*.yaml): one flow a file, every shape problem located.

A flow with a problem in its shape is left out and each problem is reported at its file and
line; the checks that need the whole picture (links, reachability, sizes) are in checks.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.fields import (
    display_name,
    id_rule,
    is_text,
    read_order,
    unknown_field_message,
    unknown_fields,
    valid_id,
    yaml_files,
)
from faq.flows.model import Flow, Option, Result, Step
from faq.yamlfile import PathKey, Problem, YamlDoc, YamlError, read_yaml

FLOW_FIELDS = {"id", "title", "start", "steps", "results", "order"}
STEP_FIELDS = {"id", "text", "options"}
OPTION_FIELDS = {"label", "next"}
RESULT_FIELDS = {"id", "text", "entries", "flow"}
MAX_FLOW_ID = 32  # a flow's start button also carries a question id in its 64 bytes


@dataclass
class LoadedFlows:
    """The flows that loaded, every problem, and what was left out (so that links into it
    are not reported again): ids of rejected flows, and whether a file could not be read."""

    flows: dict[str, Flow] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    unreadable: bool = False


def load_flows(path: Path, base: Path | None = None) -> LoadedFlows:
    """Read every flow file in `path`; a flow with a problem in its shape is left out."""
    loaded = LoadedFlows()
    flows, problems = loaded.flows, loaded.problems
    if not path.exists():
        problems.append(Problem(display_name(path, base), 0, "找不到测评文件夹"))
        loaded.unreadable = True
        return loaded
    for file in yaml_files(path):
        name = display_name(file, base)
        try:
            doc = read_yaml(file, name)
        except YamlError as exc:
            problems.append(exc.problem)
            loaded.unreadable = True
            continue
        reader = _FlowReader(doc, name)
        flow = reader.read(problems)
        if flow is None:
            if reader.flow_id == "?":
                loaded.unreadable = True  # not even its id is known
            loaded.rejected.add(reader.flow_id)
            continue
        if flow.id in flows:
            other = flows[flow.id]
            problems.append(Problem(name, flow.line, f"测评 id {flow.id!r} 已经在 "
                                                     f"{other.file}:{other.line} 用过了"))
            continue
        flows[flow.id] = flow
    loaded.flows = dict(sorted(flows.items(), key=lambda item: (item[1].order, item[0])))
    return loaded


@dataclass
class _FlowReader:
    """Reads one flow file, collecting problems at the line of the field they concern."""

    doc: YamlDoc
    name: str
    problems: list[Problem] = field(default_factory=list)
    flow_id: str = "?"
    nodes: dict[str, PathKey] = field(default_factory=dict)  # node id -> where defined

    def bad(self, key: PathKey, message: str) -> None:
        self.problems.append(Problem(self.name, self.doc.line(*key),
                                     f"测评 {self.flow_id}：{message}"))

    def read(self, problems: list[Problem]) -> Flow | None:
        data = self.doc.data
        if not isinstance(data, dict):
            problems.append(Problem(self.name, 1, "测评文件要写成含 id、title、steps、results "
                                                  "的映射"))
            return None
        self._header(data)
        steps = self._steps(data)
        results = self._results(data)
        start = self._start(data)
        problems.extend(self.problems)
        if self.problems:
            return None
        if start is None:
            problems.append(Problem(self.name, self.doc.line("steps"),
                                    f"测评 {self.flow_id}：至少要有一步（steps）"))
            return None
        order = read_order(data.get("order"), self.doc.line("order"), self.name, problems)
        start_line = self.doc.line("start") if "start" in data else self.doc.line("steps", 0)
        return Flow(self.flow_id, str(data["title"]).strip(), start, steps, results, self.name,
                    self.doc.line("id"), start_line, self.doc.line("title"), order)

    def _fields(self, item: dict[Any, Any], allowed: set[str], key: PathKey) -> None:
        for unknown in unknown_fields(item, allowed):
            self.bad((*key, unknown), unknown_field_message(unknown, allowed))

    def _header(self, data: dict[Any, Any]) -> None:
        self._fields(data, FLOW_FIELDS, ())
        flow_id = data.get("id")
        if not valid_id(flow_id, MAX_FLOW_ID):
            self.bad(("id",), f"测评的 id {id_rule(MAX_FLOW_ID)}（现在是 {flow_id!r}）")
        else:
            self.flow_id = str(flow_id)
        if not is_text(data.get("title")):
            self.bad(("title",), "title（测评名字）不能为空")

    def _node_id(self, key: PathKey, item: dict[Any, Any]) -> str | None:
        value = item.get("id")
        if not valid_id(value):
            self.bad((*key, "id"), f"步骤或结果的 id {id_rule()}（现在是 {value!r}）")
            return None
        value = str(value)
        if value in self.nodes:
            self.bad((*key, "id"), f"id {value!r} 重复了（第 {self.doc.line(*self.nodes[value])} "
                                   f"行也有）")
            return None
        self.nodes[value] = key
        return value

    def _list(self, data: dict[Any, Any], key: str) -> list[tuple[int, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad((key,), f"{key} 必须是列表")
            return []
        return list(enumerate(value))

    def _text(self, value: Any, key: PathKey) -> str:
        """Text of a step or result; empty is allowed here (the checks report it)."""
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.bad(key, "text 必须是文字")
            return ""
        return str(value).strip()

    def _steps(self, data: dict[Any, Any]) -> dict[str, Step]:
        steps: dict[str, Step] = {}
        for index, item in self._list(data, "steps"):
            key: PathKey = ("steps", index)
            if not isinstance(item, dict):
                self.bad(key, "每一步都要写 id、text、options")
                continue
            self._fields(item, STEP_FIELDS, key)
            sid = self._node_id(key, item)
            text = self._text(item.get("text"), (*key, "text"))
            options = self._options(item, key)
            if sid is not None:
                steps[sid] = Step(sid, text, options, self.doc.line(*key))
        return steps

    def _options(self, item: dict[Any, Any], key: PathKey) -> tuple[Option, ...]:
        raw = item.get("options")
        if raw is not None and not isinstance(raw, list):
            self.bad((*key, "options"), "options 必须是列表")
            return ()
        options = []
        for o_index, option in enumerate(raw or []):
            o_key = (*key, "options", o_index)
            if not isinstance(option, dict) or not is_text(option.get("label")) \
                    or not is_text(option.get("next")):
                self.bad(o_key, "每个选项都要有 label（按钮文字）和 next（下一步或结果的 id）")
                continue
            self._fields(option, OPTION_FIELDS, o_key)
            options.append(Option(str(option["label"]).strip(), str(option["next"]).strip(),
                                  self.doc.line(*o_key, "label"), self.doc.line(*o_key, "next")))
        return tuple(options)

    def _results(self, data: dict[Any, Any]) -> dict[str, Result]:
        results: dict[str, Result] = {}
        for index, item in self._list(data, "results"):
            key: PathKey = ("results", index)
            if not isinstance(item, dict):
                self.bad(key, "每个结果都要写 id 和 text")
                continue
            self._fields(item, RESULT_FIELDS, key)
            rid = self._node_id(key, item)
            text = self._text(item.get("text"), (*key, "text"))
            entries = item.get("entries", [])
            if isinstance(entries, str):
                entries = [entries]
            if not isinstance(entries, list) or not all(is_text(e) for e in entries):
                self.bad((*key, "entries"), "entries 必须是问答条目 id 的列表")
                entries = []
            other = item.get("flow")
            if other is not None and not is_text(other):
                self.bad((*key, "flow"), "flow 必须是另一个测评的 id")
                other = None
            if rid is not None:
                results[rid] = Result(
                    rid, text, tuple(str(e).strip() for e in entries),
                    str(other).strip() if other else None, self.doc.line(*key),
                    tuple(self.doc.line(*key, "entries", i) for i in range(len(entries))),
                    self.doc.line(*key, "flow"))
        return results

    def _start(self, data: dict[Any, Any]) -> str | None:
        start = data.get("start")
        if start is not None and not is_text(start):
            self.bad(("start",), "start 必须是某一步的 id")
            return None
        if start is None:
            steps = data.get("steps")
            first = steps[0] if isinstance(steps, list) and steps else None
            start = first.get("id") if isinstance(first, dict) else None
        return str(start).strip() if start is not None else None
