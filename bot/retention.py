"""Deleting old records on their own: at start-up and once a day while the bot runs.

Workers' words are personal data; `storage.retention_days` (config.yaml) says how long they are
kept. Any channel that records starts `keep_purging` beside its work; the service cancels it on
close.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.storage import Store

DAY = 86400.0
log = logging.getLogger(__name__)


def cutoff(retention_days: int, now: float | None = None) -> float | None:
    """The time before which records go, or None when they are kept for ever (0 days)."""
    if retention_days <= 0:
        return None
    return (time.time() if now is None else now) - retention_days * DAY


async def purge_expired(store: Store, retention_days: int, now: float | None = None) -> int:
    """Delete what is older than the retention period; returns the rows deleted."""
    before = cutoff(retention_days, now)
    if before is None:
        return 0
    gone = await store.purge(before)
    if gone:
        log.info("deleted %d records older than %d days", gone, retention_days)
    return gone


async def keep_purging(store: Store, retention_days: int, every: float = DAY) -> None:
    """Purge now and then every `every` seconds until cancelled; a failure is logged and
    retried next time, never raised (it must not stop the bot)."""
    while True:
        try:
            await purge_expired(store, retention_days)
        except Exception:  # noqa: BLE001 - any backend's error; the next round tries again
            log.exception("could not delete old records")
        await asyncio.sleep(every)
