"""The ledger behind polling (handlers/ledger.py): what may be confirmed to Telegram, what a stop
leaves to it, and the file of updates finished out of order."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from telegram import Update

from handlers.context import handling
from handlers.ledger import Ledger, Phase, handled_path, load_handled, save_handled


def updates(*ids: int) -> list[Update]:
    return [Update(update_id=i) for i in ids]


def test_the_offset_waits_for_the_oldest_unfinished_update() -> None:
    ledger = Ledger()
    assert ledger.offset == 0
    assert [u.update_id for u in ledger.take(updates(10, 11, 12, 13))] == [10, 11, 12, 13]
    ledger.finish(12)
    ledger.finish(13)
    assert (ledger.offset, ledger.held) == (10, 4)  # Telegram still holds all four
    assert ledger.take(updates(10, 11, 12, 13, 14)) == updates(14)  # only the new one
    ledger.finish(10)
    ledger.finish(11)
    assert ledger.offset == 14
    ledger.acknowledged(14)
    assert ledger.finished == set() and ledger.held == 1
    ledger.finish(14)
    assert ledger.offset == 15


async def test_a_stop_leaves_unstarted_updates_and_keeps_maybe_sent_ones() -> None:
    ledger = Ledger()
    ledger.take(updates(1, 2, 3))
    release = asyncio.Event()

    async def handle(sends: bool) -> None:
        state = handling.get()
        assert state is not None
        state.sent = sends
        await release.wait()

    sending = asyncio.create_task(ledger.run(Update(update_id=1), handle(True)))
    quiet = asyncio.create_task(ledger.run(Update(update_id=2), handle(False)))
    await asyncio.sleep(0)
    ledger.phase = Phase.HANDING_BACK
    await ledger.run(Update(update_id=3), handle(False))  # not started: left to Telegram
    assert ledger.left == 1 and len(ledger.running) == 2
    for task in (sending, quiet):
        task.cancel()
    await asyncio.gather(sending, quiet, return_exceptions=True)
    assert ledger.finished == {1}  # its message may be out: Telegram must not resend it
    assert ledger.fetched == {2, 3} and ledger.offset == 2


async def test_drain_cuts_off_at_the_deadline() -> None:
    ledger = Ledger()
    queue: asyncio.Queue[object] = asyncio.Queue()
    ledger.take(updates(1))
    await queue.put(object())

    async def process() -> None:
        try:
            await ledger.run(Update(update_id=1), asyncio.sleep(30))
        finally:
            queue.task_done()

    task = asyncio.create_task(process())
    await asyncio.sleep(0)
    started = asyncio.get_running_loop().time()
    await ledger.drain(queue, 0.2, hand_back=True)
    assert asyncio.get_running_loop().time() - started < 1.0
    assert task.cancelled() and ledger.phase is Phase.CLOSED and ledger.offset == 1


def test_updates_finished_out_of_order_survive_a_restart(tmp_path: Path) -> None:
    path = handled_path(tmp_path / "bot.sqlite3")
    ledger = Ledger()
    ledger.take(updates(5, 6, 7))
    ledger.finish(6)
    ledger.acknowledged(ledger.offset)
    save_handled(path, ledger)
    restarted = Ledger()
    load_handled(path, restarted)
    assert restarted.take(updates(5, 6, 7)) == updates(5, 7)
    os.utime(path, (0, 0))  # older than Telegram keeps updates: ignored
    stale = Ledger()
    load_handled(path, stale)
    assert stale.finished == set()
    ledger.finish(5)
    ledger.finish(7)
    ledger.acknowledged(ledger.offset)
    save_handled(path, ledger)
    assert not path.exists()


def test_lending_opens_a_full_window_and_owes_what_it_passed() -> None:
    ledger = Ledger()
    ledger.take(updates(*range(1, 101)))
    assert ledger.held == 100
    assert ledger.lend(down_to=25, most=200) == 75
    assert (ledger.offset, ledger.held, ledger.owed) == (76, 25, set(range(1, 76)))
    assert ledger.lend(down_to=0, most=80) == 5  # never more than `most` owed
    ledger.finish(1)
    assert 1 not in ledger.owed and len(ledger.owed) == 79


async def test_a_stop_works_on_owed_updates_and_leaves_the_rest() -> None:
    ledger = Ledger()
    ledger.take(updates(1, 2, 3))
    ledger.lend(down_to=1, most=10)
    assert ledger.owed == {1, 2} and ledger.offset == 3
    ledger.asked = 2  # a call with offset 2 went out; the one with 3 never did
    await ledger.drain(asyncio.Queue(), 1.0, hand_back=True)
    assert ledger.owed == {1}  # Telegram will send 2 again

    ran = []

    async def handle(uid: int) -> None:
        ran.append(uid)

    for uid in (1, 2, 3):
        await ledger.run(Update(update_id=uid), handle(uid))
    assert ran == [1]  # owed: Telegram will not send it again, so it is worked on
    assert (ledger.left, ledger.dropped, ledger.offset) == (2, 0, 2)
