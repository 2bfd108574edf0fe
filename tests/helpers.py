"""Helpers for tests that look at a reply's buttons through the one payload codec."""

from __future__ import annotations

from bot.dialogue import Dialogue
from bot.payload import Action, Payload
from bot.replies import Reply


def decoded(dialogue: Dialogue, reply: Reply) -> list[Payload]:
    """The reply's button payloads, decoded by the dialogue's own codec."""
    found = [dialogue.codec.decode(b.payload) for b in reply.flat_buttons()]
    assert all(p is not None for p in found), reply.flat_buttons()
    return [p for p in found if p is not None]


def targets(dialogue: Dialogue, reply: Reply, action: Action) -> list[str]:
    """The targets (entry, topic or flow ids) of the reply's buttons doing `action`."""
    return [p.target for p in decoded(dialogue, reply) if p.action is action]


def payload_of(dialogue: Dialogue, reply: Reply, action: Action, target: str = "") -> str:
    """The encoded payload of the reply's first button doing `action` (on `target`)."""
    for button in reply.flat_buttons():
        payload = dialogue.codec.decode(button.payload)
        if payload and payload.action is action and (not target or payload.target == target):
            return button.payload
    raise AssertionError(f"no {action} button for {target!r} in {reply.flat_buttons()}")
