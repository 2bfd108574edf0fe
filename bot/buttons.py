"""What each button does: the decoded payload → the dialogue's reply and what it records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.payload import STAFF_ACTIONS, Action, Payload
from bot.records import EventKind, EventRecord
from bot.replies import Reply, ReplyKind, Rows
from faq.flows import engine
from faq.messages import MessageKey as K

if TYPE_CHECKING:
    from bot.dialogue import Dialogue


def act(dialogue: Dialogue, payload: Payload | None) -> Reply:
    """The reply to a button; a malformed, forged or stale payload gets a kind reply."""
    content = dialogue.knowledge.content
    if payload is None:
        return _stale(dialogue)
    action, target, qid = payload.action, payload.target, payload.question
    if action in STAFF_ACTIONS:  # a channel checks staff and acts on these itself
        return Reply(kind=ReplyKind.INFO, text=dialogue.msg(K.STAFF_ONLY),
                     buttons=(dialogue.menu_row(),))
    if action in (Action.FLOW, Action.FLOW_EXIT):
        view = engine.press(content.flows, content.messages, payload.flow)
        return dialogue.flow_reply(view, qid)
    if action is Action.MENU:
        return dialogue.menu()
    if action is Action.TOPICS:
        return _topic(dialogue, target) if target else dialogue.topics()
    if action is Action.CONTACTS:
        return Reply(kind=ReplyKind.INFO, text=dialogue.render("{contacts}"),
                     buttons=(dialogue.menu_row(),))
    if action in (Action.NONE, Action.NOT_THIS):
        kind = EventKind.NONE_OF_THESE if action is Action.NONE else EventKind.NOT_THIS
        return Reply(kind=ReplyKind.FALLBACK, text=dialogue.msg(K.NONE_FALLBACK),
                     buttons=dialogue.topic_rows(),
                     records=(EventRecord(kind=kind, question_id=qid or None,
                                          entry_id=target or None),))
    entry = content.entries.get(target)
    if entry is None:
        return _stale(dialogue)
    if action is Action.ENTRY:
        reply = dialogue.answer(entry, qid)
        if not qid:
            return reply
        pick = EventRecord(kind=EventKind.PICK, question_id=qid, entry_id=entry.id)
        return Reply(kind=reply.kind, text=reply.text, buttons=reply.buttons,
                     entry_id=entry.id, score=reply.score, question_id=qid, records=(pick,))
    return _feedback(dialogue, action, entry.id, qid)


def _topic(dialogue: Dialogue, topic_id: str) -> Reply:
    topic = dialogue.knowledge.content.topic(topic_id)
    if topic is None:
        return _stale(dialogue)
    entries = dialogue.knowledge.entries
    rows: Rows = tuple((dialogue.button(dialogue.label(entries[eid]),
                                        Payload(action=Action.ENTRY, target=eid)),)
                       for eid in topic.entry_ids if eid in entries)
    rows += ((dialogue.button(dialogue.msg(K.TOPICS_BUTTON), Payload(action=Action.TOPICS)),
              *dialogue.menu_row()),)
    return Reply(kind=ReplyKind.MENU, text=dialogue.msg(K.TOPIC_ENTRIES, topic=topic.title),
                 buttons=rows)


def _feedback(dialogue: Dialogue, action: Action, entry_id: str, qid: str) -> Reply:
    """Thanks for 👍/👎; only a payload the bot signed (entry shown, question known) counts."""
    yes = action is Action.FEEDBACK_YES
    text = dialogue.msg(K.FEEDBACK_THANKS_YES if yes else K.FEEDBACK_THANKS_NO)
    records: tuple[EventRecord, ...] = ()
    if qid:
        kind = EventKind.FEEDBACK_YES if yes else EventKind.FEEDBACK_NO
        records = (EventRecord(kind=kind, question_id=qid, entry_id=entry_id),)
    return Reply(kind=ReplyKind.FEEDBACK, text=text, entry_id=entry_id,
                 buttons=(dialogue.menu_row(),), records=records)


def _stale(dialogue: Dialogue) -> Reply:
    return Reply(kind=ReplyKind.INFO, text=dialogue.msg(K.UNKNOWN_BUTTON),
                 buttons=(dialogue.menu_row(),),
                 records=(EventRecord(kind=EventKind.STALE_BUTTON),))

