"""End-to-end: workers and staff talk to the bot through python-telegram-bot's real stack
(Application, Bot, HTTPXRequest, AIORateLimiter, the polling loop) and a fake Bot API on
127.0.0.1. Expectations come from the shipped FAQ through the dialogue core, never hard-coded
answer texts, so content edits do not break them."""

from __future__ import annotations

import html
import time

import pytest
from bot_api_calls import FLOOD, Call
from e2e_harness import STAFF_ID, Harness, buttons, pick, same_buttons
from fake_bot_api import FakeBotApi
from fake_updates import (
    BOT_USER,
    callback_update,
    chat,
    edited_update,
    message,
    sticker_update,
    text_update,
)

from bot import reports
from bot.days import since
from bot.dialogue import Dialogue
from bot.payload import Action, Payload
from bot.records import EventKind
from bot.replies import Reply, ReplyKind
from bot.usage import usage_since
from faq.messages import MessageKey as K
from handlers.render import render

WORKER = 2001
OTHER = 2002
# Candidate questions; each test uses the first that the current FAQ treats as required.
ANSWERED = ("下岗了想开个小店，工会无息借款能借多久", "工会无息借款能借多久", "无息借款期限是几年",
            "借款")
CLARIFYING = ("创业", "工会能借多少钱", "工匠", "培训", "补贴", "帮扶")
FALLING_BACK = ("今天天气怎么样", "我家猫不吃饭怎么办", "你好")


def answered(bot: Harness) -> str:
    """A question answered plainly (no 「也许您想问」 row, so the text is the entry's answer)."""
    plain = [q for q in ANSWERED if not bot.dialogue.ask(q).suggestions]
    return pick(bot.dialogue, ReplyKind.ANSWER, plain)


def fallen_back(bot: Harness) -> str:
    return pick(bot.dialogue, ReplyKind.FALLBACK, FALLING_BACK)


def entry_payload(bot: Harness, entry_id: str) -> str:
    return bot.dialogue.codec.encode(Payload(action=Action.ENTRY, target=entry_id))


def shown(reply: Reply) -> str:
    """What the bot must send for a reply: its text, stripped and HTML-escaped."""
    return html.escape(reply.text.strip(), quote=False)


def actions(dialogue: Dialogue, call: Call) -> list[Action]:
    return [p.action for p in buttons(dialogue, call.payloads()) if p]


def first(dialogue: Dialogue, call: Call, action: Action) -> str:
    """The payload of the call's first button doing `action`."""
    return next(raw for raw, p in zip(call.payloads(), buttons(dialogue, call.payloads()),
                                      strict=True) if p and p.action is action)


async def kinds(bot: Harness) -> list[str]:
    """The recorded events' kinds, oldest first (records are stored before the reply goes)."""
    return [e.record.kind.value for e in await bot.store.events(0)]


async def test_start_shows_welcome_and_main_menu(bot: Harness, api: FakeBotApi) -> None:
    reply = await bot.say(WORKER, "/start")
    expected = bot.dialogue.command("start")
    assert reply.text == shown(expected)
    assert same_buttons(bot.dialogue, reply, expected)
    assert Action.TOPICS in actions(bot.dialogue, reply)
    assert reply.params.get("parse_mode") == "HTML"
    commands = api.of("setMyCommands")
    public = next(c for c in commands if "scope" not in c.params)
    assert [c["command"] for c in public.params["commands"]] == \
        ["start", "help", "menu", "topics", "cancel"]
    staff = next(c for c in commands if c.params.get("scope", {}).get("chat_id") == STAFF_ID)
    assert "reload" in [c["command"] for c in staff.params["commands"]]


async def test_help_menu_topics_cancel(bot: Harness) -> None:
    dialogue = bot.dialogue
    assert (await bot.say(WORKER, "/help")).text == shown(dialogue.command("help"))
    assert same_buttons(dialogue, await bot.say(WORKER, "/menu"), dialogue.menu())
    topics = await bot.say(WORKER, "/topics")
    assert same_buttons(dialogue, topics, dialogue.topics())
    assert (await bot.say(WORKER, "/cancel")).text == html.escape(dialogue.msg(K.CANCELLED),
                                                                  quote=False)
    # a topic button replaces the menu in place
    edit = await bot.tap(WORKER, topics.payloads()[0], message_id=77)
    assert edit.method == "editMessageText" and edit.params["message_id"] == 77
    assert set(actions(dialogue, edit)) <= {Action.ENTRY, Action.TOPICS, Action.MENU}


async def test_matched_question_is_answered_and_recorded(bot: Harness) -> None:
    matched = answered(bot)
    expected = bot.dialogue.ask(matched)
    assert expected.kind is ReplyKind.ANSWER, "pick a question the shipped FAQ answers"
    reply = await bot.say(WORKER, matched)
    entry = bot.dialogue.knowledge.entries[expected.entry_id]
    assert reply.text == shown(expected) == html.escape(
        bot.dialogue.render(entry.answer).strip(), quote=False)
    assert same_buttons(bot.dialogue, reply, expected)
    [question] = await bot.store.questions(0)
    assert (question.record.outcome, question.record.entry_id, question.record.query) == \
        ("answer", entry.id, expected.query)
    assert question.record.text == matched
    feedback = bot.dialogue.codec.decode(first(bot.dialogue, reply, Action.FEEDBACK_YES))
    assert feedback is not None and feedback.question == question.record.question_id
    assert str(WORKER) not in question.worker and len(question.worker) == 16


async def test_clarify_then_pick_a_suggestion(bot: Harness) -> None:
    dialogue = bot.dialogue
    question = pick(dialogue, ReplyKind.CLARIFY, CLARIFYING)
    expected = dialogue.ask(question)
    reply = await bot.say(WORKER, question)
    assert same_buttons(dialogue, reply, expected)
    assert actions(dialogue, reply)[-1] is Action.NONE  # 都不是
    picked = reply.payloads()[0]
    answer = await bot.tap(WORKER, picked)
    assert answer.method == "sendMessage"
    assert answer.text == shown(dialogue.press(picked))
    none = await bot.tap(WORKER, first(dialogue, reply, Action.NONE))
    assert none.text == shown(dialogue.press(first(dialogue, reply, Action.NONE)))
    [asked] = await bot.store.questions(0)
    events = await bot.store.events(0)
    assert [(e.record.kind, e.record.question_id) for e in events] == [
        (EventKind.PICK, asked.record.question_id),
        (EventKind.NONE_OF_THESE, asked.record.question_id)]
    assert events[0].record.entry_id == asked.record.candidates[0]


async def test_fallback_offers_contacts_and_topics(bot: Harness) -> None:
    fallback = fallen_back(bot)
    expected = bot.dialogue.ask(fallback)
    assert expected.kind is ReplyKind.FALLBACK
    reply = await bot.say(WORKER, fallback)
    assert reply.text == shown(expected)
    assert "12351" in reply.text  # the shipped contact
    assert {Action.TOPICS, Action.CONTACTS} <= set(actions(bot.dialogue, reply))
    assert [q.record.outcome for q in await bot.store.questions(0)] == ["fallback"]


async def test_feedback_taps_are_stored(bot: Harness) -> None:
    matched = answered(bot)
    reply = await bot.say(WORKER, matched)
    yes = first(bot.dialogue, reply, Action.FEEDBACK_YES)
    no = first(bot.dialogue, reply, Action.FEEDBACK_NO)
    thanks = await bot.tap(WORKER, yes)
    assert thanks.text == shown(bot.dialogue.press(yes))
    assert thanks.payloads(), "a way on after feedback"
    for _ in range(5):  # pressing again and again counts once; the last press wins
        await bot.tap(WORKER, no)
    await bot.tap(OTHER, yes)
    entry = bot.dialogue.ask(matched).entry_id
    found = sorted((e.worker, e.record.kind.value, e.record.entry_id)
                   for e in await bot.store.events(0))
    assert [(kind, entry_id) for _, kind, entry_id in found] == [
        ("feedback-no", entry), ("feedback-yes", entry)] or \
        [(kind, entry_id) for _, kind, entry_id in found] == [
        ("feedback-yes", entry), ("feedback-no", entry)]
    stats = await bot.store.stats(0)
    assert (stats.feedback_yes, stats.feedback_no) == (1, 1)
    assert len(bot.api.of("answerCallbackQuery")) == 7


async def _walk_flow(bot: Harness, first: str) -> list[Call]:
    """Tap a flow start payload, then each reply's first option, until a result."""
    seen = [await bot.tap(WORKER, first)]
    for _ in range(20):
        step = seen[-1]
        options = buttons(bot.dialogue, step.payloads()[:1])
        option = options[0] if options else None
        if option is None or option.action is not Action.FLOW or not option.flow \
                or not option.flow.path:
            break
        seen.append(await bot.tap(WORKER, step.payloads()[0]))
    return seen


async def test_a_whole_flow_by_button_taps(bot: Harness) -> None:
    menu = await bot.say(WORKER, "/start")
    start = first(bot.dialogue, menu, Action.FLOW)
    steps = await _walk_flow(bot, start)
    assert len(steps) >= 2
    assert all(s.text for s in steps)
    flow_id = bot.dialogue.codec.decode(start).target  # type: ignore[union-attr]
    events = [e.record for e in await bot.store.events(0)]
    assert len(events) == len(steps) and {e.flow_id for e in events} == {flow_id}
    assert events[0].kind is EventKind.FLOW_START
    assert events[-1].kind is EventKind.FLOW_RESULT and events[-1].node
    assert not any("stale" in e.kind.value for e in events)


async def test_flow_continues_in_a_new_application(start_bot, api: FakeBotApi) -> None:
    first_bot = await start_bot()
    menu = await first_bot.say(WORKER, "/start")
    start = first(first_bot.dialogue, menu, Action.FLOW)
    step = await first_bot.tap(WORKER, start)
    option = step.payloads()[0]
    assert first_bot.dialogue.codec.decode(option).flow.path  # type: ignore[union-attr]
    await first_bot.stop()

    second = await start_bot()  # a new process would do the same: nothing is shared in memory
    assert second.app is not first_bot.app
    expected = second.dialogue.press(option)
    reply = await second.tap(WORKER, option)
    assert reply.text == shown(expected)
    assert expected.records[0].kind in (EventKind.FLOW_STEP, EventKind.FLOW_RESULT)
    assert (await kinds(second))[-1] == expected.records[0].kind.value


async def test_reload_with_a_broken_file_keeps_the_old_faq(bot: Harness, workspace) -> None:
    matched = answered(bot)
    broken = sorted((workspace / "faq" / "data" / "entries").glob("*.yaml"))[0]
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  - id: [unclosed")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = bot.dialogue.knowledge

    refusal = await bot.say(WORKER, "/reload")
    assert refusal.text == html.escape(bot.dialogue.msg(K.STAFF_ONLY), quote=False)

    report = await bot.say(STAFF_ID, "/reload")
    assert f"faq/data/entries/{broken.name}:" in report.text
    assert bot.dialogue.knowledge is before
    answer = await bot.say(WORKER, matched)
    assert answer.text == shown(bot.dialogue.ask(matched))
    assert Action.FEEDBACK_YES in actions(bot.dialogue, answer)


async def test_reload_swaps_in_edited_content(bot: Harness, workspace) -> None:
    matched = answered(bot)
    entry_id = bot.dialogue.ask(matched).entry_id
    entry = bot.dialogue.knowledge.entries[entry_id]
    path = workspace / entry.file  # e.g. faq/data/entries/x.yaml, relative to config.yaml
    first_line = entry.answer.splitlines()[0]
    text = path.read_text(encoding="utf-8")
    assert text.count(first_line) >= 1
    indent = text[:text.index(first_line)].rsplit("\n", 1)[1]  # the block's indentation
    # A line of its own: the first line may have no room left under its length limit.
    path.write_text(text.replace(first_line, f"{first_line}\n{indent}（已更新）", 1),
                    encoding="utf-8")
    report = await bot.say(STAFF_ID, "/reload")
    assert report.text == html.escape(
        reports.reload_text(bot.dialogue, []).strip(), quote=False)
    answer = await bot.say(WORKER, matched)
    assert "（已更新）" in answer.text


async def test_stats_and_unanswered_only_for_staff(bot: Harness) -> None:
    matched = answered(bot)
    fallback = fallen_back(bot)
    refusal = bot.dialogue.msg(K.STAFF_ONLY)
    for command in ("/stats", "/stats 30", "/unanswered"):
        reply = await bot.say(WORKER, command)
        assert reply.text == html.escape(refusal, quote=False)
    await bot.say(WORKER, matched)
    await bot.say(WORKER, fallback)
    await bot.say(OTHER, "今天的天气怎么样")
    assert len(await bot.store.questions(0)) == 3
    stats = await bot.say(STAFF_ID, "/stats 30")
    counted = await bot.store.stats(since(30))
    assert (counted.questions, counted.answered, counted.fallback, counted.workers) == \
        (3, 1, 2, 2)
    usage = await usage_since(bot.store, since(30))
    assert usage.clarified == 0 and not usage.flows
    assert stats.text == html.escape(
        reports.stats_text(bot.dialogue, counted, 30, usage).strip(), quote=False)
    unanswered = await bot.say(STAFF_ID, "/unanswered")
    assert bot.dialogue.ask(fallback).query in unanswered.text
    assert "（2 次）" in unanswered.text  # the two wordings are one group asked twice
    usage = await bot.say(STAFF_ID, "/stats lots")
    assert "/stats" in usage.text


async def test_429_is_retried(bot: Harness, api: FakeBotApi) -> None:
    api.inject("sendMessage", FLOOD)
    started = time.monotonic()
    reply = await bot.say(WORKER, "/start")
    assert time.monotonic() - started >= 1.0  # waited retry_after
    attempts = [c for c in api.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert reply.text == shown(bot.dialogue.command("start"))


async def test_html_in_user_text_does_not_break_the_reply(bot: Harness) -> None:
    question = "<b>无息借款</b>能借多久 & 怎么还 <a href='x'>"
    expected = bot.dialogue.ask(question)
    reply = await bot.say(WORKER, question)
    assert reply.status == 200 and reply.text == shown(expected)
    assert bot.dialogue.msg(K.ERROR) not in html.unescape(reply.text)


async def test_html_in_faq_text_is_escaped(bot: Harness) -> None:
    entry = next(iter(bot.dialogue.knowledge.entries.values()))
    object.__setattr__(entry, "answer", "额度 <10万 & 期限 1–3 年 <b>")
    reply = await bot.tap(WORKER, entry_payload(bot, entry.id))
    assert reply.text.startswith("额度 &lt;10万 &amp; 期限 1–3 年 &lt;b&gt;")


async def test_a_5000_character_message(bot: Harness) -> None:
    matched = answered(bot)
    question = "我家里情况是这样的，" * 500 + matched
    assert len(question) > 5000
    expected = bot.dialogue.ask(question)
    reply = await bot.say(WORKER, question)
    assert reply.text == shown(expected)
    assert len(await bot.store.questions(0)) == 1


async def test_a_long_reply_is_split(bot: Harness) -> None:
    entry = next(iter(bot.dialogue.knowledge.entries.values()))
    object.__setattr__(entry, "answer", "很长的答案 & 说明。\n" * 600)
    parts = len(render(bot.dialogue.press(entry_payload(bot, entry.id))))
    assert parts == 3
    sent = await bot.send(callback_update(WORKER, entry_payload(bot, entry.id)), WORKER,
                          count=parts)
    assert all(len(html.unescape(c.text)) <= 4096 for c in sent)
    assert "".join(html.unescape(c.text) + "\n" for c in sent) == "很长的答案 & 说明。\n" * 600
    assert sent[0].payloads() == [] and sent[-1].payloads()  # buttons under the last part


async def test_sticker_and_edited_message(bot: Harness) -> None:
    matched = answered(bot)
    dialogue = bot.dialogue
    sticker = (await bot.send(sticker_update(WORKER), WORKER))[0]
    assert sticker.text == html.escape(dialogue.msg(K.NOT_TEXT), quote=False)
    edited = (await bot.send(edited_update(WORKER, matched), WORKER))[0]
    assert edited.text == html.escape(dialogue.msg(K.EDITED), quote=False)


@pytest.mark.parametrize("media", [
    {"photo": [{"file_id": "p", "file_unique_id": "p1", "width": 90, "height": 90}]},
    {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
    {"document": {"file_id": "d", "file_unique_id": "d1", "file_name": "证明.pdf"}},
    {"location": {"latitude": 38.04, "longitude": 114.51}},
])
async def test_other_media_ask_for_text(bot: Harness, media: dict) -> None:
    update = {"message": message(WORKER, None, **media)}
    reply = (await bot.send(update, WORKER))[0]
    assert reply.text == html.escape(bot.dialogue.msg(K.NOT_TEXT), quote=False)


async def test_in_groups_only_when_addressed(bot: Harness, api: FakeBotApi) -> None:
    matched = answered(bot)
    group = -100555
    mark = len(api.calls)
    await api.push(text_update(WORKER, matched, chat_id=group, kind="supergroup"))
    await api.push(sticker_update(WORKER, chat_id=group, kind="supergroup"))
    # per-chat ordering: once this one is answered, the two above were handled (silently)
    reply = await bot.say(WORKER, f"@unionbot_test_bot {matched}", chat_id=group,
                          kind="supergroup")
    assert reply.text == shown(bot.dialogue.ask(matched))
    assert len([c for c in api.calls[mark:] if c.method == "sendMessage"]) == 1
    assert reply.params["reply_parameters"]["message_id"]  # quotes the worker in a group
    command = await bot.say(WORKER, "/menu@unionbot_test_bot", chat_id=group, kind="supergroup")
    assert command.payloads()
    to_bot = {"message_id": 9, "date": 0, "chat": chat(group, "supergroup"), "from": BOT_USER,
              "text": "…"}
    replied = await bot.say(OTHER, matched, chat_id=group, kind="supergroup",
                            reply_to_message=to_bot)
    assert replied.text == shown(bot.dialogue.ask(matched))


async def test_stale_and_garbage_payloads_get_a_kind_reply(bot: Harness) -> None:
    for payload in ("e:no-such-entry", "zzz", "f:gone-flow:abc:1.2", "t:nope", "2e:nope",
                    "2y:interest-free-loan:forgedforged:abcdef"):
        reply = await bot.tap(WORKER, payload)
        assert reply.status == 200 and reply.text
    assert not [c for c in bot.api.calls if c.status >= 400]
