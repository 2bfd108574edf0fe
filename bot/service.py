"""The channel-free service every channel talks to: content loading, the dialogue, recording.

A channel hands over who (its own user id, hashed here and never stored) and what (text, a
button's data, a command) and gets a `Reply` back; what to record was decided by the dialogue
and is stored here, so Telegram and `unionbot chat --record` record alike. Start-up and /reload
follow one rule: content with errors is refused (start-up exits, /reload keeps the old).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from bot.dialogue import Dialogue
from bot.loading import errors_of, load_checked
from bot.records import EventKind, EventRecord, QuestionRecord, worker_hash
from bot.replies import Reply
from faq.yamlfile import Problem

if TYPE_CHECKING:
    from bot.storage import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


def payload_key(salt: bytes) -> bytes:
    """The key that signs button payloads: derived from the salt, so replicas agree."""
    return hmac.new(salt, b"unionbot button payloads", hashlib.sha256).digest()


@dataclass
class Service:
    """The dialogue plus the records (`store` None: nothing is recorded)."""

    dialogue: Dialogue
    store: Store | None
    salt: bytes
    _housekeeping: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def start_housekeeping(self) -> None:
        """Delete expired records now and daily while running (storage.retention_days);
        call it on the running event loop. Nothing to do without a store."""
        from bot.retention import keep_purging

        if self.store is not None and self._housekeeping is None:
            days = self.dialogue.config.storage.retention_days
            self._housekeeping = asyncio.get_running_loop().create_task(
                keep_purging(self.store, days), name="unionbot-retention")

    def worker(self, user: int | str | None) -> str:
        """The salted pseudonym stored instead of the channel's user id."""
        return worker_hash(self.salt, user)

    async def text(self, user: int | str | None, text: str) -> Reply:
        return await self.record(user, self.dialogue.ask(text))

    async def button(self, user: int | str | None, data: str) -> Reply:
        return await self.record(user, self.dialogue.press(data))

    async def command(self, user: int | str | None, name: str) -> Reply:
        return await self.record(user, self.dialogue.command(name))

    async def record(self, user: int | str | None, reply: Reply) -> Reply:
        """Store what the dialogue decided to record; a storage failure never costs a worker
        the answer, so it is logged, not raised."""
        if self.store is None or not reply.records:
            return reply
        worker = self.worker(user)
        try:
            for record in reply.records:
                if isinstance(record, QuestionRecord):
                    await self.store.record_question(worker, record)
                else:
                    await self.store.record_event(worker, record)
        except Exception:  # noqa: BLE001 - any storage backend's error
            log.exception("could not record a %s reply", reply.kind.value)
        return reply

    async def delivery_failed(self, user: int | str | None, reply: Reply) -> None:
        """A reply that could not be delivered: kept so staff see it."""
        event = EventRecord(kind=EventKind.DELIVERY_FAILED, question_id=reply.question_id,
                            entry_id=reply.entry_id)
        await self.record(user, Reply(kind=reply.kind, text="", records=(event,)))

    async def reload(self) -> list[Problem]:
        """Re-read and check everything off the event loop; swap only when there are no
        errors (which are returned). The swap itself runs on the loop, between two turns."""
        knowledge, problems = await in_daemon_thread(load_checked, self.dialogue.config,
                                                     self.dialogue.codec)
        errors = errors_of(problems)
        if not errors:
            self.dialogue.swap(knowledge, problems)
        return errors

    async def close(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        if self.store is not None:
            await self.store.close()


async def in_daemon_thread(function: Callable[..., T], *args: object) -> T:
    """Run `function` in a daemon thread: unlike asyncio.to_thread, a stuck call can never
    keep the process from exiting."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            error = exc
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="unionbot-worker", daemon=True).start()
    return await future
