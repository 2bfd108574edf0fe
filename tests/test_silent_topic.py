"""A question about what the report does not say, plainly about one topic but no one entry of
it: the note, the contacts and that topic's likeliest entries (faq/knowledge.py `topic_hint`),
and the review never turns such a question into an alternate (bot/review_actions.py)."""

from __future__ import annotations

import pytest
from helpers import payload_of

from bot.dialogue import Dialogue
from bot.payload import Action
from bot.records import EventKind, EventRecord
from bot.replies import ReplyKind
from faq.decision import Candidate, Match, Outcome
from faq.knowledge import TOPIC_FLOOR, TOPIC_MIN
from faq.messages import MessageKey

CRAFTSMAN = ("hebei-great-craftsman", "craftsman-2017-results", "honour-nomination")
NOTE = "费用、补贴和奖励"


def c(entry_id: str, confidence: float) -> Candidate:
    return Candidate(entry_id, 40.0, entry_id, confidence)


def fallback(dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch, match: Match):
    monkeypatch.setattr(dialogue.knowledge.matcher, "match", lambda text: match)
    return dialogue.ask("随便问问")


def test_one_topic_gets_the_note_the_contacts_and_its_entries(
        shipped_dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch) -> None:
    match = Match(Outcome.FALLBACK, "q", (c(CRAFTSMAN[0], 0.3), c(CRAFTSMAN[1], 0.1),
                                          c(CRAFTSMAN[2], 0.05)), silent=NOTE)
    reply = fallback(shipped_dialogue, monkeypatch, match)
    assert reply.kind is ReplyKind.FALLBACK and not reply.answered and reply.silent == NOTE
    topic = shipped_dialogue.knowledge.content.topic("craftsman")
    assert topic is not None and topic.title in reply.text and NOTE in reply.text
    assert shipped_dialogue.render("{contacts}") in reply.text
    assert [s.entry_id for s in reply.suggestions] == list(CRAFTSMAN)
    entries = shipped_dialogue.knowledge.entries
    assert [b.label for b in reply.flat_buttons()][:3] == [entries[e].label for e in CRAFTSMAN]
    opened = shipped_dialogue.press(payload_of(shipped_dialogue, reply, Action.ENTRY,
                                               CRAFTSMAN[1]))
    assert opened.entry_id == CRAFTSMAN[1]
    assert opened.records == (EventRecord(kind=EventKind.PICK, question_id=reply.question_id,
                                          entry_id=CRAFTSMAN[1]),)  # for the review


@pytest.mark.parametrize("match", [
    # the first candidate too unsure: it is as often another matter
    Match(Outcome.FALLBACK, "q", (c(CRAFTSMAN[0], TOPIC_FLOOR - 0.01), c(CRAFTSMAN[1], 0.1)),
          silent=NOTE),
    # the candidates spread over topics
    Match(Outcome.FALLBACK, "q", (c(CRAFTSMAN[0], 0.3), c("interest-free-loan", 0.25),
                                  c(CRAFTSMAN[1], 0.05)), silent=NOTE),
    # one entry of its topic alone is no topic
    Match(Outcome.FALLBACK, "q", (c(CRAFTSMAN[0], 0.3),) * (TOPIC_MIN - 1), silent=NOTE),
    # not a question about what the report does not say
    Match(Outcome.FALLBACK, "q", (c(CRAFTSMAN[0], 0.3), c(CRAFTSMAN[1], 0.2))),
])
def test_otherwise_the_plain_fallback(shipped_dialogue: Dialogue,
                                      monkeypatch: pytest.MonkeyPatch, match: Match) -> None:
    reply = fallback(shipped_dialogue, monkeypatch, match)
    assert reply.kind is ReplyKind.FALLBACK and not reply.suggestions
    assert reply.text == shipped_dialogue.msg(MessageKey.FALLBACK)


def test_a_shipped_question_it_serves(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("１０万扶持资金多久能到账")  # worker set 2: no entry is sure
    assert reply.kind is ReplyKind.FALLBACK and reply.silent and len(reply.suggestions) >= 2
    assert {shipped_dialogue.knowledge.entries[s.entry_id].topic
            for s in reply.suggestions} == {"startup-aid"}
    plain = shipped_dialogue.ask("劳动仲裁去哪申请")  # nothing the report is about
    assert plain.kind is ReplyKind.FALLBACK and not plain.suggestions
