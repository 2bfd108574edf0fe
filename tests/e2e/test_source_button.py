"""End-to-end: 📄 原文 under an answer, through python-telegram-bot's real stack and the fake
Bot API — a new message (the answer stays readable), at most four rows of buttons, recorded."""

from __future__ import annotations

import html

from e2e_harness import Harness, buttons

from bot.payload import Action
from bot.replies import ReplyKind
from faq.layout import MAX_ROWS

WORKER = 2101
QUESTION = "工会无息借款的使用期限是多长时间"


async def test_source_button_sends_the_passages_as_a_new_message(bot: Harness) -> None:
    expected = bot.dialogue.ask(QUESTION)
    assert expected.kind is ReplyKind.ANSWER
    answer = await bot.say(WORKER, QUESTION)
    assert len(answer.params["reply_markup"]["inline_keyboard"]) <= MAX_ROWS
    payloads = answer.payloads()
    [source] = [raw for raw, p in zip(payloads, buttons(bot.dialogue, payloads), strict=True)
                if p and p.action is Action.SOURCE]
    shown = await bot.tap(WORKER, source)
    assert shown.method == "sendMessage"  # not an edit of the answer
    reply = bot.dialogue.press(source)
    assert shown.text == html.escape(reply.text.strip(), quote=False)
    assert bot.dialogue.config.faq.sources[0].title in shown.text
    assert shown.labels() == [b.label for b in reply.flat_buttons()]
    events = [(e.record.kind.value, e.record.entry_id) for e in await bot.store.events(0)]
    assert events == [("source-view", expected.entry_id)]
