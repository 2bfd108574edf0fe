"""The dialogue core on the shipped FAQ: the three outcomes, buttons, and input that must not
break it."""

from __future__ import annotations

import pytest

from bot.dialogue import Dialogue, Reply

MAX_PAYLOAD_BYTES = 64


def payloads(reply: Reply) -> list[str]:
    return [b.payload for row in reply.buttons for b in row]


def test_a_clear_question_is_answered_with_its_entry(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("工会无息借款的使用期限是多长时间")
    assert reply.outcome == "answer" and reply.answered
    entry = shipped_dialogue.knowledge.entries[reply.entry_id]
    assert reply.entry_id == "interest-free-loan"
    assert reply.text == shipped_dialogue.render(entry.answer)
    assert f"y:{entry.id}" in payloads(reply) and f"x:{entry.id}" in payloads(reply)


@pytest.mark.parametrize(("typed", "entry_id"), [
    ("工会无息接款能用几年", "interest-free-loan"),  # 借款 -> 接款
    ("假日计校是干啥的", "holiday-technical-school"),  # 技校 -> 计校
    ("無息借款期限多長", "interest-free-loan"),  # traditional
    ("创业扶持一个项目最多给多少钱？？？🙏", "startup-aid-amount"),
])
def test_typos_and_forms_still_find_the_entry(shipped_dialogue: Dialogue, typed: str,
                                              entry_id: str) -> None:
    reply = shipped_dialogue.ask(typed)
    top = reply.entry_id or (reply.suggestions[0][0] if reply.suggestions else None)
    assert top == entry_id, reply


@pytest.mark.parametrize("text", [
    "明天石家庄下雨吗", "老板拖欠我三个月工资怎么办", "社保断缴了怎么补", "哪里买手机便宜",
    "哈哈哈", "你吃饭了吗", "公积金怎么提取", "五一放假几天",
])
def test_off_topic_is_not_answered(shipped_dialogue: Dialogue, text: str) -> None:
    reply = shipped_dialogue.ask(text)
    assert not reply.answered and reply.outcome in ("fallback", "clarify")
    assert reply.entry_id is None


def test_fallback_gives_contacts_and_topics(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("老板拖欠我三个月工资怎么办")
    assert reply.outcome == "fallback"
    for contact in shipped_dialogue.config.contacts:
        assert contact.value in reply.text
    topic_ids = {t.id for t in shipped_dialogue.knowledge.content.topics}
    assert {p[2:] for p in payloads(reply) if p.startswith("t:")} == topic_ids


def test_clarify_offers_suggestions_and_none_of_these(shipped_dialogue: Dialogue) -> None:
    # Score a question between the cut-offs by asking about something several entries share.
    dialogue = shipped_dialogue
    clarified = [q for q in ("创业扶持", "工会培训", "工作室", "工匠", "技能大赛", "扶持方式")
                 if dialogue.ask(q).outcome == "clarify"]
    assert clarified, "expected at least one broad question to ask 'did you mean'"
    reply = dialogue.ask(clarified[0])
    assert 1 <= len(reply.suggestions) <= dialogue.config.match.settings.max_suggestions
    assert payloads(reply)[-1] == "n"
    assert [p for p in payloads(reply) if p.startswith("e:")] == \
        [f"e:{eid}" for eid, _, _ in reply.suggestions]
    picked = dialogue.press(f"e:{reply.suggestions[0][0]}")
    assert picked.outcome == "answer" and picked.entry_id == reply.suggestions[0][0]
    none = dialogue.press("n")
    assert none.outcome == "fallback" and "12351" in none.text


@pytest.mark.parametrize("text", [
    "", "   ", "\n\n\t", "😀🙏👍", "？？？！！！", "\x00\x07\x1b[31m", "a" * 10_000,
    "借款" * 5_000, "<b>无息借款</b> & 期限", "\u202e\u200b\ufeff", "１２３４５６７８９０",
    "𠀀𠀁𠀂", "' OR 1=1; --", "{contacts}", None,
])
def test_bad_input_never_crashes(shipped_dialogue: Dialogue, text) -> None:
    reply = shipped_dialogue.ask(text)
    assert isinstance(reply.text, str) and reply.text
    assert reply.outcome in ("answer", "clarify", "fallback")


def test_empty_input_gets_a_kind_hint(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("  🙏  ")
    assert reply.outcome == "fallback" and reply.text == shipped_dialogue.msg("empty")


def test_long_message_is_answered_from_its_end(shipped_dialogue: Dialogue) -> None:
    story = "我家里的情况比较复杂，" * 400 + "想问问工会无息借款的使用期限是多长时间"
    reply = shipped_dialogue.ask(story)
    top = reply.entry_id or (reply.suggestions[0][0] if reply.suggestions else None)
    assert top == "interest-free-loan", reply
    assert reply.text.startswith(shipped_dialogue.msg("too_long_note"))


@pytest.mark.parametrize("payload", [
    "", "zz", "e:no-such-entry", "t:nowhere", "e:", ":::", "x" * 500, "\x00", "y:", "é",
])
def test_unknown_payloads_are_handled_kindly(shipped_dialogue: Dialogue, payload: str) -> None:
    reply = shipped_dialogue.press(payload)
    assert reply.text and reply.outcome in ("info", "menu", "fallback", "feedback", "flow")


def test_every_button_payload_fits_telegram(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    replies = [dialogue.start(), dialogue.topics(), dialogue.help()]
    replies += [dialogue.press(f"t:{t.id}") for t in dialogue.knowledge.content.topics]
    replies += [dialogue.answer(e) for e in dialogue.knowledge.entries.values()]
    for reply in replies:
        for payload in payloads(reply):
            assert 0 < len(payload.encode()) <= MAX_PAYLOAD_BYTES, payload
            assert payload.isascii()
            assert dialogue.press(payload).text


def test_menu_lists_topics(shipped_dialogue: Dialogue) -> None:
    start = shipped_dialogue.start()
    assert start.outcome == "menu"
    for topic in shipped_dialogue.knowledge.content.topics:
        assert f"t:{topic.id}" in payloads(start)


def test_a_question_in_one_clause_of_a_long_story_is_offered(shipped_dialogue: Dialogue) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    story = ("我们村今年收成还行，家里养了几头猪，孩子在县城念初中，老人身体也还硬朗，"
             "就是我自己没个正经营生，想问问无息借款最长能借几年")
    whole = matcher.decide(matcher.normalizer.normalize(story),
                           matcher.rank(matcher.normalizer.normalize(story)))
    assert whole.outcome == "fallback"  # the story drowns the question...
    reply = shipped_dialogue.ask(story)
    assert reply.outcome == "clarify"  # ...which the clause-by-clause look still finds
    assert reply.suggestions[0][0] == "interest-free-loan"
    noise = ("我们厂效益一直不好，工资也发得晚，最近又说要裁员，心里特别着急，"
             "我想问问明天会不会下雨，要不要带伞")
    assert shipped_dialogue.ask(noise).outcome == "fallback"
