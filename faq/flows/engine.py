"""The flow engine: from a target (start, a path, exit) to what the worker sees next.

The engine keeps no session. Each button carries a `FlowTarget` (the bot encodes it into the
button payload), so any process can act on a button pressed in another, and a restart loses
nothing. A target whose version no longer matches the flow, or whose path leads nowhere, gets a
kind "this check has changed" view instead of a wrong step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from faq.flows.model import Flow, Node, PathError, Result, Step, walk
from faq.messages import MessageKey, Messages


class Move(StrEnum):
    START = "start"  # start (or start over)
    STEP = "step"  # the node reached by a path
    EXIT = "exit"  # leave the flow


class FlowEvent(StrEnum):
    """What happened, for the records."""

    START = "flow-start"
    STEP = "flow-step"
    RESULT = "flow-result"
    CANCEL = "flow-cancel"
    STALE = "flow-stale"


@dataclass(frozen=True)
class FlowTarget:
    """Where a flow button leads: the whole state of a guided check."""

    move: Move
    flow_id: str
    version: str = ""
    path: tuple[int, ...] = ()


@dataclass(frozen=True)
class FlowLink:
    label: str
    target: FlowTarget


@dataclass(frozen=True)
class FlowView:
    """What the engine shows; the dialogue core turns it into text and buttons."""

    text: str  # may contain {contacts}
    event: FlowEvent
    options: tuple[FlowLink, ...] = ()
    entry_links: tuple[str, ...] = ()
    controls: tuple[tuple[FlowLink, ...], ...] = ()
    done: bool = False
    flow_id: str | None = None
    node: str | None = None
    path: tuple[int, ...] = ()


def start_target(flow: Flow) -> FlowTarget:
    return FlowTarget(Move.START, flow.id)


def path_target(flow: Flow, path: tuple[int, ...]) -> FlowTarget:
    """The target of the node reached by `path` (the start for an empty path)."""
    return FlowTarget(Move.STEP, flow.id, flow.version, path) if path else start_target(flow)


def press(flows: Mapping[str, Flow], messages: Messages, target: FlowTarget | None) -> FlowView:
    """Act on a flow button; a missing flow, a stale version or a bad path gets a kind view."""
    flow = flows.get(target.flow_id) if target is not None else None
    if target is None or (flow is None and target.move is not Move.EXIT):
        return gone(flows, messages)
    if target.move is Move.EXIT:
        return FlowView(messages.get(MessageKey.FLOW_CANCELLED), FlowEvent.CANCEL,
                        flow_id=flow.id if flow else None)
    assert flow is not None
    if target.move is Move.STEP and target.version != flow.version:
        return stale(flow, messages)
    try:
        node = walk(flow, target.path)
    except PathError:
        return stale(flow, messages)
    return view(flow, target.path, node, flows, messages)


def view(flow: Flow, path: tuple[int, ...], node: Node, flows: Mapping[str, Flow],
         messages: Messages) -> FlowView:
    """The view of a step or result reached by `path`."""
    nav: tuple[FlowLink, ...] = ()
    if path:
        nav = (FlowLink(messages.get(MessageKey.FLOW_BACK), path_target(flow, path[:-1])),
               FlowLink(messages.get(MessageKey.FLOW_RESTART), start_target(flow)))
    if isinstance(node, Step):
        options = tuple(FlowLink(o.label, path_target(flow, (*path, i)))
                        for i, o in enumerate(node.options, 1))
        leave = (FlowLink(messages.get(MessageKey.FLOW_CANCEL), FlowTarget(Move.EXIT, flow.id)),)
        controls = tuple(row for row in (nav, leave) if row)
        event = FlowEvent.STEP if path else FlowEvent.START
        return FlowView(node.text, event, options, (), controls, False, flow.id, node.id, path)
    return _result_view(flow, path, node, flows, messages, nav)


def _result_view(flow: Flow, path: tuple[int, ...], node: Result, flows: Mapping[str, Flow],
                 messages: Messages, nav: tuple[FlowLink, ...]) -> FlowView:
    rows: list[tuple[FlowLink, ...]] = []
    other = flows.get(node.flow) if node.flow else None
    if other is not None and other.id != flow.id:
        label = messages.get(MessageKey.START_FLOW_PREFIX) + other.title
        rows.append((FlowLink(label, start_target(other)),))
    if nav:
        rows.append(nav)
    return FlowView(node.text, FlowEvent.RESULT, (), node.entries, tuple(rows), True, flow.id,
                    node.id, path)


def stale(flow: Flow, messages: Messages) -> FlowView:
    restart = FlowLink(messages.get(MessageKey.FLOW_RESTART), start_target(flow))
    return FlowView(messages.get(MessageKey.FLOW_STALE), FlowEvent.STALE,
                    controls=((restart,),), flow_id=flow.id)


def gone(flows: Mapping[str, Flow], messages: Messages) -> FlowView:
    prefix = messages.get(MessageKey.START_FLOW_PREFIX)
    rows = tuple((FlowLink(prefix + f.title, start_target(f)),) for f in flows.values())
    return FlowView(messages.get(MessageKey.FLOW_GONE), FlowEvent.STALE, controls=rows)
