"""The one codec for button payloads, used by every channel.

Telegram gives a button 1–64 bytes of callback data, and a button may be pressed days later,
after a restart or on another replica, so a payload carries everything needed to act on it:

    2m                      main menu            2c                    contacts
    2t / 2t:<topic>         topics / one topic   2fx:<flow>            leave a flow
    2e:<entry>[:<q>:<mac>]  show an entry        2n[:<q>:<mac>]        none of the suggestions
    2y:<entry>:<q>:<mac>    feedback 👍          2x:<entry>:<q>:<mac>  feedback 👎
    2s:<entry>[:<q>:<mac>]  the entry's 📄 原文 (source passages)
    2w:<entry>[:<q>:<mac>]  「不是这个？」 under an answer the bot was not sure of
    2f:<flow>[:<version>:<path>[:<q>:<mac>]]     a flow's start or the step reached by a path
    2ra:<suggestion>        staff: accept        2rr:<suggestion>      staff: reject

Staff actions (accept or reject a learning suggestion) act only for staff: the channel checks
who pressed before acting on them (`is_staff_payload`), so they need no signature.

The leading digit is the format version. <q> is the id of the question the button follows, so
picks and feedback can be linked to it; <mac> is a short keyed hash over the payload, so a
forged or edited payload cannot attach feedback to a question or an entry it never showed.
Payloads of the first release (no version digit, no question id) are still understood.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from faq.content import Content
from faq.flows.engine import FlowTarget, Move
from faq.yamlfile import Problem

LIMIT = 64  # bytes: Telegram's callback_data limit
VERSION = "2"
MAC_CHARS = 6
_PATH = re.compile(r"^[1-9][0-9]{0,2}(?:\.[1-9][0-9]{0,2})*$")
_FIELD = re.compile(r"^[a-z0-9._-]*$")


class Action(StrEnum):
    MENU = "m"
    TOPICS = "t"
    ENTRY = "e"
    NONE = "n"
    CONTACTS = "c"
    FEEDBACK_YES = "y"
    FEEDBACK_NO = "x"
    FLOW = "f"
    FLOW_EXIT = "fx"
    SOURCE = "s"
    NOT_THIS = "w"
    REVIEW_ACCEPT = "ra"
    REVIEW_REJECT = "rr"


STAFF_ACTIONS = frozenset({Action.REVIEW_ACCEPT, Action.REVIEW_REJECT})

# Actions whose payload carries a question id (and so a mac) when there is one.
WITH_QUESTION = {Action.ENTRY, Action.NONE, Action.FEEDBACK_YES, Action.FEEDBACK_NO,
                 Action.FLOW, Action.SOURCE, Action.NOT_THIS}


class PayloadTooLong(ValueError):
    """A payload over Telegram's 64 bytes: an id in the content is too long."""


@dataclass(frozen=True, kw_only=True)
class Payload:
    action: Action
    target: str = ""  # entry, topic or flow id
    question: str = ""  # id of the question the button follows ("" if none or unverified)
    flow: FlowTarget | None = None


class Codec:
    """Encodes and decodes payloads; `key` signs the question ids they carry."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()
        return base64.b32encode(digest).decode("ascii").lower()[:MAC_CHARS]

    def encode(self, payload: Payload) -> str:
        """The callback data for `payload`; raises PayloadTooLong over 64 bytes."""
        fields = [payload.target]
        flow = payload.flow
        if payload.action is Action.FLOW and flow is not None:
            fields = [flow.flow_id, flow.version, ".".join(map(str, flow.path))]
        body = VERSION + payload.action.value + ":" + ":".join(fields)
        if payload.question and payload.action in WITH_QUESTION:
            body += ":" + payload.question
            body += ":" + self._mac(body)
        text = body.rstrip(":")
        if len(text.encode("utf-8")) > LIMIT:
            raise PayloadTooLong(f"button payload of {len(text)} bytes: {text[:40]}…")
        return text

    def decode(self, text: str) -> Payload | None:
        """The payload of a button, or None for anything malformed, forged or unknown."""
        text = (text or "").strip()
        if not text or len(text.encode("utf-8")) > LIMIT or not text.isascii():
            return None
        if text.startswith(VERSION):
            return self._decode_current(text)
        return _decode_first_release(text)

    def _decode_current(self, text: str) -> Payload | None:
        split = _split(text[1:])
        if split is None:
            return None
        action, fields = split
        question = ""
        size = 3 if action is Action.FLOW else 1
        if action in WITH_QUESTION and len(fields) == size + 2:
            body = text[: text.rfind(":")]
            if hmac.compare_digest(self._mac(body), fields[-1]):
                question = fields[-2]
            fields = fields[:size]
        return _build(action, fields, question)


def _build(action: Action, fields: list[str], question: str) -> Payload | None:
    """A payload from its action and fields, if their number and form fit the action."""
    if action is Action.FLOW:
        fields += [""] * (3 - len(fields))
        flow_id, version, path = fields[:3]
        if len(fields) > 3 or not flow_id:
            return None
        if not version and not path:
            flow = FlowTarget(Move.START, flow_id)
        elif version and _PATH.match(path):
            flow = FlowTarget(Move.STEP, flow_id, version, tuple(map(int, path.split("."))))
        else:
            return None
        return Payload(action=action, target=flow_id, question=question, flow=flow)
    if len(fields) > 1:
        return None
    target = fields[0] if fields else ""
    needs_target = action not in (Action.MENU, Action.TOPICS, Action.NONE, Action.CONTACTS)
    if needs_target and not target:
        return None
    if action is Action.FLOW_EXIT:
        return Payload(action=action, target=target,
                       flow=FlowTarget(Move.EXIT, target))
    return Payload(action=action, target=target, question=question)


def _split(text: str) -> tuple[Action, list[str]] | None:
    """`<action>:<field>:…` into the action and its fields, if both are well-formed."""
    head, _, rest = text.partition(":")
    try:
        action = Action(head)
    except ValueError:
        return None
    fields = rest.split(":") if rest else []
    return (action, fields) if all(_FIELD.match(f) for f in fields) else None


def is_staff_payload(text: object) -> bool:
    """Whether callback data is a staff action (for routing; acting still decodes it)."""
    if not isinstance(text, str) or not text.startswith(VERSION) or not text.isascii():
        return False
    split = _split(text[1:])
    return split is not None and split[0] in STAFF_ACTIONS


def _decode_first_release(text: str) -> Payload | None:
    """Payloads of release 1 (`e:<entry>`, `f:<flow>:<version>:<path>`, `fx`, `m` …)."""
    split = _split(text)
    if split is None:
        return None
    action, fields = split
    if action is Action.FLOW_EXIT and not fields:
        return Payload(action=action, flow=FlowTarget(Move.EXIT, ""))
    return _build(action, fields, "")


def payload_problems(content: Content, codec: Codec) -> list[Problem]:
    """Content whose buttons would not fit Telegram's 64 bytes: a flow's start button under an
    answer (it carries the question id) and its deepest step."""
    from bot.records import QUESTION_ID_CHARS
    from faq.flows.engine import path_target
    from faq.flows.model import longest_path

    question = "q" * QUESTION_ID_CHARS
    problems = []
    for flow in content.flows.values():
        deepest = longest_path(flow)
        for payload in (Payload(action=Action.FLOW, target=flow.id, question=question,
                                flow=FlowTarget(Move.START, flow.id)),
                        Payload(action=Action.FLOW, target=flow.id,
                                flow=path_target(flow, deepest))):
            try:
                codec.encode(payload)
            except PayloadTooLong as exc:
                problems.append(Problem(flow.file, flow.line,
                                        f"测评 {flow.id}：按钮数据超过 Telegram 的 {LIMIT} 字节"
                                        f"（{exc}）；请把测评 id 改短，或减少连续的步骤"))
                break
    return problems
