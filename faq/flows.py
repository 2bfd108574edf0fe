"""Guided self-checks ("flows"): decision trees of button questions, declared in YAML.

A flow file holds one flow: an id and title, a list of steps (a question with button options,
each leading to another step or to a result) and a list of results (text, optional links to FAQ
entries, optionally offering another flow). Staff guide: docs/staff-guide.md.

The engine keeps no session. A button's payload carries the whole state:

    f:<flow>                      start (or start over)
    f:<flow>:<version>:<path>     the node reached by choosing <path>, 1-based option indexes
                                  joined by dots ("1.2.1"); "back" is the path minus its last
    fx:<flow>                     leave the flow

`version` is a short hash of the flow's structure (step and result ids, option labels and
targets; not the texts), so a button pressed after the flow was restructured gets a kind "this
check has changed" reply instead of a wrong step. Forged or malformed payloads get the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from faq.content import (
    DEFAULT_ORDER,
    ID_PATTERN,
    MAX_ID_LENGTH,
    display_name,
    is_text,
    read_order,
    yaml_files,
)
from faq.text import NUMBER
from faq.yamlfile import Problem, YamlDoc, YamlError, read_yaml

PAYLOAD_LIMIT = 64  # bytes; Telegram's callback_data limit
START, CANCEL = "f", "fx"
VERSION_CHARS = 6
FLOW_FIELDS = {"id", "title", "start", "steps", "results", "order"}
STEP_FIELDS = {"id", "text", "options"}
OPTION_FIELDS = {"label", "next"}
RESULT_FIELDS = {"id", "text", "entries", "flow"}
# Message keys (faq/data/messages.yaml) for the engine's fixed texts.
MESSAGE_KEYS = ("flow_back", "flow_restart", "flow_cancel", "flow_stale", "flow_gone",
                "flow_cancelled", "start_flow_prefix")
_PATH = re.compile(r"^[1-9][0-9]{0,2}(?:\.[1-9][0-9]{0,2})*$")
_SPACE = re.compile(r"\s+")


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

    def node(self, node_id: str) -> Step | Result | None:
        return self.steps.get(node_id) or self.results.get(node_id)


@dataclass
class FlowView:
    """What the engine shows for a payload; the dialogue core turns it into buttons."""

    text: str  # may contain {contacts}
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, payload)
    entry_links: list[str] = field(default_factory=list)
    controls: list[list[tuple[str, str]]] = field(default_factory=list)
    event: str = ""
    done: bool = False
    flow: str | None = None
    node: str | None = None
    path: tuple[int, ...] = ()


class PathError(ValueError):
    """A path that does not lead anywhere in a flow."""


# ---- payloads -----------------------------------------------------------------------------
def start_payload(flow: Flow) -> str:
    """The payload of a button that starts (or starts over) a flow."""
    return f"{START}:{flow.id}"


def cancel_payload(flow: Flow) -> str:
    return f"{CANCEL}:{flow.id}"


def path_payload(flow: Flow, path: tuple[int, ...] | list[int]) -> str:
    """The payload of the node reached by `path` (the start payload for an empty path)."""
    if not path:
        return start_payload(flow)
    return f"{START}:{flow.id}:{flow.version}:{'.'.join(map(str, path))}"


def walk(flow: Flow, path: tuple[int, ...] | list[int]) -> Step | Result:
    """The node reached by choosing `path` (1-based option indexes) from the start."""
    node = flow.node(flow.start)
    if node is None:
        raise PathError(f"flow {flow.id}: start {flow.start!r} is not a step or result")
    for depth, index in enumerate(path, 1):
        if isinstance(node, Result):
            raise PathError(f"choice {depth} ({index}): result {node.id!r} was already reached")
        if not 1 <= index <= len(node.options):
            raise PathError(f"choice {depth} ({index}): step {node.id!r} has "
                            f"{len(node.options)} options")
        target = node.options[index - 1].next
        node = flow.node(target)
        if node is None:
            raise PathError(f"choice {depth} ({index}): step {target!r} does not exist")
    return node


def path_labels(flow: Flow, path: tuple[int, ...] | list[int]) -> list[str]:
    """The option labels chosen along `path`, as far as it leads somewhere."""
    labels: list[str] = []
    node = flow.node(flow.start)
    for index in path:
        if not isinstance(node, Step) or not 1 <= index <= len(node.options):
            break
        labels.append(node.options[index - 1].label)
        node = flow.node(node.options[index - 1].next)
    return labels


# ---- the engine ---------------------------------------------------------------------------
def press(content: Any, payload: str) -> FlowView:
    """Act on a flow button payload; stale, forged or malformed ones get a kind reply."""
    flows: dict[str, Flow] = getattr(content, "flows", None) or {}
    messages: dict[str, str] = getattr(content, "messages", None) or {}

    def msg(key: str) -> str:
        return messages.get(key, key)

    payload = (payload or "").strip()
    if len(payload.encode("utf-8")) > PAYLOAD_LIMIT or not payload.isascii():
        return _gone(flows, msg)
    kind, _, rest = payload.partition(":")
    flow_id, _, state = rest.partition(":")
    if kind == CANCEL:
        flow = flows.get(flow_id)
        event = f"flow-cancel:{flow.id}" if flow else "flow-cancel"
        return FlowView(msg("flow_cancelled"), event=event, flow=flow.id if flow else None)
    flow = flows.get(flow_id) if kind == START else None
    if flow is None:
        return _gone(flows, msg)
    if not state:
        path: tuple[int, ...] = ()
    else:
        version, _, steps = state.partition(":")
        if version != flow.version or not _PATH.match(steps):
            return _stale(flow, msg)
        path = tuple(int(i) for i in steps.split("."))
    try:
        node = walk(flow, path)
    except PathError:
        return _stale(flow, msg)
    return view(flow, path, node, flows, msg)


def view(flow: Flow, path: tuple[int, ...], node: Step | Result, flows: dict[str, Flow],
         msg: Any) -> FlowView:
    """The view of a step or result reached by `path`."""
    nav = []
    if path:
        nav = [(msg("flow_back"), path_payload(flow, path[:-1])),
               (msg("flow_restart"), start_payload(flow))]
    if isinstance(node, Step):
        options = [(o.label, path_payload(flow, (*path, i)))
                   for i, o in enumerate(node.options, 1)]
        controls = [row for row in (nav, [(msg("flow_cancel"), cancel_payload(flow))]) if row]
        event = f"flow-start:{flow.id}" if not path else f"flow-step:{flow.id}:{node.id}"
        return FlowView(node.text, options, [], controls, event, False, flow.id, node.id, path)
    controls = []
    other = flows.get(node.flow) if node.flow else None
    if other is not None and other.id != flow.id:
        controls.append([(msg("start_flow_prefix") + other.title, start_payload(other))])
    if nav:
        controls.append(nav)
    return FlowView(node.text, [], list(node.entries), controls,
                    f"flow-result:{flow.id}:{node.id}", True, flow.id, node.id, path)


def _stale(flow: Flow, msg: Any) -> FlowView:
    return FlowView(msg("flow_stale"), controls=[[(msg("flow_restart"), start_payload(flow))]],
                    event=f"flow-stale:{flow.id}", flow=flow.id)


def _gone(flows: dict[str, Flow], msg: Any) -> FlowView:
    rows = [[(msg("start_flow_prefix") + f.title, start_payload(f))] for f in flows.values()]
    return FlowView(msg("flow_gone"), controls=rows, event="flow-stale")


def all_paths(flow: Flow, limit: int = 10_000) -> list[tuple[tuple[int, ...], Step | Result]]:
    """Every path from the start to a result or a dead end (a step with no options or a
    missing target), depth first in option order; stops at cycles and after `limit` paths."""
    found: list[tuple[tuple[int, ...], Step | Result]] = []

    def visit(path: tuple[int, ...], node: Step | Result, seen: frozenset[str]) -> None:
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


# ---- loading ------------------------------------------------------------------------------
def load_flows(path: Path, base: Path | None = None) -> tuple[dict[str, Flow], list[Problem]]:
    """Read every flow file in `path`; a flow with a problem in its shape is left out."""
    flows: dict[str, Flow] = {}
    problems: list[Problem] = []
    if not path.exists():
        return flows, [Problem(display_name(path, base), 0, "flow folder not found")]
    for file in yaml_files(path):
        name = display_name(file, base)
        try:
            doc = read_yaml(file, name)
        except YamlError as exc:
            problems.append(exc.problem)
            continue
        flow = _read_flow(doc, name, problems)
        if flow is None:
            continue
        if flow.id in flows:
            other = flows[flow.id]
            problems.append(Problem(name, flow.line, f"flow id {flow.id!r} is used by "
                                                     f"{other.file}:{other.line} too"))
            continue
        flows[flow.id] = flow
    return dict(sorted(flows.items(), key=lambda item: (item[1].order, item[0]))), problems


def _read_flow(doc: YamlDoc, name: str, problems: list[Problem]) -> Flow | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "expected a mapping with 'id', 'title', 'steps' and "
                                         "'results'"))
        return None
    before = len(problems)

    def bad(key: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(name, doc.line(*key), message))

    _unknown_fields(data, FLOW_FIELDS, (), bad)
    flow_id = data.get("id")
    if not is_text(flow_id) or not ID_PATTERN.match(str(flow_id)) \
            or len(str(flow_id)) > MAX_ID_LENGTH:
        bad(("id",), f"flow needs an 'id' of lowercase letters, digits and dashes, at most "
                     f"{MAX_ID_LENGTH} characters (got {flow_id!r})")
        flow_id = "?"
    flow_id = str(flow_id)
    if not is_text(data.get("title")):
        bad(("title",), f"flow {flow_id}: 'title' must be non-empty text")
    nodes: dict[str, tuple[str | int, ...]] = {}  # node id -> where it is defined

    def node_id(key: tuple[str | int, ...], item: dict) -> str | None:
        value = item.get("id")
        if not is_text(value) or not ID_PATTERN.match(str(value)):
            bad((*key, "id"), f"flow {flow_id}: needs an 'id' of lowercase letters, digits and "
                              f"dashes (got {value!r})")
            return None
        value = str(value)
        if value in nodes:
            bad((*key, "id"), f"flow {flow_id}: duplicate step/result id {value!r} (also at "
                              f"line {doc.line(*nodes[value])})")
            return None
        nodes[value] = key
        return value

    steps: dict[str, Step] = {}
    for index, item in _items(data, "steps", bad, flow_id):
        key = ("steps", index)
        if not isinstance(item, dict):
            bad(key, f"flow {flow_id}: each step must be a mapping with 'id', 'text', 'options'")
            continue
        _unknown_fields(item, STEP_FIELDS, key, bad)
        sid = node_id(key, item)
        text = _text(item.get("text"), (*key, "text"), bad, flow_id)
        options = []
        raw_options = item.get("options")
        if raw_options is not None and not isinstance(raw_options, list):
            bad((*key, "options"), f"flow {flow_id}: 'options' must be a list")
            raw_options = []
        for o_index, option in enumerate(raw_options or []):
            o_key = (*key, "options", o_index)
            if not isinstance(option, dict) or not is_text(option.get("label")) \
                    or not is_text(option.get("next")):
                bad(o_key, f"flow {flow_id}: each option needs a 'label' (text) and a 'next' "
                           f"(a step or result id)")
                continue
            _unknown_fields(option, OPTION_FIELDS, o_key, bad)
            options.append(Option(str(option["label"]).strip(), str(option["next"]).strip(),
                                  doc.line(*o_key, "label"), doc.line(*o_key, "next")))
        if sid is not None:
            steps[sid] = Step(sid, text, tuple(options), doc.line(*key))

    results: dict[str, Result] = {}
    for index, item in _items(data, "results", bad, flow_id):
        key = ("results", index)
        if not isinstance(item, dict):
            bad(key, f"flow {flow_id}: each result must be a mapping with 'id' and 'text'")
            continue
        _unknown_fields(item, RESULT_FIELDS, key, bad)
        rid = node_id(key, item)
        text = _text(item.get("text"), (*key, "text"), bad, flow_id)
        entries = item.get("entries", [])
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, list) or not all(is_text(e) for e in entries):
            bad((*key, "entries"), f"flow {flow_id}: 'entries' must be a list of entry ids")
            entries = []
        other = item.get("flow")
        if other is not None and not is_text(other):
            bad((*key, "flow"), f"flow {flow_id}: 'flow' must be a flow id")
            other = None
        if rid is not None:
            results[rid] = Result(
                rid, text, tuple(str(e).strip() for e in entries),
                str(other).strip() if other else None, doc.line(*key),
                tuple(doc.line(*key, "entries", i) for i in range(len(entries))),
                doc.line(*key, "flow"))

    start = data.get("start")
    if start is not None and not is_text(start):
        bad(("start",), f"flow {flow_id}: 'start' must be a step id")
        start = None
    if start is None:
        first = (data.get("steps") or [None])[0] if isinstance(data.get("steps"), list) else None
        start = first.get("id") if isinstance(first, dict) else None
    if len(problems) > before:
        return None
    if start is None:
        bad(("steps",), f"flow {flow_id}: needs at least one step")
        return None
    order = read_order(data.get("order"), doc.line("order"), name, problems)
    return Flow(flow_id, str(data["title"]).strip(), str(start).strip(), steps, results, name,
                doc.line("id"), doc.line("start") if "start" in data else doc.line("steps", 0),
                doc.line("title"), order)


def _items(data: dict, key: str, bad: Any, flow_id: str) -> list[tuple[int, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        bad((key,), f"flow {flow_id}: '{key}' must be a list")
        return []
    return list(enumerate(value))


def _text(value: Any, key: tuple[str | int, ...], bad: Any, flow_id: str) -> str:
    """Text of a step or result; empty is allowed here (check_flows reports it)."""
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        bad(key, f"flow {flow_id}: 'text' must be text")
        return ""
    return str(value).strip()


def _unknown_fields(item: dict, allowed: set[str], key: tuple[str | int, ...], bad: Any) -> None:
    for unknown in sorted(set(map(str, item)) - allowed):
        bad((*key, unknown), f"unknown field {unknown!r} (allowed: {', '.join(sorted(allowed))})")


# ---- checks -------------------------------------------------------------------------------
def check_flows(content: Any, config: Any) -> list[Problem]:
    """Problems that need the whole picture: references, reachability, cycles, empty steps and
    results, ids shared with entries, button labels and payload sizes, numbers in texts."""
    flows: dict[str, Flow] = getattr(content, "flows", None) or {}
    entries = getattr(content, "entries", None) or {}
    messages = getattr(content, "messages", None) or {}
    limit = getattr(config, "max_button_label_chars", 20)
    problems: list[Problem] = []
    if flows and messages:
        missing = [k for k in MESSAGE_KEYS if k not in messages]
        if missing:
            problems.append(Problem("messages", 0, f"flows need the message(s) "
                                                   f"{', '.join(missing)} in messages.yaml"))
    prefix = messages.get("start_flow_prefix", "")
    for flow in flows.values():
        problems += _check_flow(flow, flows, entries, limit, prefix)
    return problems


def _check_flow(flow: Flow, flows: dict[str, Flow], entries: dict, limit: int,
                prefix: str) -> list[Problem]:
    problems: list[Problem] = []

    def at(line: int, message: str) -> None:
        problems.append(Problem(flow.file, line, f"flow {flow.id}: {message}"))

    if flow.id in entries:
        entry = entries[flow.id]
        at(flow.line, f"id {flow.id!r} is also the id of an FAQ entry "
                      f"({entry.file}:{entry.line})")
    if len(prefix + flow.title) > limit:
        at(flow.title_line, f"title {flow.title!r} is too long for its start button "
                            f"({len(prefix + flow.title)} > {limit} characters)")
    if flow.start not in flow.steps:
        what = "a result" if flow.start in flow.results else "not a step"
        at(flow.start_line, f"'start' {flow.start!r} is {what}; it must name a step")
    for step in flow.steps.values():
        if not step.options:
            at(step.line, f"step {step.id!r} has no options")
        if not step.text:
            at(step.line, f"step {step.id!r} has no text")
        labels: set[str] = set()
        for option in step.options:
            if flow.node(option.next) is None:
                at(option.next_line, f"step {step.id!r}: option {option.label!r} leads to unknown "
                                f"step or result {option.next!r}")
            if len(option.label) > limit:
                at(option.line, f"step {step.id!r}: option label {option.label!r} has "
                                f"{len(option.label)} characters; at most {limit} fit a phone "
                                f"screen")
            if option.label in labels:
                at(option.line, f"step {step.id!r}: two options are labelled {option.label!r}")
            labels.add(option.label)
    for result in flow.results.values():
        if not result.text:
            at(result.line, f"result {result.id!r} has no text")
        for eid, line in zip(result.entries, result.entry_lines, strict=False):
            if eid not in entries:
                at(line, f"result {result.id!r} links unknown entry {eid!r}")
        if result.flow is not None:
            if result.flow == flow.id:
                at(result.flow_line, f"result {result.id!r} offers its own flow")
            elif result.flow not in flows:
                at(result.flow_line, f"result {result.id!r} offers unknown flow "
                                     f"{result.flow!r}")
    problems += _check_graph(flow)
    problems += _check_numbers(flow, entries)
    return problems


def _check_graph(flow: Flow) -> list[Problem]:
    """Unreachable steps and results, cycles, and payloads longer than Telegram allows."""
    problems: list[Problem] = []
    if flow.start not in flow.steps:
        return problems
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    longest: dict[str, int] = {}  # node -> longest path text (in characters) from it onwards
    cycles: list[tuple[Step, Option]] = []

    def visit(node_id: str) -> int:
        state[node_id] = 1
        best = 0
        step = flow.steps.get(node_id)
        for i, option in enumerate(step.options if step else (), 1):
            if flow.node(option.next) is None:
                continue
            if state.get(option.next) == 1:
                cycles.append((step, option))
                continue
            tail = longest[option.next] if state.get(option.next) == 2 else visit(option.next)
            best = max(best, len(str(i)) + (1 + tail if tail else 0))
        state[node_id] = 2
        longest[node_id] = best
        return best

    deepest = visit(flow.start)
    for step, option in cycles:
        problems.append(Problem(flow.file, option.next_line,
                                f"flow {flow.id}: step {step.id!r}: option {option.label!r} "
                                f"leads back to {option.next!r}, making a loop"))
    for node in (*flow.steps.values(), *flow.results.values()):
        if node.id not in state:
            kind = "step" if isinstance(node, Step) else "result"
            problems.append(Problem(flow.file, node.line, f"flow {flow.id}: {kind} {node.id!r} "
                                                          f"cannot be reached from the start"))
    size = len(f"{START}:{flow.id}:{flow.version}:") + deepest
    if size > PAYLOAD_LIMIT:
        problems.append(Problem(flow.file, flow.line,
                                f"flow {flow.id}: its deepest button payload has {size} bytes, "
                                f"more than Telegram's {PAYLOAD_LIMIT}; shorten the flow id or "
                                f"the number of steps in a row"))
    return problems


def _check_numbers(flow: Flow, entries: dict) -> list[Problem]:
    """Each number in a result must be quoted by the source passages of the entries it links
    (which `unionbot check` compares with the document); a step's, by those the flow links."""
    def sources(ids: tuple[str, ...] | list[str]) -> str:
        return "".join(_SPACE.sub("", s) for eid in ids if eid in entries
                       for s in entries[eid].source)

    problems = []
    everything = sources([e for r in flow.results.values() for e in r.entries])
    nodes: list[tuple[Step | Result, str]] = [(s, everything) for s in flow.steps.values()]
    nodes += [(r, sources(r.entries)) for r in flow.results.values()]
    for node, quoted in nodes:
        text = node.text.replace("{contacts}", "")
        for number in sorted(set(NUMBER.findall(text))):
            if number not in quoted:
                kind = "step" if isinstance(node, Step) else "result"
                problems.append(Problem(flow.file, node.line,
                                        f"flow {flow.id}: {kind} {node.id!r} says {number!r} "
                                        f"but the source passages of the FAQ entries it links "
                                        f"do not"))
    return problems
