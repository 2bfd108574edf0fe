"""Fair scheduling through the real python-telegram-bot stack: one chat's answers come in the
order its messages came, and one worker's flood never queues another worker behind it."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import Harness, pick
from fake_bot_api import FakeBotApi
from fake_updates import text_update

from bot.config import Config
from bot.replies import ReplyKind

FLOODER = 5001
OTHER = 5002
FLOOD = 300
FLOOD_WAIT = 120.0  # seconds for the whole flood on a busy 2-core machine
QUESTIONS = ("工会无息借款能借多久", "今天天气怎么样", "工匠", "/help", "/topics", "借款")


def without_rate_limit(workspace: Path) -> None:
    """These tests measure the scheduler alone: switch the per-worker limit off."""
    path = workspace / "config.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\nlimits: {messages_per_minute: 0, buttons_per_minute: 0}\n",
                    encoding="utf-8")


@pytest.fixture
async def unlimited(start_bot: Callable[..., Any], make_config: Callable[..., Config],
                    workspace: Path) -> Harness:
    without_rate_limit(workspace)
    config = make_config()
    assert config.limits.messages_per_minute == 0
    harness: Harness = await start_bot(config)
    return harness


def expected_text(bot: Harness, text: str) -> str:
    """What the bot must send first for a message (questions and commands alike)."""
    dialogue = bot.dialogue
    reply = dialogue.command(text[1:]) if text.startswith("/") else dialogue.ask(text)
    return html.escape(reply.text.strip(), quote=False)


async def test_one_chats_answers_come_in_order(unlimited: Harness, api: FakeBotApi) -> None:
    bot = unlimited
    sent = [QUESTIONS[i % len(QUESTIONS)] for i in range(40)]
    mark = len(api.calls)
    for text in sent:
        await api.push(text_update(FLOODER, text))
    replies = await api.wait_for(
        lambda _: (found := api.of("sendMessage", FLOODER, since=mark))[39:] and found, 30)
    assert [r.text for r in replies] == [expected_text(bot, t) for t in sent]


async def test_a_flood_from_one_worker_does_not_queue_another(unlimited: Harness,
                                                             api: FakeBotApi) -> None:
    bot = unlimited
    flood_question = pick(bot.dialogue, ReplyKind.ANSWER, QUESTIONS)
    for _ in range(FLOOD):
        await api.push(text_update(FLOODER, flood_question))
    asked = time.monotonic()
    await api.push(text_update(OTHER, "/help"))
    [other] = await api.wait_for(lambda _: api.of("sendMessage", OTHER), FLOOD_WAIT)
    latency = other.time - asked
    flood = await api.wait_for(lambda _: (found := api.of("sendMessage", FLOODER))[FLOOD - 1:]
                               and found, FLOOD_WAIT)
    before = sum(1 for c in flood if c.time < other.time)
    print(f"other worker answered after {latency * 1000:.0f} ms, with {before} of the "
          f"flood's {FLOOD} replies sent before it; the flood took "
          f"{(flood[-1].time - asked) * 1000:.0f} ms")
    assert other.time < flood[-1].time, "the other worker waited for the whole flood"
    assert before < FLOOD // 2, "the other worker was queued behind most of the flood"
    assert other.text == expected_text(bot, "/help")
