"""The delivery policy (handlers/delivery.py) through the real python-telegram-bot stack and the
fake Bot API's faults: what is sent again, what never is, and the ask-again notice."""

from __future__ import annotations

import asyncio
import html
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from bot_api_calls import BAD_GATEWAY, FLOOD, MALFORMED, SERVER_ERROR, Call, Fault
from e2e_harness import Harness, pick
from fake_bot_api import FakeBotApi
from fake_updates import text_update
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.records import EventKind
from bot.replies import ReplyKind
from faq.messages import MessageKey
from handlers import delivery
from handlers.delivery import DeliveryRequest, MalformedReply, ServerError, Verdict, verdict

WORKER = 6001
QUESTIONS = ("工会无息借款能借多久", "无息借款期限是几年", "下岗了想开个小店，工会无息借款能借多久",
             "借款")
OTHER_QUESTIONS = ("今天天气怎么样", "我家猫不吃饭怎么办")


def question(bot: Harness) -> str:
    return pick(bot.dialogue, ReplyKind.ANSWER, QUESTIONS)


def shown(bot: Harness, text: str) -> str:
    return html.escape(bot.dialogue.ask(text).text.strip(), quote=False)


def sends(api: FakeBotApi, chat_id: int = WORKER) -> list[Call]:
    """Every sendMessage attempt to the chat, carried out or not."""
    return [c for c in api.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def failures(bot: Harness) -> list[str | None]:
    """The question ids of the delivery-failed records."""
    return [e.record.question_id for e in await bot.store.events(0)
            if e.record.kind is EventKind.DELIVERY_FAILED]


async def asked_last(bot: Harness) -> str:
    return (await bot.store.questions(0))[-1].record.question_id


async def eventually(predicate: Callable[[], Awaitable[object]], timeout: float = 8.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


async def test_500_502_and_a_malformed_answer_cost_nothing(bot: Harness, api: FakeBotApi) -> None:
    asked = question(bot)
    api.inject("sendMessage", SERVER_ERROR, BAD_GATEWAY, MALFORMED)
    reply = await bot.say(WORKER, asked)
    assert reply.text == shown(bot, asked)
    await bot.say(WORKER, "/help")  # handled after the question is done (one chat, in order)
    attempts = sends(api)
    assert [(c.status, c.ok) for c in attempts] == [
        (500, False), (502, False), (200, False), (200, True), (200, True)]
    assert [c.text for c in attempts if c.ok].count(reply.text) == 1
    assert await failures(bot) == []
    error = bot.dialogue.msg(MessageKey.ERROR)
    assert not [c for c in attempts if c.text == error]


@pytest.mark.parametrize("fault", [SERVER_ERROR, BAD_GATEWAY, MALFORMED],
                         ids=["500", "502", "malformed"])
async def test_each_fault_once_is_retried(bot: Harness, api: FakeBotApi, fault: Fault) -> None:
    asked = question(bot)
    api.inject("sendMessage", fault)
    reply = await bot.say(WORKER, asked)
    await bot.say(WORKER, "/help")
    assert [c.ok for c in sends(api)] == [False, True, True]
    assert reply.text == shown(bot, asked)


async def test_a_lasting_outage_is_recorded_and_the_worker_told_once(
        bot: Harness, api: FakeBotApi) -> None:
    asked = question(bot)
    tries = len(delivery.RETRY_PAUSES) + 1
    api.inject("sendMessage", *[SERVER_ERROR] * tries)
    await api.push(text_update(WORKER, asked))
    await api.wait_for(lambda calls: len(sends(api)) == tries, 8.0)
    replies = await bot.send(text_update(WORKER, "/start"), WORKER, count=2)
    notice = bot.dialogue.msg(MessageKey.ASK_AGAIN)
    start = html.escape(bot.dialogue.command("start").text.strip(), quote=False)
    assert [c.text for c in replies] == [start, notice]
    assert replies[1].params.get("parse_mode") is None
    assert not any(c.ok for c in sends(api)[:tries])
    assert await failures(bot) == [await asked_last(bot)]
    await bot.say(WORKER, "/help")
    assert [c.text for c in sends(api) if c.ok].count(notice) == 1


async def test_429_on_every_attempt_then_one_notice_after_recovery(
        start_bot: Callable[..., Any], make_config: Callable[..., Any], api: FakeBotApi,
        workspace: Path) -> None:
    config_file = workspace / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("rate_limit_retries: 3", "rate_limit_retries: 1"),
                           encoding="utf-8")
    bot: Harness = await start_bot(make_config())
    asked = question(bot)
    api.inject("sendMessage", always=FLOOD)
    await api.push(text_update(WORKER, asked))
    await api.wait_for(lambda calls: len(sends(api)) == 2, 8.0)  # first try and one retry
    await eventually(lambda: failures(bot))
    assert await failures(bot) == [await asked_last(bot)]
    api.clear("sendMessage")
    other = pick(bot.dialogue, ReplyKind.FALLBACK, OTHER_QUESTIONS)
    replies = await bot.send(text_update(WORKER, other), WORKER, count=2)
    notice = bot.dialogue.msg(MessageKey.ASK_AGAIN)
    assert [c.text for c in replies] == [shown(bot, other), notice]
    third = await bot.say(WORKER, asked)
    assert third.text == shown(bot, asked)
    await bot.say(WORKER, "/help")
    assert [c.text for c in sends(api) if c.ok].count(notice) == 1
    assert all(c.status == 429 for c in sends(api)[:2])


async def test_a_timeout_after_sending_is_never_resent(
        start_bot: Callable[..., Any], api: FakeBotApi,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "READ_TIMEOUT", 0.5)
    bot: Harness = await start_bot()
    asked = question(bot)
    api.inject("sendMessage", Fault(delay=3.0))  # carried out; the answer comes too late
    first = await bot.say(WORKER, asked)  # the fake delivered it
    replies = await bot.send(text_update(WORKER, "/help"), WORKER, count=2)  # after the timeout
    assert [c.text for c in sends(api) if c.ok].count(first.text) == 1  # not sent again
    assert replies[1].text == bot.dialogue.msg(MessageKey.ASK_AGAIN)  # "if you did not see it"
    assert await failures(bot) == [(await bot.store.questions(0))[0].record.question_id]


async def test_a_failed_bot_api_call_outside_the_policy_gets_no_apology(bot: Harness,
                                                                        api: FakeBotApi) -> None:
    def unreachable(text: str) -> None:
        raise NetworkError("httpx.ReadError: ")

    real = bot.dialogue.ask
    bot.dialogue.ask = unreachable  # type: ignore[method-assign]
    await api.push(text_update(WORKER, "随便问问"))
    replies = await bot.send(text_update(WORKER, "/help"), WORKER, count=2)
    bot.dialogue.ask = real  # type: ignore[method-assign]
    assert [c.text for c in sends(api)] == [c.text for c in replies]  # no apology
    assert replies[1].text == bot.dialogue.msg(MessageKey.ASK_AGAIN)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_verdicts_on_real_failures(api: FakeBotApi,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "READ_TIMEOUT", 0.3)
    found: dict[str, Exception] = {}
    async with Bot(api.token, base_url=api.base_url, request=DeliveryRequest()) as bot:
        for name, fault in (("500", SERVER_ERROR), ("502", BAD_GATEWAY),
                            ("malformed", MALFORMED), ("read timeout", Fault(delay=1.0))):
            api.inject("sendMessage", fault)
            with pytest.raises(NetworkError) as raised:
                await bot.send_message(WORKER, "x")
            found[name] = raised.value
    unreachable = Bot(api.token, base_url=f"http://127.0.0.1:{closed_port()}/bot",
                      request=DeliveryRequest())
    with pytest.raises(NetworkError) as refused:
        await unreachable.initialize()  # getMe
    assert isinstance(found["500"], ServerError) and found["500"].status == 500
    assert isinstance(found["502"], ServerError) and found["502"].status == 502
    assert isinstance(found["malformed"], MalformedReply)
    assert isinstance(found["read timeout"], TimedOut)
    assert [verdict(e) for e in found.values()] == [Verdict.RETRY] * 3 + [Verdict.UNKNOWN]
    assert verdict(found["read timeout"], idempotent=True) is Verdict.RETRY
    assert verdict(refused.value) is Verdict.RETRY  # the connection was never made
    assert [c.ok for c in sends(api)] == [False, False, False, True]  # the late one went out
