"""The dialogue core on the shipped FAQ: the three outcomes, buttons, and input that must not
break it."""

from __future__ import annotations

import pytest
from helpers import decoded, payload_of, targets

from bot.dialogue import Dialogue
from bot.payload import Action
from bot.records import EventKind, EventRecord, QuestionRecord
from bot.replies import Reply, ReplyKind
from faq.messages import MessageKey

MAX_PAYLOAD_BYTES = 64


def payloads(reply: Reply) -> list[str]:
    return [b.payload for b in reply.flat_buttons()]


def test_a_clear_question_is_answered_with_its_entry(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("工会无息借款的使用期限是多长时间")
    assert reply.kind is ReplyKind.ANSWER and reply.answered
    assert reply.entry_id == "interest-free-loan"
    entry = shipped_dialogue.knowledge.entries[reply.entry_id]
    assert reply.text == shipped_dialogue.render(entry.answer)
    for action in (Action.FEEDBACK_YES, Action.FEEDBACK_NO):
        [feedback] = [p for p in decoded(shipped_dialogue, reply) if p.action is action]
        assert feedback.target == entry.id and feedback.question == reply.question_id
    [record] = reply.records
    assert isinstance(record, QuestionRecord) and record.question_id == reply.question_id
    assert record.outcome == "answer" and record.entry_id == entry.id


@pytest.mark.parametrize(("typed", "entry_id"), [
    ("工会无息接款能用几年", "interest-free-loan"),  # 借款 -> 接款
    ("假日计校是干啥的", "holiday-technical-school"),  # 技校 -> 计校
    ("無息借款期限多長", "interest-free-loan"),  # traditional
    ("创业扶持一个项目最多给多少钱？？？🙏", "startup-aid-amount"),
])
def test_typos_and_forms_still_find_the_entry(shipped_dialogue: Dialogue, typed: str,
                                              entry_id: str) -> None:
    reply = shipped_dialogue.ask(typed)
    top = reply.entry_id or (reply.suggestions[0].entry_id if reply.suggestions else None)
    assert top == entry_id, reply


@pytest.mark.parametrize("text", [
    "明天石家庄下雨吗", "老板拖欠我三个月工资怎么办", "社保断缴了怎么补", "哪里买手机便宜",
    "哈哈哈", "你吃饭了吗", "公积金怎么提取", "五一放假几天",
])
def test_off_topic_is_not_answered(shipped_dialogue: Dialogue, text: str) -> None:
    reply = shipped_dialogue.ask(text)
    assert not reply.answered and reply.kind in (ReplyKind.FALLBACK, ReplyKind.CLARIFY)
    assert reply.entry_id is None


def test_fallback_gives_contacts_and_topics(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("老板拖欠我三个月工资怎么办")
    assert reply.kind is ReplyKind.FALLBACK
    for contact in shipped_dialogue.config.contacts:
        assert contact.value in reply.text
    topic_ids = {t.id for t in shipped_dialogue.knowledge.content.topics}
    assert set(targets(shipped_dialogue, reply, Action.TOPICS)) == topic_ids


def test_clarify_offers_suggestions_and_none_of_these(shipped_dialogue: Dialogue) -> None:
    # Score a question between the cut-offs by asking about something several entries share.
    dialogue = shipped_dialogue
    clarified = [q for q in ("创业扶持", "工会培训", "工作室", "工匠", "技能大赛", "扶持方式")
                 if dialogue.ask(q).kind is ReplyKind.CLARIFY]
    assert clarified, "expected at least one broad question to ask 'did you mean'"
    reply = dialogue.ask(clarified[0])
    assert 1 <= len(reply.suggestions) <= dialogue.config.match.settings.max_suggestions
    buttons = decoded(dialogue, reply)
    assert buttons[-1].action is Action.NONE and buttons[-1].question == reply.question_id
    assert [p.target for p in buttons if p.action is Action.ENTRY] == \
        [s.entry_id for s in reply.suggestions]
    assert all(p.question == reply.question_id for p in buttons)
    first = reply.suggestions[0].entry_id
    picked = dialogue.press(payload_of(dialogue, reply, Action.ENTRY, first))
    assert picked.kind is ReplyKind.ANSWER and picked.entry_id == first
    assert picked.records == (EventRecord(kind=EventKind.PICK, question_id=reply.question_id,
                                          entry_id=first),)
    none = dialogue.press(payload_of(dialogue, reply, Action.NONE))
    assert none.kind is ReplyKind.FALLBACK and "12351" in none.text
    assert none.records == (EventRecord(kind=EventKind.NONE_OF_THESE,
                                        question_id=reply.question_id),)


@pytest.mark.parametrize("text", [
    "", "   ", "\n\n\t", "😀🙏👍", "？？？！！！", "\x00\x07\x1b[31m", "a" * 10_000,
    "借款" * 5_000, "<b>无息借款</b> & 期限", "\u202e\u200b\ufeff", "１２３４５６７８９０",
    "𠀀𠀁𠀂", "' OR 1=1; --", "{contacts}", None,
])
def test_bad_input_never_crashes(shipped_dialogue: Dialogue, text) -> None:
    reply = shipped_dialogue.ask(text)
    assert isinstance(reply.text, str) and reply.text
    assert reply.kind in (ReplyKind.ANSWER, ReplyKind.CLARIFY, ReplyKind.FALLBACK)


def test_empty_input_gets_a_kind_hint(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("  🙏  ")
    assert reply.kind is ReplyKind.FALLBACK
    assert reply.text == shipped_dialogue.msg(MessageKey.EMPTY)
    assert reply.records == ()  # nothing to learn from


def test_long_message_is_answered_from_its_end(shipped_dialogue: Dialogue) -> None:
    story = "我家里的情况比较复杂，" * 400 + "想问问工会无息借款的使用期限是多长时间"
    reply = shipped_dialogue.ask(story)
    top = reply.entry_id or (reply.suggestions[0].entry_id if reply.suggestions else None)
    assert top == "interest-free-loan", reply
    assert reply.text.startswith(shipped_dialogue.msg(MessageKey.TOO_LONG_NOTE))


@pytest.mark.parametrize("payload", [
    "", "zz", "e:no-such-entry", "t:nowhere", "e:", ":::", "x" * 500, "\x00", "y:", "é",
    "2e:no-such-entry", "2t:nowhere", "2e:", "2f:", "2f:x:y:z:w", "2zz", "2e:A-B", "2f:x:v:0",
    "2y:interest-free-loan:abc:forged", "9m", "2" * 64,
])
def test_unknown_payloads_are_handled_kindly(shipped_dialogue: Dialogue, payload: str) -> None:
    reply = shipped_dialogue.press(payload)
    assert reply.text
    assert reply.kind in (ReplyKind.INFO, ReplyKind.MENU, ReplyKind.FALLBACK,
                          ReplyKind.FEEDBACK, ReplyKind.FLOW)
    assert not any(getattr(r, "kind", None) in (EventKind.FEEDBACK_YES, EventKind.FEEDBACK_NO)
                   for r in reply.records), "unsigned feedback must not be counted"


def test_every_button_payload_fits_telegram(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    replies = [dialogue.command("start"), dialogue.topics(), dialogue.command("help")]
    replies += [dialogue.press(payload_of(dialogue, dialogue.topics(), Action.TOPICS, t.id))
                for t in dialogue.knowledge.content.topics]
    replies += [dialogue.answer(e, "q" * 12) for e in dialogue.knowledge.entries.values()]
    for reply in replies:
        for payload in payloads(reply):
            assert 0 < len(payload.encode()) <= MAX_PAYLOAD_BYTES, payload
            assert payload.isascii()
            assert dialogue.press(payload).text


def test_menu_lists_topics(shipped_dialogue: Dialogue) -> None:
    start = shipped_dialogue.command("start")
    assert start.kind is ReplyKind.MENU
    assert set(targets(shipped_dialogue, start, Action.TOPICS)) == \
        {t.id for t in shipped_dialogue.knowledge.content.topics}


def test_a_question_in_the_last_clause_of_a_long_story_is_answered(
        shipped_dialogue: Dialogue) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    story = ("我们村今年收成还行，家里养了几头猪，孩子在县城念初中，老人身体也还硬朗，"
             "村东头新修了水泥路，赶集也方便了，邻居家二小子娶了媳妇，"
             "就是我自己没个正经营生，想问问无息借款最长能借几年")
    whole = matcher.decide(matcher.normalizer.normalize(story), text=story)
    assert whole.outcome == "fallback"  # the story drowns the question...
    reply = shipped_dialogue.ask(story)
    assert reply.kind is ReplyKind.ANSWER  # ...which the look at its end still finds,
    assert reply.entry_id == "interest-free-loan"  # and answers with 「不是这个？」
    assert targets(shipped_dialogue, reply, Action.NOT_THIS) == ["interest-free-loan"]
    noise = ("我们厂效益一直不好，工资也发得晚，最近又说要裁员，心里特别着急，"
             "我想问问明天会不会下雨，要不要带伞")
    assert shipped_dialogue.ask(noise).kind is ReplyKind.FALLBACK


def test_feedback_counts_only_for_the_question_and_entry_it_was_shown_with(
        shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    reply = dialogue.ask("工会无息借款的使用期限是多长时间")
    yes = payload_of(dialogue, reply, Action.FEEDBACK_YES)
    thanks = dialogue.press(yes)
    assert thanks.kind is ReplyKind.FEEDBACK and thanks.buttons, "a way on after feedback"
    assert thanks.records == (EventRecord(kind=EventKind.FEEDBACK_YES,
                                          question_id=reply.question_id,
                                          entry_id="interest-free-loan"),)
    # the same payload edited to another entry is not the bot's: thanked, never counted
    forged = yes.replace("interest-free-loan", "startup-aid-amount")
    assert dialogue.press(forged).records == ()
    # a first-release payload (no question id, no signature) still works, uncounted
    assert dialogue.press("y:interest-free-loan").records == ()
    assert dialogue.press("e:interest-free-loan").entry_id == "interest-free-loan"


def test_every_question_gets_its_own_id(shipped_dialogue: Dialogue) -> None:
    ids = {shipped_dialogue.ask("工会无息借款能借几年").question_id for _ in range(50)}
    assert len(ids) == 50 and all(i and len(i) == 12 for i in ids)


def test_personal_numbers_are_masked_in_the_record(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("我电话13812345678，工会无息借款能借几年")
    [record] = reply.records
    assert isinstance(record, QuestionRecord)
    assert "13812345678" not in record.text and "无息借款" in record.text
    assert "13812345678" not in record.query
