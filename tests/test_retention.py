"""Old records go on their own (storage.retention_days), and staff decisions are kept."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.config import StorageConfig, load_config
from bot.records import EventKind, EventRecord, QuestionRecord, ReviewDecision, Verdict
from bot.retention import DAY, cutoff, keep_purging, purge_expired
from bot.service import Service
from bot.storage import Location, Store, open_store
from bot.storage.sqlite import SqliteStore

NOW = time.time()


async def fill(store: Store, ages_in_days: list[float]) -> None:
    for n, age in enumerate(ages_in_days):
        qid = f"q{n:011d}"
        await store.record_question("w", QuestionRecord(
            question_id=qid, text="借款", query="借款", outcome="answer", entry_id="loan",
            score=50.0), NOW - age * DAY)
        await store.record_event("w", EventRecord(kind=EventKind.FEEDBACK_YES, question_id=qid,
                                                  entry_id="loan"), NOW - age * DAY)


async def test_purge_deletes_only_what_is_older(store_location: Location) -> None:
    store = open_store(store_location)  # on both stores
    await fill(store, [200, 181, 179, 1])
    await store.record_decisions([ReviewDecision(key="aaaaaaa", verdict=Verdict.REJECT,
                                                 time=NOW - 400 * DAY)])
    assert await purge_expired(store, 180, now=NOW) == 4  # two questions, two events
    assert len(await store.questions(0)) == 2 and len(await store.events(0)) == 2
    assert [d.key for d in await store.decisions()] == ["aaaaaaa"]
    assert await purge_expired(store, 0, now=NOW) == 0  # 0: kept for ever
    await store.close()


async def test_a_later_decision_replaces_the_earlier(store_location: Location) -> None:
    store = open_store(store_location)  # on both stores
    await store.record_decisions([ReviewDecision(key="a1", verdict=Verdict.REJECT, time=1.0)])
    await store.record_decisions([ReviewDecision(key="a1", verdict=Verdict.ACCEPT, time=2.0),
                                  ReviewDecision(key="n2", verdict=Verdict.REJECT)])
    found = {d.key: (d.verdict, d.time) for d in await store.decisions()}
    assert found["a1"] == (Verdict.ACCEPT, 2.0)
    assert found["n2"][0] is Verdict.REJECT and found["n2"][1] > NOW - 60
    await store.close()


def test_retention_days_from_config(tmp_path: Path) -> None:
    assert StorageConfig().retention_days == 180
    assert cutoff(0) is None and cutoff(30, now=NOW) == NOW - 30 * DAY
    path = tmp_path / "config.yaml"
    path.write_text("storage:\n  retention_days: 30\n", encoding="utf-8")
    assert load_config(path, env={}).storage.retention_days == 30
    path.write_text("storage:\n  db_path: x.sqlite3\n", encoding="utf-8")
    assert load_config(path, env={}).storage.retention_days == 180


async def test_the_service_purges_at_start_and_stops_on_close(tmp_path: Path,
                                                              shipped_dialogue) -> None:
    store = SqliteStore(tmp_path / "r.sqlite3")
    await fill(store, [400, 2])
    service = Service(shipped_dialogue, store, b"salt")
    service.start_housekeeping()
    for _ in range(100):
        if len(await store.questions(0)) == 1:
            break
        await asyncio.sleep(0.02)
    assert [round((NOW - q.time) / DAY) for q in await store.questions(0)] == [2]
    task = service._housekeeping
    await service.close()
    assert task is not None and task.cancelled()


class FlakyStore:
    def __init__(self) -> None:
        self.calls = 0

    async def purge(self, before: float) -> int:
        self.calls += 1
        if self.calls == 1:
            raise OSError("disk busy")
        return 0


async def test_a_failed_purge_is_retried_next_round(caplog: pytest.LogCaptureFixture) -> None:
    store = FlakyStore()
    task = asyncio.create_task(keep_purging(store, 180, every=0.01))  # type: ignore[arg-type]
    for _ in range(100):
        if store.calls >= 3:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    assert store.calls >= 3 and "could not delete old records" in caplog.text
