"""What each button does: the decoded payload → the dialogue's reply and what it records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.payload import STAFF_ACTIONS, Action, Payload
from bot.records import EventKind, EventRecord
from bot.replies import Reply, ReplyKind, Rows
from faq.contacts import contacts_block
from faq.content import Entry
from faq.flows import engine
from faq.messages import MessageKey as K
from faq.sources import document

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
        return Reply(kind=ReplyKind.INFO, text=contacts_block(dialogue.config.contacts, None),
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
    if action is Action.SOURCE:
        return _source(dialogue, entry, qid)
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


def _source(dialogue: Dialogue, entry: Entry, qid: str) -> Reply:
    """📄 原文: the verbatim passages the answer came from, each document named by its title
    and date (config.yaml), then back to the answer or the menu."""
    back = dialogue.button(dialogue.msg(K.SOURCE_BACK),
                           Payload(action=Action.ENTRY, target=entry.id))
    event = EventRecord(kind=EventKind.SOURCE_VIEW, question_id=qid or None, entry_id=entry.id)
    return Reply(kind=ReplyKind.SOURCE, text=_source_text(dialogue, entry),
                 buttons=((back, *dialogue.menu_row()),), entry_id=entry.id,
                 question_id=qid or None, records=(event,))


def _source_text(dialogue: Dialogue, entry: Entry) -> str:
    """The passages grouped by document, each group under its document's one-line note."""
    if not entry.source:
        return dialogue.msg(K.SOURCE_FROM_CONFIG)
    blocks: dict[str, list[str]] = {}
    for passage in entry.source:
        doc = document(dialogue.config.faq.sources, passage.doc)
        key = doc.id if doc else passage.doc
        if key not in blocks:
            header = K.SOURCE_HEADER if doc and doc.date else K.SOURCE_HEADER_UNDATED
            blocks[key] = [dialogue.msg(header, title=doc.title if doc else passage.doc,
                                        date=doc.date if doc else "")]
        blocks[key].append(dialogue.msg(K.SOURCE_PASSAGE, text=passage.text))
    return "\n\n".join("\n".join(lines) for lines in blocks.values())


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

