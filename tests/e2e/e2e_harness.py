"""The running bot under test: an Application polling the fake Bot API, and helpers that talk
to it as a worker would."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fake_bot_api import Call, FakeBotApi, callback_update, text_update
from telegram.ext import Application

from bot.dialogue import Dialogue
from bot.storage import SqliteStore
from handlers.context import KEY, Services

STAFF_ID = 1001
WAIT = 8.0  # seconds any single expectation may take


def pick(dialogue: Dialogue, outcome: str, candidates: Iterable[str]) -> str:
    """The first candidate question the current FAQ treats with `outcome` (the FAQ is edited
    all the time; the tests follow it instead of pinning answers)."""
    for question in candidates:
        if dialogue.ask(question).outcome == outcome:
            return question
    raise AssertionError(f"no candidate question gives {outcome!r} any more: add one")


class Harness:
    """A started Application polling the fake API, plus helpers that talk to it as a worker."""

    def __init__(self, application: Application, api: FakeBotApi) -> None:
        self.app, self.api = application, api
        self.stopped = False

    @property
    def services(self) -> Services:
        return self.app.bot_data[KEY]

    @property
    def store(self) -> SqliteStore:
        return self.services.store  # type: ignore[return-value]

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
            found = [c for c in calls[mark:] if c.method in methods and c.status == 200
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
