"""Concurrent update processing that keeps each chat's updates in arrival order, fairly.

python-telegram-bot runs updates one at a time by default, or up to N at once with
`concurrent_updates`. A worker who sends two messages quickly should get the answers in order,
while other workers need not wait: updates from different chats run concurrently, updates from
one chat run one after another.

Fairness is the point of the design. PTB's `process_update` takes one of the N slots before
anything else, so a lock per chat taken *inside* the slot lets one chat's backlog fill every
slot with updates that only wait for that chat's lock (300 messages from one worker kept
another waiting 9.5 s). Here an update first waits for its chat's turn in that chat's own queue,
holding no slot, and only the chat's current update takes a slot: a backlog costs its chat time,
never the other chats' slots.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_of(update: object) -> int | None:
    """The chat an update belongs to (None: no chat, so no order to keep)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    return chat.id if chat is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once, at most one per chat; a chat's later updates
    wait in its queue without a slot."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, deque[asyncio.Future[None]]] = {}  # busy chat → waiting turns

    async def process_update(  # type: ignore[misc]  # PTB marks it final; see the docstring
            self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn (no slot held), then run in a slot as PTB does."""
        chat = chat_of(update)
        if chat is None:
            await super().process_update(update, coroutine)
            return
        await self._turn(chat)
        try:
            await super().process_update(update, coroutine)
        finally:
            self._pass_turn(chat)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Called by PTB's `process_update` inside a slot."""
        await coroutine

    @property
    def waiting(self) -> int:
        """Updates waiting for their chat's turn (they hold no slot)."""
        return sum(len(queue) for queue in self._queues.values())

    async def _turn(self, chat: int) -> None:
        """Return when it is this update's turn in its chat (at once if the chat is idle)."""
        queue = self._queues.get(chat)
        if queue is None:
            self._queues[chat] = deque()
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed the turn, then cancelled
                self._pass_turn(chat)
            raise

    def _pass_turn(self, chat: int) -> None:
        """Give the chat's turn to its next waiting update, or mark the chat idle."""
        queue = self._queues[chat]
        while queue:
            turn = queue.popleft()
            if not turn.done():  # a cancelled waiter is skipped
                turn.set_result(None)
                return
        del self._queues[chat]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
