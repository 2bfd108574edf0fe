"""A question naming an entry's programme (its `names:`) that the matcher would not answer is
answered with that entry, 「不是这个？」 and what the report does not say (faq/names.py,
faq/matcher.py `_named`)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import targets

from bot.dialogue import Dialogue
from bot.payload import Action
from bot.replies import ReplyKind
from faq.decision import Outcome
from faq.knowledge import MatchConfig, build_matcher
from faq.messages import MessageKey
from faq.names import Named, NameIndex

TRAINING = "transfer-skill-training"
SEND_TEACHING = "送教入企是咋个送法 要厂里出场地不"  # the name, then words no phrasing holds


def test_the_longest_name_found_decides() -> None:
    index = NameIndex([("craftsman", "大工匠"), ("hebei", "河北大工匠"), ("loan", "借款")],
                      str)
    assert index.named("河北大工匠有奖金吗") == Named("hebei", "河北大工匠")
    assert index.named("大工匠有奖金吗") == Named("craftsman", "大工匠")
    assert index.named("今天天气好") is None


def test_a_question_naming_two_entries_decides_nothing() -> None:
    index = NameIndex([("loan", "无息借款"), ("subsidy", "贴息"), ("x", "借")], str)
    assert index.named("无息借款跟贴息贷款有啥区别") is None  # it asks about both
    assert index.named("借了钱") is None  # one character names nothing
    assert not NameIndex([], str)


def test_a_name_inside_a_longer_one_found_is_not_a_second_name() -> None:
    national = "全国示范性劳模和工匠人才创新工作室"
    index = NameIndex([("studios", "创新工作室"), ("honours", national)], str)
    assert index.named(national + "河北几家") == Named("honours", national)
    assert index.named("创新工作室有多少家") == Named("studios", "创新工作室")


def test_names_of_three_characters_or_more_are_found_by_sound() -> None:
    index = NameIndex([("aid", "创业扶持"), ("wu", "吴明"), ("calm", "安定")], str)
    assert index.named("创业付持咋申请") == Named("aid", "创业扶持")  # 付持 sounds as 扶持
    assert index.named("无名英雄") is None  # two characters: by writing only
    assert index.named("万定三方") is None  # whole syllables only: wan ding is not an ding


def test_entries_of_one_topic() -> None:
    index = NameIndex([], str, {"a": "aid", "b": "aid", "c": "craft"})
    assert index.same_topic("a", "b") and index.same_topic("c", "c")
    assert not index.same_topic("a", "c") and not index.same_topic("x", "y")


def test_a_named_programme_is_answered_with_not_this(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask(SEND_TEACHING)
    assert reply.kind is ReplyKind.ANSWER and reply.entry_id == TRAINING and reply.answered
    assert targets(shipped_dialogue, reply, Action.NOT_THIS) == [TRAINING]
    note = shipped_dialogue.msg(MessageKey.NAMED_NOTE_SEE_ABOVE, name="送教入企")
    assert reply.text.endswith(note)  # the answer already gives the contacts: not twice
    assert reply.text.count(shipped_dialogue.render("{contacts}")) == 1


def test_without_the_name_the_same_question_falls_back(shipped_dialogue: Dialogue) -> None:
    knowledge = shipped_dialogue.knowledge
    entries = {k: replace(e, names=()) for k, e in knowledge.entries.items()}
    unnamed = build_matcher(replace(knowledge.content, entries=entries), knowledge.normalizer,
                            MatchConfig(knowledge.matcher.settings))
    assert unnamed.match(SEND_TEACHING).outcome is Outcome.FALLBACK
    named = knowledge.matcher.match(SEND_TEACHING)
    assert named.outcome is Outcome.ANSWER and named.confirm and named.named == "送教入企"


def test_the_named_note_gives_the_contacts_when_the_answer_does_not(
        shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("杨普是男的女的")
    entry = shipped_dialogue.knowledge.entries["yang-pu-deng-jianjun"]
    assert reply.entry_id == entry.id and "{contacts}" not in entry.answer
    note = shipped_dialogue.msg(MessageKey.NAMED_NOTE, name="杨普")
    assert reply.text.endswith(note) and shipped_dialogue.render("{contacts}") in note


def test_what_the_report_does_not_say_is_said_instead(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("大工匠有奖金吗")
    assert reply.entry_id == "hebei-great-craftsman" and reply.silent == "费用、补贴和奖励"
    assert "上面是报道里关于" not in reply.text  # one note, the plainer one


def test_the_first_candidate_serves_when_it_is_of_the_named_topic(
        shipped_dialogue: Dialogue) -> None:
    """创业扶持 names the programme's overview; the matcher puts eligibility first."""
    match = shipped_dialogue.knowledge.matcher.match("创业扶持有年龄限制不 俺都56了")
    assert match.outcome is Outcome.ANSWER and match.confirm and match.named == "创业扶持"
    assert match.entry_id == "startup-aid-eligibility"
    assert "创业扶持" in shipped_dialogue.knowledge.entries["startup-aid-overview"].names


def test_an_entry_the_matcher_barely_weighed_is_not_answered(
        shipped_dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    confidence = matcher.match(SEND_TEACHING).confidence
    floor = replace(matcher.model.thresholds, named=confidence + 0.01)
    monkeypatch.setattr(matcher, "model", replace(matcher.model, thresholds=floor))
    assert matcher.match(SEND_TEACHING).outcome is Outcome.FALLBACK


def test_a_place_outside_hebei_still_wins(shipped_dialogue: Dialogue) -> None:
    match = shipped_dialogue.knowledge.matcher.match("广东的假日技校收费吗")
    assert match.outcome is Outcome.FALLBACK and match.elsewhere == "广东" and not match.named
