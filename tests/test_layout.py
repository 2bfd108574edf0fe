"""Phone layout on the shipped FAQ: every answer and flow result as a worker sees it, and the
📄 原文 and feedback replies under it."""

from __future__ import annotations

import re

import pytest
from helpers import decoded, payload_of, targets

from bot.dialogue import Dialogue
from bot.payload import Action, Payload
from bot.records import EventKind, EventRecord
from bot.replies import Reply, ReplyKind
from faq.contacts import Contact, contacts_block, local_promise
from faq.flows.engine import FlowTarget, Move, start_target
from faq.layout import MAX_ROWS
from faq.placeholders import first_line


def fits(reply: Reply) -> None:
    """Buttons to go on with, in at most MAX_ROWS rows."""
    assert reply.buttons and all(reply.buttons), reply
    assert len(reply.buttons) <= MAX_ROWS, [[b.label for b in row] for row in reply.buttons]


def test_every_answer_fits_a_phone(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    rules = dialogue.config.check
    asked_and_answered = 0
    for entry in dialogue.knowledge.entries.values():
        assert entry.short_label and len(entry.short_label) <= rules.max_label_chars, entry.id
        replies = [dialogue.answer(entry, "q" * 12)]
        asked = dialogue.ask(entry.question)
        if asked.entry_id == entry.id:
            replies.append(asked)
            asked_and_answered += 1
        for reply in replies:
            assert len(first_line(reply.text)) <= rules.max_first_line_chars, (entry.id, reply.text)
            assert targets(dialogue, reply, Action.SOURCE) == [entry.id]
            fits(reply)
    assert asked_and_answered >= len(dialogue.knowledge.entries) * 0.8


def test_every_flow_result_fits_a_phone(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    rules = dialogue.config.check
    contacts = contacts_block(dialogue.config.contacts)
    results = 0
    for flow in dialogue.knowledge.content.flows.values():
        todo: list[FlowTarget] = [start_target(flow)]
        while todo:
            target = todo.pop()
            reply = dialogue.press(dialogue.codec.encode(
                Payload(action=Action.FLOW, target=target.flow_id, flow=target)))
            assert reply.kind is ReplyKind.FLOW and reply.buttons
            view_targets = [p.flow for p in decoded(dialogue, reply)
                            if p.action is Action.FLOW and p.flow and p.flow.flow_id == flow.id
                            and p.flow.move is Move.STEP and len(p.flow.path) > len(target.path)]
            if view_targets:  # a step: its options lead on
                todo += view_targets
                continue
            results += 1
            shown = reply.text.replace(contacts, "")
            assert len(shown) <= rules.max_result_chars, (flow.id, target.path, len(shown))
            assert len(first_line(reply.text)) <= rules.max_first_line_chars, reply.text
            fits(reply)
    assert results >= 15


def test_source_shows_the_verbatim_passages_and_leads_back(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    asked = dialogue.ask("工会无息借款的使用期限是多长时间")
    assert asked.entry_id == "interest-free-loan"
    entry = dialogue.knowledge.entries[asked.entry_id]
    source = dialogue.press(payload_of(dialogue, asked, Action.SOURCE))
    assert source.kind is ReplyKind.SOURCE and source.entry_id == entry.id
    doc = dialogue.config.faq.sources[0]
    header = source.text.splitlines()[0]
    assert doc.title in header and doc.date in header
    for passage in entry.source:
        assert f"「{passage.text}」" in source.text
    assert source.records == (EventRecord(kind=EventKind.SOURCE_VIEW,
                                          question_id=asked.question_id, entry_id=entry.id),)
    fits(source)
    back = dialogue.press(payload_of(dialogue, source, Action.ENTRY, entry.id))
    assert back.kind is ReplyKind.ANSWER and back.text == asked.text
    assert back.records == ()  # going back is not a new pick
    assert targets(dialogue, source, Action.MENU) == [""]


def test_an_answer_from_config_says_it_has_no_passages(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    entry = dialogue.knowledge.entries["contact-union"]
    assert entry.source == ()
    reply = dialogue.press(payload_of(dialogue, dialogue.answer(entry), Action.SOURCE))
    assert reply.kind is ReplyKind.SOURCE and "不是报道里的内容" in reply.text
    fits(reply)


def test_feedback_replies_leave_a_way_on(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    reply = dialogue.ask("工会无息借款的使用期限是多长时间")
    for action in (Action.FEEDBACK_YES, Action.FEEDBACK_NO):
        thanks = dialogue.press(payload_of(dialogue, reply, action))
        assert thanks.kind is ReplyKind.FEEDBACK
        fits(thanks)


def test_answer_rows_leave_room_for_alternatives(shipped_dialogue: Dialogue) -> None:
    """A caller's lead row (也许您想问 alternatives, 「不是这个？」) replaces the related row;
    the four-row limit holds either way."""
    dialogue = shipped_dialogue
    entry = dialogue.knowledge.entries["interest-free-loan"]
    plain = dialogue.answer(entry, "q" * 12)
    assert len(plain.buttons) == MAX_ROWS and len(plain.buttons[0]) == 2
    assert targets(dialogue, plain, Action.ENTRY) == list(entry.related[:2])
    others = [dialogue.knowledge.entries[e] for e in ("startup-aid-amount", "equity-stake")]
    lead = [dialogue.button(e.label, Payload(action=Action.ENTRY, target=e.id)) for e in others]
    reply = dialogue.answer(entry, "q" * 12, lead=lead)
    assert reply.buttons[0] == tuple(lead) and reply.buttons[1:] == plain.buttons[1:]
    fits(reply)


def test_an_answer_that_says_the_report_is_silent_gives_the_contacts(
        shipped_dialogue: Dialogue) -> None:
    """Content rule: where the report is silent, say so and point to the contacts."""
    contacts = shipped_dialogue.render("{contacts}")
    silent = [e for e in shipped_dialogue.knowledge.entries.values()
              if re.search(r"没有?写|没有列出|报道里没有[。，]", shipped_dialogue.answer(e).text)]
    assert len(silent) >= 10  # the check means something only if such answers exist
    assert [e.id for e in silent if contacts not in shipped_dialogue.answer(e).text] == []


@pytest.mark.parametrize(("text", "promise"), [
    ("请问所在市县总工会。", "所在市县总工会"),
    ("可以去市总工会问问", "去市总工会"),
    ("找县总工会", "找县总工会"),
    ("到区工会问一下", "到区工会"),
    ("问问市里的工会", "问问市里的工会"),
    ("贷款贴息由市级以下工会和银行签协议", None),  # a fact, not where to go
    ("先问本单位工会", None),
    ("河北省总工会设立专项资金", None),
])
def test_sending_workers_to_a_city_union_is_a_promise(text: str, promise: str | None) -> None:
    assert local_promise(text, ()) == promise
    city = (Contact("石家庄市总工会", "0311-0000000"),)  # config that keeps the promise
    assert local_promise(text, city) is None
