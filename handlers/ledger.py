"""Which fetched updates are finished, so that polling confirms to Telegram only what was handled
and a stop can hand back what was not.

Telegram keeps an update (for up to 24 hours) until getUpdates is called with an offset above
its id, and then never sends it again. python-telegram-bot's Updater fetches ahead without limit
and confirms everything fetched on its next call, so on a stop it must first finish all of it
(600 queued updates took 18 s at Telegram's 30 messages/s). Here the offset is the oldest
fetched update not yet finished (`Ledger.offset`): an update is confirmed only when it and every
update before it are done, and one that has not started when the bot stops is simply left to
Telegram, which delivers it again to the next process. Updates finished out of order above that
offset at the stop are written to a small file beside the database (`handled_path`: update ids
only, nothing about the worker) and skipped when Telegram delivers them again.

One exception keeps one chat's backlog from stalling the others (Telegram shows at most 100
updates past the offset): when the window is full of updates waiting for their chat's turn
while half the slots are idle, the offset may pass some unfinished updates (`lend`, at most
polling.OWED_MAX). Those are owed: a stop works on them until the deadline and loses what is
left of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.context import Handling, handling

log = logging.getLogger(__name__)
KEPT_SECONDS = 24 * 3600  # Telegram keeps an unconfirmed update this long, so the file as well


class Phase(Enum):
    RUNNING = "every update is handled"
    HANDING_BACK = "polled updates that have not started are left to Telegram"
    CLOSED = "nothing starts any more"


@dataclass
class Ledger:
    """Fetched, running and finished updates; shared by the polling updater and the processor."""

    fetched: set[int] = field(default_factory=set)  # fetched, not finished (queued or running)
    finished: set[int] = field(default_factory=set)  # finished, not yet confirmed to Telegram
    owed: set[int] = field(default_factory=set)  # fetched, confirmed before they were finished
    running: dict[Handling, asyncio.Task[Any]] = field(default_factory=dict)
    slots: int = 1  # updates the processor runs at once
    confirmed: int = 0  # the last offset Telegram acknowledged
    asked: int = 0  # the highest offset sent (Telegram may have acknowledged it)
    newest: int = -1  # the highest update id Telegram has sent
    phase: Phase = Phase.RUNNING
    left: int = 0  # updates not started because of the stop, left to Telegram
    dropped: int = 0  # updates not started because of the stop that Telegram will not resend
    moved: asyncio.Event = field(default_factory=asyncio.Event)  # something finished

    @property
    def offset(self) -> int:
        """The getUpdates offset: the oldest update neither finished nor owed, else one above
        the newest."""
        return min(self.fetched - self.owed, default=max(self.newest + 1, self.confirmed))

    @property
    def held(self) -> int:
        """How many fetched updates Telegram still holds (and sends again on every call)."""
        offset = self.offset
        return len(self.fetched - self.owed) + sum(1 for i in self.finished if i >= offset)

    def lend(self, down_to: int, most: int) -> int:
        """Let the offset pass the oldest unfinished updates (they become owed: Telegram will
        not send them again, so a stop cannot leave them to it) until at most `down_to` are
        held, owing at most `most`. For when a few chats' backlogs fill the window while slots
        are idle, so that other chats' updates can still be fetched. Returns how many."""
        lent = 0
        while self.held > down_to and len(self.owed) < most and self.fetched - self.owed:
            self.owed.add(min(self.fetched - self.owed))
            lent += 1
        return lent

    def take(self, updates: Sequence[Update]) -> list[Update]:
        """The updates not seen before (now counted as fetched), in order."""
        fresh = []
        for update in updates:
            uid = update.update_id
            self.newest = max(self.newest, uid)
            if uid not in self.fetched and uid not in self.finished and uid >= self.confirmed:
                self.fetched.add(uid)
                fresh.append(update)
        return fresh

    def acknowledged(self, offset: int) -> None:
        """Telegram accepted a getUpdates call with this offset."""
        self.confirmed = max(self.confirmed, offset)
        self.finished = {i for i in self.finished if i >= self.confirmed}

    def finish(self, uid: int) -> None:
        self.fetched.discard(uid)
        self.owed.discard(uid)
        self.finished.add(uid)
        self.moved.set()

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle one update as `context.handling`; once stopping, leave it if it has not
        started. Cut off by the deadline, it counts as finished only if a message may have gone
        out (then Telegram must not send it again)."""
        uid = update.update_id if isinstance(update, Update) else None
        resent = uid in self.fetched and uid not in self.owed  # Telegram will send it again
        if self.phase is Phase.CLOSED or (self.phase is Phase.HANDING_BACK and resent):
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            self.left += resent
            self.dropped += not resent
            return
        user = update.effective_user if isinstance(update, Update) else None
        state = Handling(uid, user.id if user else None)
        handling.set(state)
        task = asyncio.current_task()
        if task is not None:
            self.running[state] = task
        try:
            await coroutine
        except asyncio.CancelledError:
            if uid in self.fetched and state.sent:
                self.finish(uid)
            raise
        finally:
            self.running.pop(state, None)
        if uid in self.fetched:
            self.finish(uid)

    async def drain(self, queue: asyncio.Queue[object], seconds: float,
                    hand_back: bool) -> None:
        """Wait up to `seconds` for what is queued or running (polled updates that have not
        started are left to Telegram if `hand_back`); then cancel what still runs."""
        self.phase = Phase.HANDING_BACK if hand_back else Phase.RUNNING
        self.owed = {i for i in self.owed if i < self.asked}  # the rest Telegram resends
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await queue.join()
            return
        self.phase = Phase.CLOSED
        log.warning("shutdown: %d update(s) still running after %.1f s are cut off",
                    len(self.running), seconds)
        for task in list(self.running.values()):
            task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):  # the cut-off ones unwind, the rest are left
                await queue.join()


class TrackedProcessor(BaseUpdateProcessor):
    """Wraps the processor that schedules updates (slots, per-chat turns): each update runs
    through `Ledger.run` when the inner processor starts it. It takes no slot of its own, which
    would be held while an update waits for its chat's turn."""

    def __init__(self, inner: BaseUpdateProcessor, ledger: Ledger) -> None:
        super().__init__(inner.max_concurrent_updates)
        self.inner, self.ledger = inner, ledger
        ledger.slots = inner.max_concurrent_updates

    async def process_update(  # type: ignore[misc]  # PTB marks it final; see the docstring
            self, update: object, coroutine: Awaitable[Any]) -> None:
        await self.inner.process_update(update, self.ledger.run(update, coroutine))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Not used: `process_update` hands the update to the inner processor."""
        await self.inner.do_process_update(update, coroutine)

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


def handled_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".handled.json")


def save_handled(path: Path, ledger: Ledger) -> None:
    """Keep the finished updates Telegram was not told about (none: remove the file)."""
    unconfirmed = sorted(i for i in ledger.finished if i >= ledger.confirmed)
    if not unconfirmed:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"confirmed": ledger.confirmed, "handled": unconfirmed}),
                         encoding="utf-8")
    os.replace(temporary, path)


def load_handled(path: Path, ledger: Ledger) -> None:
    """Count the updates a previous process finished (and Telegram may send again) as finished;
    a file older than Telegram keeps updates, or unreadable, is ignored."""
    try:
        if time.time() - path.stat().st_mtime > KEPT_SECONDS:
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        ledger.finished.update(int(i) for i in data["handled"])
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring %s: %s", path.name, exc)
