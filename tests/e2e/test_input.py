"""What workers send, through the real python-telegram-bot stack: captions are questions, and a
worker who floods the bot is told once to slow down while everyone else is answered."""

from __future__ import annotations

import asyncio
import html

from e2e_harness import WAIT, Harness, pick
from fake_bot_api import FakeBotApi
from fake_updates import BOT_USER, callback_update, photo_update, text_update

from bot.config import LimitsConfig
from bot.payload import Action, Payload
from bot.replies import ReplyKind
from faq.messages import MessageKey as K

WORKER = 6001
OTHER = 6002
GROUP = -100600
QUESTIONS = ("工会无息借款能借多久", "无息借款期限是几年", "借款")
MENTION = f"@{BOT_USER['username']}"


def shown(text: str) -> str:
    return html.escape(text.strip(), quote=False)


async def test_a_photo_caption_is_answered_like_text(bot: Harness, api: FakeBotApi) -> None:
    question = pick(bot.dialogue, ReplyKind.ANSWER, QUESTIONS)
    [reply] = await bot.send(photo_update(WORKER, caption=question), WORKER)
    assert reply.text == shown(bot.dialogue.ask(question).text)
    [question_row] = await bot.store.questions(0)
    assert question_row.record.text == question and question_row.record.outcome == "answer"
    [plain] = await bot.send(photo_update(WORKER), WORKER)
    assert plain.text == shown(bot.dialogue.msg(K.NOT_TEXT))


async def test_in_a_group_a_caption_must_address_the_bot(bot: Harness, api: FakeBotApi) -> None:
    question = pick(bot.dialogue, ReplyKind.ANSWER, QUESTIONS)
    mark = len(api.calls)
    await api.push(photo_update(WORKER, caption=question, chat_id=GROUP, kind="group"))
    [reply] = await bot.send(photo_update(WORKER, caption=f"{MENTION} {question}",
                                          chat_id=GROUP, kind="group"), GROUP)
    assert reply.text == shown(bot.dialogue.ask(question).text)
    assert reply.params["reply_parameters"]["message_id"]  # quotes the worker's photo
    await asyncio.sleep(0.3)
    assert len(api.of("sendMessage", GROUP, since=mark)) == 1  # the unaddressed one: silence


async def test_a_flood_gets_one_notice_and_others_are_still_answered(
        bot: Harness, api: FakeBotApi) -> None:
    limits = LimitsConfig()  # the shipped config.yaml keeps the defaults
    assert bot.channel.service.limiter is not None
    assert bot.channel.service.limiter.limits == limits
    question = pick(bot.dialogue, ReplyKind.ANSWER, QUESTIONS)
    flood = limits.message_burst + 15
    for _ in range(flood):
        await api.push(text_update(WORKER, question))
    replies = await api.wait_for(
        lambda _: (found := api.of("sendMessage", WORKER))[limits.message_burst:] and found, WAIT)
    other = await bot.say(OTHER, question)
    assert other.text == shown(bot.dialogue.ask(question).text)
    await asyncio.sleep(0.3)
    replies = api.of("sendMessage", WORKER)
    expected = shown(bot.dialogue.ask(question).text)
    assert [r.text for r in replies] == [expected] * limits.message_burst + [
        shown(bot.dialogue.msg(K.SLOW_DOWN))]
    stored = await bot.store.questions(0)
    assert len(stored) == limits.message_burst + 1  # the flood beyond it is neither matched
    assert bot.channel.service.limiter.dropped["message"] == flood - limits.message_burst


async def test_a_button_flood_is_acknowledged_but_answered_only_within_the_limit(
        bot: Harness, api: FakeBotApi) -> None:
    limits = LimitsConfig()
    menu = bot.dialogue.codec.encode(Payload(action=Action.MENU))
    taps = limits.button_burst + 10
    for _ in range(taps):
        await api.push(callback_update(WORKER, menu))
    await api.wait_for(lambda _: len(api.of("answerCallbackQuery")) == taps, WAIT)
    await asyncio.sleep(0.3)
    answers = [c for c in api.calls if c.chat_id == WORKER and c.status == 200
               and c.method in ("sendMessage", "editMessageText")]
    assert len(answers) == limits.button_burst + 1
    assert answers[-1].text == shown(bot.dialogue.msg(K.SLOW_DOWN))
