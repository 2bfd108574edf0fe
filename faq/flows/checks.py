"""Flow checks that need the whole picture: links to entries and other flows, reachability,
cycles, empty steps and results, button labels, and numbers the sources do not back.

The button payload size is checked where payloads are made (bot/payload.py)."""

from __future__ import annotations

from collections.abc import Mapping

from faq.content import Content, Entry
from faq.facts import unsupported_quantities
from faq.flows.model import Flow, Node, Option, Result, Step
from faq.messages import MessageKey
from faq.yamlfile import Problem


def check_flows(content: Content, max_label_chars: int) -> list[Problem]:
    """Every problem of every loaded flow."""
    prefix = content.messages.get(MessageKey.START_FLOW_PREFIX)
    problems: list[Problem] = []
    for flow in content.flows.values():
        problems += _FlowCheck(flow, content, max_label_chars, prefix).run()
    return problems


class _FlowCheck:
    def __init__(self, flow: Flow, content: Content, limit: int, prefix: str) -> None:
        self.flow, self.content, self.limit, self.prefix = flow, content, limit, prefix
        self.problems: list[Problem] = []

    def at(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.flow.file, line, f"测评 {self.flow.id}：{message}"))

    def run(self) -> list[Problem]:
        flow, entries = self.flow, self.content.entries
        if flow.id in entries:
            entry = entries[flow.id]
            self.at(flow.line, f"id {flow.id!r} 和一个问答条目重复（{entry.file}:{entry.line}）")
        if len(self.prefix + flow.title) > self.limit:
            self.at(flow.title_line, f"名字 {flow.title!r} 放在按钮上太长（"
                                     f"{len(self.prefix + flow.title)} 字，最多 {self.limit}）")
        if flow.start not in flow.steps:
            what = "是一个结果" if flow.start in flow.results else "不是任何一步"
            self.at(flow.start_line, f"start {flow.start!r} {what}；它必须是某一步的 id")
        for step in flow.steps.values():
            self._step(step)
        for result in flow.results.values():
            self._result(result)
        self._graph()
        self._numbers(entries)
        return self.problems

    def _step(self, step: Step) -> None:
        if not step.options:
            self.at(step.line, f"第 {step.id!r} 步没有选项")
        if not step.text:
            self.at(step.line, f"第 {step.id!r} 步没有文字")
        labels: set[str] = set()
        for option in step.options:
            if self.flow.node(option.next) is None:
                self.at(option.next_line, f"第 {step.id!r} 步的选项 {option.label!r} 指向不存在"
                                          f"的步骤或结果 {option.next!r}")
            if len(option.label) > self.limit:
                self.at(option.line, f"第 {step.id!r} 步的选项 {option.label!r} 有 "
                                     f"{len(option.label)} 个字，手机上最多放 {self.limit} 个")
            if option.label in labels:
                self.at(option.line, f"第 {step.id!r} 步有两个选项都叫 {option.label!r}")
            labels.add(option.label)

    def _result(self, result: Result) -> None:
        if not result.text:
            self.at(result.line, f"结果 {result.id!r} 没有文字")
        for eid, line in zip(result.entries, result.entry_lines, strict=False):
            if self.content.unknown_entry(eid):
                self.at(line, f"结果 {result.id!r} 链接的问答条目 {eid!r} 不存在")
        if result.flow is None:
            return
        if result.flow == self.flow.id:
            self.at(result.flow_line, f"结果 {result.id!r} 又推荐了本测评自己")
        elif self.content.unknown_flow(result.flow):
            self.at(result.flow_line, f"结果 {result.id!r} 推荐的测评 {result.flow!r} 不存在")

    def _graph(self) -> None:
        """Unreachable steps and results, and loops."""
        flow = self.flow
        if flow.start not in flow.steps:
            return
        seen: set[str] = set()
        on_path: set[str] = set()
        loops: list[tuple[Step, Option]] = []

        def visit(node_id: str) -> None:
            seen.add(node_id)
            on_path.add(node_id)
            step = flow.steps.get(node_id)
            for option in step.options if step else ():
                if flow.node(option.next) is None:
                    continue
                if option.next in on_path:
                    loops.append((step, option))  # type: ignore[arg-type]
                elif option.next not in seen:
                    visit(option.next)
            on_path.discard(node_id)

        visit(flow.start)
        for step, option in loops:
            self.at(option.next_line, f"第 {step.id!r} 步的选项 {option.label!r} 又回到了 "
                                      f"{option.next!r}，形成死循环")
        nodes: list[Node] = [*flow.steps.values(), *flow.results.values()]
        for node in nodes:
            if node.id not in seen:
                kind = "步骤" if isinstance(node, Step) else "结果"
                self.at(node.line, f"{kind} {node.id!r} 从开头走不到")

    def _numbers(self, entries: Mapping[str, Entry]) -> None:
        """A result's quantities must be backed by the sources of the entries it links; a
        step's, by those of all entries the flow links. Not judged while a linked entry is
        missing: that problem is reported already."""
        def sources(ids: tuple[str, ...]) -> list[str] | None:
            if any(eid not in entries for eid in ids):
                return None
            return [s for eid in ids for s in entries[eid].passages]

        linked = tuple(e for r in self.flow.results.values() for e in r.entries)
        nodes: list[tuple[Node, list[str] | None]] = [(s, sources(linked))
                                                      for s in self.flow.steps.values()]
        nodes += [(r, sources(r.entries)) for r in self.flow.results.values()]
        for node, quoted in nodes:
            if quoted is None:
                continue
            for quantity in unsupported_quantities(node.text, quoted):
                kind = "步骤" if isinstance(node, Step) else "结果"
                self.at(node.line, f"{kind} {node.id!r} 里的「{quantity.text}」在它链接的问答"
                                   "条目的原文（source）里找不到：数量要和原文一样")
