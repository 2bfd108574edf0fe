"""The reply to a question the report is silent on, about one topic but no one entry of it,
through the real python-telegram-bot stack: the note, the contacts, the topic's entries as
buttons, and a tap on one answered and recorded as a pick."""

from __future__ import annotations

import html

from e2e_harness import Harness, same_buttons

from bot.payload import Action
from bot.records import EventKind
from bot.replies import ReplyKind

WORKER = 2101
ASKED = "１０万扶持资金多久能到账"  # worker set 2: three startup-aid entries, none sure


async def test_the_topic_s_entries_are_offered(bot: Harness) -> None:
    dialogue = bot.dialogue
    expected = dialogue.ask(ASKED)
    assert expected.kind is ReplyKind.FALLBACK and expected.silent and expected.suggestions
    reply = await bot.say(WORKER, ASKED)
    assert reply.text == html.escape(expected.text.strip(), quote=False)
    assert "12351" in reply.text and expected.silent in reply.text
    assert same_buttons(dialogue, reply, expected)
    tapped = reply.payloads()[0]
    answer = await bot.tap(WORKER, tapped)
    assert answer.text == html.escape(dialogue.press(tapped).text.strip(), quote=False)
    [question] = await bot.store.questions(0)
    assert question.record.outcome == "fallback"
    [event] = await bot.store.events(0)
    assert (event.record.kind, event.record.question_id, event.record.entry_id) == (
        EventKind.PICK, question.record.question_id, expected.suggestions[0].entry_id)
    assert dialogue.codec.decode(tapped).action is Action.ENTRY
