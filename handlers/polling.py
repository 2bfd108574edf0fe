"""python-telegram-bot's Updater, polling by the ledger (handlers/ledger.py) and stopping within
`telegram.shutdown_seconds`.

Polling asks for updates from `Ledger.offset`, so Telegram sends the unfinished ones again with
every call: a call is made when at most REFETCH_AT of those are held (so at least three
quarters of a full answer are new: the load benchmark parses 1.2 updates per update handled),
and after an answer with nothing new only once something finishes or REPOLL_SECONDS pass. One
update that takes long holds the offset, so at most FETCH_AHEAD updates are fetched past it.

On a stop (SIGTERM/SIGINT through `run_polling`, or `Updater.stop`) it stops fetching, finishes
what is running, leaves what has not started to Telegram, cuts off what still runs at the
deadline (shutdown_seconds - RESERVE_SECONDS), confirms the finished updates (one getUpdates
call), saves the ones finished out of order, and returns: the Application then closes the
records (`post_shutdown` → `Service.close`). In webhook mode Telegram has already been told
every update arrived, so nothing is left to it: what is queued is worked on until the deadline.

Only Updater's protected `_start_polling`/`_stop_polling` hooks are replaced (python-telegram-bot
22.x); its public start/stop and locking are PTB's, its webhook server `GuardedUpdater`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from handlers.ledger import Ledger, handled_path, load_handled, save_handled
from handlers.webhook import GuardedUpdater

log = logging.getLogger(__name__)
FETCH_AHEAD = 100  # Telegram's most updates per getUpdates call
REFETCH_AT = FETCH_AHEAD // 4  # still more than the 16 handled at once
REPOLL_SECONDS = 0.5
LEND_AFTER_SECONDS = 0.2  # a full window with idle slots this long: let the offset pass
OWED_MAX = 2 * FETCH_AHEAD  # updates confirmed before they were finished, at most
RESERVE_SECONDS = 1.5  # of the shutdown bound, kept for the last getUpdates call and the records
CONFIRM_SECONDS = 1.0
MAX_PAUSE = 30.0  # after repeated polling errors


class PollingUpdater(GuardedUpdater):
    def __init__(self, bot: Bot, update_queue: asyncio.Queue[object], ledger: Ledger,
                 shutdown_seconds: float, db_path: Path | None = None) -> None:
        super().__init__(bot=bot, update_queue=update_queue)
        self.ledger, self.shutdown_seconds = ledger, shutdown_seconds
        self.handled_file = handled_path(db_path) if db_path is not None else None
        self.poller: asyncio.Task[None] | None = None
        self.allowed_updates: Sequence[str] | None = None
        self.stop_started = 0.0

    async def _start_polling(self, poll_interval: float, timeout: object,
                             bootstrap_retries: int, drop_pending_updates: bool | None,
                             allowed_updates: Sequence[str] | None, ready: asyncio.Event,
                             error_callback: Callable[[TelegramError], None] | None) -> None:
        await self._bootstrap(bootstrap_retries, webhook_url="", allowed_updates=None,
                              drop_pending_updates=drop_pending_updates)
        if self.handled_file is not None and not drop_pending_updates:
            load_handled(self.handled_file, self.ledger)
        self.allowed_updates = allowed_updates
        self.poller = asyncio.create_task(self._poll(timeout, error_callback),
                                          name="unionbot:polling")
        self.poller.add_done_callback(self._polling_ended)  # a revoked token ends it
        ready.set()

    async def _poll(self, timeout: object,
                    error_callback: Callable[[TelegramError], None] | None) -> None:
        pause, fresh = 0.0, True
        while self.running:
            await self._wait_for_room(fresh)
            offset = self.ledger.asked = self.ledger.offset
            try:
                updates = await self.bot.get_updates(offset=offset, limit=FETCH_AHEAD,
                                                     timeout=timeout,  # type: ignore[arg-type]
                                                     allowed_updates=self.allowed_updates)
            except InvalidToken:
                log.critical("polling stopped: Telegram does not accept the token")
                raise
            except TelegramError as exc:
                pause = 0.0 if isinstance(exc, TimedOut) else min(MAX_PAUSE, pause * 2 or 1.0)
                if isinstance(exc, RetryAfter):
                    pause = exc.retry_after if isinstance(exc.retry_after, int) else \
                        exc.retry_after.total_seconds()
                (error_callback or _log_polling_error)(exc)
                await asyncio.sleep(pause)
                continue
            pause = 0.0
            self.ledger.acknowledged(offset)
            new = self.ledger.take(updates)
            fresh = bool(new) or not updates
            for update in new:
                await self.update_queue.put(update)

    async def _wait_for_room(self, fresh: bool) -> None:
        """Until at most REFETCH_AT fetched updates are held; after an answer with nothing new,
        also until something finishes or REPOLL_SECONDS pass. A window full of updates waiting
        for their chats' turns (at least half the slots idle: a busy slot or two only means one
        update has just finished) is opened by lending (Ledger.lend)."""
        ledger, started, moved = self.ledger, time.monotonic(), False
        while True:
            moved = moved or ledger.moved.is_set()
            waited = time.monotonic() - started
            if ledger.held <= REFETCH_AT and (fresh or moved or waited >= REPOLL_SECONDS):
                break
            if waited >= LEND_AFTER_SECONDS and len(ledger.running) <= ledger.slots // 2 and (
                    lent := ledger.lend(REFETCH_AT, OWED_MAX)):
                log.info("%d update(s) confirmed before they were handled (%d of %d slots "
                         "busy), so that other chats' updates can be fetched", lent,
                         len(ledger.running), ledger.slots)
                break
            ledger.moved.clear()
            with contextlib.suppress(TimeoutError):  # not wait_for: on 3.11 it can swallow a cancel
                async with asyncio.timeout(LEND_AFTER_SECONDS):
                    await ledger.moved.wait()
        ledger.moved.clear()

    async def _stop_polling(self) -> None:
        """Updater.stop's last step (the webhook server, if any, is already closed)."""
        started = time.monotonic()
        polling = self.poller is not None
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await self.poller
            self.poller = None
        drain = max(0.0, self.shutdown_seconds - RESERVE_SECONDS)
        await self.ledger.drain(self.update_queue, drain, hand_back=polling)
        if polling:
            await self._confirm()
        log.info("stopped in %.1f s; %d update(s) not started and left to Telegram, %d not "
                 "started and lost (Telegram had been told they arrived)",
                 time.monotonic() - started, self.ledger.left, self.ledger.dropped)

    async def _confirm(self) -> None:
        """Tell Telegram which updates are done, and keep those it could not be told about."""
        offset = self.ledger.offset
        try:
            async with asyncio.timeout(CONFIRM_SECONDS):
                await self.bot.get_updates(offset=offset, limit=1, timeout=0,
                                           allowed_updates=self.allowed_updates)
            self.ledger.acknowledged(offset)
        except (TelegramError, TimeoutError) as exc:
            log.warning("could not confirm the handled updates: %s", type(exc).__name__)
        if self.handled_file is not None:
            try:
                save_handled(self.handled_file, self.ledger)
            except OSError as exc:
                log.error("could not save %s: %s", self.handled_file.name, exc)


def _log_polling_error(error: TelegramError) -> None:
    log.warning("polling failed: %s: %s", type(error).__name__, error)
