"""`unionbot flow`: list the guided checks, walk one non-interactively, review all its paths."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from bot.config import Config
from bot.payload import Action, Codec, Payload
from faq.content import Content, linked_passages, load_content
from faq.flows import engine
from faq.flows.loading import load_flows
from faq.flows.model import Flow, PathError, Result, all_paths, path_labels, walk
from faq.placeholders import Renderer
from faq.yamlfile import Problem


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the `flow` subcommand to the `unionbot` parser."""
    p = sub.add_parser("flow", parents=[common], help="list the guided checks, or walk one")
    p.add_argument("flow_id", nargs="?", metavar="ID", help="a flow id; omitted: list the flows")
    p.add_argument("--path", default="", help="1-based option numbers, e.g. 1,2,1 (default: the "
                                              "first step)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--paths", action="store_true", help="print every path and the result it "
                                                        "ends in, as a table")
    p.add_argument("--mermaid", action="store_true", help="print a Mermaid flowchart")
    p.set_defaults(handler=cmd_flow)


def load(config: Config) -> tuple[Content, list[Problem]]:
    """The messages, entries and flows (no matcher: nothing here matches questions), and the
    problems found in the flow files."""
    paths = config.faq
    content, _ = load_content(replace(paths, synonyms=None, flows=None))
    problems: list[Problem] = []
    if paths.flows is not None:
        loaded = load_flows(paths.flows, paths.base)
        content.flows, problems = loaded.flows, loaded.problems
    return content, problems


def cmd_flow(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    content, problems = load(config)
    flows: dict[str, Flow] = content.flows
    if not args.flow_id:
        for problem in problems:  # such flows are left out; `unionbot check` lists all
            print(problem, file=sys.stderr)
        return list_flows(flows, args.json)
    flow = flows.get(args.flow_id)
    if flow is None:
        known = ", ".join(flows) or "none"
        print(f"unionbot flow: unknown flow {args.flow_id!r} (known: {known})", file=sys.stderr)
        return 2
    if args.paths:
        print(paths_table(flow))
        return 0
    if args.mermaid:
        print(mermaid(flow))
        return 0
    try:
        path = parse_path(args.path)
        node = walk(flow, path)
    except (ValueError, PathError) as exc:
        print(f"unionbot flow: {flow.id}: bad path {args.path!r}: {exc}", file=sys.stderr)
        return 2
    view = engine.view(flow, path, node, flows, content.messages)
    renderer = Renderer(config.contacts, config.faq.sources, content.messages)
    text = renderer.fill(view.text, linked_passages(content, view.entry_links))
    if args.json:
        print(json.dumps(view_json(flow, view, text), ensure_ascii=False, indent=2))
    else:
        print(format_view(view, text, content))
    return 0


def parse_path(text: str) -> tuple[int, ...]:
    """'1,2,1' (or '1.2.1', '1 2 1') -> (1, 2, 1); raises ValueError."""
    parts = [p for p in text.replace(".", ",").replace(" ", ",").split(",") if p.strip()]
    if not all(p.strip().isdigit() for p in parts):
        raise ValueError("use option numbers separated by commas, e.g. 1,2,1")
    return tuple(int(p) for p in parts)


def list_flows(flows: dict[str, Flow], as_json: bool) -> int:
    rows: list[dict[str, Any]] = [
        {"id": f.id, "title": f.title, "steps": len(f.steps), "results": len(f.results),
         "file": f.file} for f in flows.values()]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no flows")
        return 0
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"{r['id']:<{width}}  {r['steps']:>2} steps  {r['results']:>2} results  "
              f"{r['title']}  ({r['file']})")
    return 0


def view_json(flow: Flow, view: engine.FlowView, text: str) -> dict[str, Any]:
    codec = Codec(b"flow")

    def payload(link: engine.FlowLink) -> str:
        action = Action.FLOW_EXIT if link.target.move is engine.Move.EXIT else Action.FLOW
        return codec.encode(Payload(action=action, target=link.target.flow_id, flow=link.target))

    return {
        "flow": flow.id,
        "path": list(view.path),
        "node": view.node,
        "done": view.done,
        "text": text,
        "options": [link.label for link in view.options],
        "entries": list(view.entry_links),
        "controls": [link.label for row in view.controls for link in row],
        "payloads": [payload(link) for link in view.options]
        + [payload(link) for row in view.controls for link in row],
        "event": view.event.value,
    }


def format_view(view: engine.FlowView, text: str, content: Content) -> str:
    lines = [text]
    if view.options:
        lines.append("")
        lines += [f"  [{i}] {link.label}" for i, link in enumerate(view.options, 1)]
    if view.entry_links:
        lines.append("")
        for eid in view.entry_links:
            entry = content.entries.get(eid)
            lines.append(f"  → {eid}" + (f"  {entry.label}" if entry else "  (unknown entry)"))
    controls = [link.label for row in view.controls for link in row]
    if controls:
        lines += ["", "  " + " | ".join(controls)]
    return "\n".join(lines)


def paths_table(flow: Flow) -> str:
    """Every path as a Markdown table: numbers, the labels chosen, and where it ends."""
    lines = [f"# {flow.id}  {flow.title}", "", "| path | choices | result |", "|---|---|---|"]
    for path, end in all_paths(flow):
        labels = path_labels(flow, path)
        if isinstance(end, Result):
            where = end.id
        elif not end.options:
            where = f"DEAD END: step {end.id} has no options"
        else:
            where = f"BROKEN after step {end.id}"
        lines.append(f"| {','.join(map(str, path)) or '-'} | {' → '.join(labels)} | {where} |")
    return "\n".join(lines)


def mermaid(flow: Flow) -> str:
    """A Mermaid flowchart: steps as diamonds, results as boxes, options as edge labels."""
    def node_id(name: str) -> str:
        return ("s_" if name in flow.steps else "r_") + name.replace("-", "_")

    def quote(text: str, limit: int = 40) -> str:
        first = " ".join(text.split())
        first = first if len(first) <= limit else first[: limit - 1] + "…"
        return '"' + first.replace('"', "#quot;") + '"'

    lines = ["flowchart TD"]
    for step in flow.steps.values():
        question = step.text.strip().splitlines()[-1] if step.text.strip() else step.id
        lines.append(f"    {node_id(step.id)}{{{quote(question)}}}")
    for result in flow.results.values():
        lines.append(f"    {node_id(result.id)}[{quote(result.id)}]")
    for step in flow.steps.values():
        for option in step.options:
            target = node_id(option.next) if flow.node(option.next) else "missing_" + \
                option.next.replace("-", "_")
            lines.append(f"    {node_id(step.id)} -->|{quote(option.label)}| {target}")
    return "\n".join(lines)
