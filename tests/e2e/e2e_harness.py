"""The running bot under test: an Application polling the fake Bot API, and helpers that talk
to it as a worker would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx
from bot_api_calls import Call
from fake_bot_api import FakeBotApi
from fake_updates import callback_update, text_update
from telegram.ext import Application

from bot.dialogue import Dialogue
from bot.payload import Payload
from bot.replies import Reply, ReplyKind
from bot.storage import Store
from handlers.context import KEY, Channel

STAFF_ID = 1001
WAIT = 8.0  # seconds any single expectation may take


def pick(dialogue: Dialogue, kind: ReplyKind, candidates: Iterable[str]) -> str:
    """The first candidate question the current FAQ treats with `kind` (the FAQ is edited
    all the time; the tests follow it instead of pinning answers)."""
    for question in candidates:
        if dialogue.ask(question).kind is kind:
            return question
    raise AssertionError(f"no candidate question gives {kind!r} any more: add one")


def buttons(dialogue: Dialogue, payloads: Iterable[str]) -> list[Payload | None]:
    """Decoded payloads without their question ids (each question gets a new one)."""
    found = [dialogue.codec.decode(p) for p in payloads]
    return [Payload(action=p.action, target=p.target, flow=p.flow) if p else None
            for p in found]


def same_buttons(dialogue: Dialogue, call: Call, reply: Reply) -> bool:
    """The call sent the reply's buttons (question ids aside)."""
    return buttons(dialogue, call.payloads()) == \
        buttons(dialogue, [b.payload for b in reply.flat_buttons()])


async def listening(url: str) -> None:
    """Wait until a webhook server answers at `url` (it starts just after setWebhook)."""
    async with httpx.AsyncClient(timeout=WAIT) as client, asyncio.timeout(WAIT):
        while True:
            try:
                await client.get(url)
                return
            except httpx.ConnectError:
                await asyncio.sleep(0.05)


class Harness:
    """A started Application polling the fake API, plus helpers that talk to it as a worker."""

    def __init__(self, application: Application, api: FakeBotApi) -> None:
        self.app, self.api = application, api
        self.stopped = False

    @property
    def channel(self) -> Channel:
        found: Channel = self.app.bot_data[KEY]
        return found

    @property
    def dialogue(self) -> Dialogue:
        return self.channel.service.dialogue

    @property
    def store(self) -> Store:
        store = self.channel.service.store
        assert store is not None
        return store

    async def start(self) -> Harness:
        """What run_polling does, minus the signal handling and the blocking loop."""
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.updater.start_polling(poll_interval=0, timeout=5)
        await self.app.start()
        return self

    async def stop(self) -> None:
        """What run_polling does on the way out; a second call does nothing."""
        if self.stopped:
            return
        self.stopped = True
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)

    async def send(self, update: dict[str, Any], chat_id: int, count: int = 1,
                   methods: tuple[str, ...] = ("sendMessage",)) -> list[Call]:
        """Push an update and wait for `count` replies of `methods` to `chat_id`."""
        mark = len(self.api.calls)

        def replies(calls: list[Call]) -> list[Call] | None:
            found = [c for c in calls[mark:] if c.method in methods and c.ok
                     and c.chat_id == chat_id]
            return found if len(found) >= count else None

        await self.api.push(update)
        return await self.api.wait_for(replies, WAIT)

    async def say(self, user_id: int, text: str, **kw: Any) -> Call:
        """A worker types `text`; the bot's (first) reply."""
        chat_id = kw.get("chat_id") or user_id
        return (await self.send(text_update(user_id, text, **kw), chat_id))[0]

    async def tap(self, user_id: int, payload: str, message_id: int = 1) -> Call:
        """A worker taps a button; the bot's reply (a new message or an edit)."""
        return (await self.send(callback_update(user_id, payload, message_id=message_id),
                                user_id, methods=("sendMessage", "editMessageText")))[0]
