"""The records: SQLite store, worker hashing and salt, stats and unanswered grouping."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from bot.storage import (
    Event,
    Question,
    SqliteStore,
    group_similar,
    load_salt,
    open_store,
    worker_hash,
)

NOW = time.time()


@pytest.fixture
async def store(tmp_path: Path):
    s = open_store(tmp_path / "deep" / "dir" / "bot.sqlite3")
    yield s
    await s.close()


def q(worker: str, query: str, outcome: str, entry: str | None = None, ago: float = 0,
      score: float = 50.0) -> Question:
    return Question(worker, query, outcome, entry, score, time=NOW - ago)


async def test_created_on_first_run_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "bot.sqlite3"
    store = SqliteStore(path)
    assert path.exists()
    assert store._execute("PRAGMA journal_mode")[0][0] == "wal"
    await store.close()
    again = SqliteStore(path)  # opening an existing database keeps its data
    await again.record_question(q("w", "问", "answer", "e1"))
    await again.close()  # writes what is buffered
    assert sqlite3.connect(path).execute("SELECT count(*) FROM questions").fetchone()[0] == 1


async def test_stats(store: SqliteStore) -> None:
    for question in [q("a", "借款多久", "answer", "loan"), q("a", "借款", "answer", "loan"),
                     q("b", "贴息", "answer", "subsidy"), q("b", "创业", "clarify"),
                     q("c", "天气", "fallback"), q("c", "old", "answer", "loan", ago=10 * 86400)]:
        await store.record_question(question)
    await store.record_event(Event("a", "feedback:yes", "loan"))
    await store.record_event(Event("b", "feedback:no", "subsidy"))
    await store.record_event(Event("b", "feedback:yes", "subsidy", time=NOW - 10 * 86400))
    await store.record_event(Event("b", "flow-start:startup-aid-check"))
    stats = await store.stats(NOW - 7 * 86400)
    assert (stats.questions, stats.answered, stats.clarified, stats.fallback) == (5, 3, 1, 1)
    assert stats.workers == 3
    assert stats.share(stats.answered) == pytest.approx(0.6)
    assert (stats.feedback_yes, stats.feedback_no) == (1, 1)
    assert stats.top_entries == (("loan", 2), ("subsidy", 1))
    everything = await store.stats(0, top=1)
    assert everything.questions == 6 and everything.top_entries == (("loan", 3),)
    empty = await store.stats(NOW + 1)
    assert empty.questions == 0 and empty.share(0) == 0.0


async def test_unanswered_groups_similar_questions(store: SqliteStore) -> None:
    asked = ["今天天气怎么样"] * 3 + ["今天的天气怎么样", "明天天气怎么样"] + \
            ["食堂饭卡丢了怎么补办"] * 2 + ["停车场在哪"] + ["很久以前的问题"]
    for i, text in enumerate(asked):
        await store.record_question(q(f"w{i}", text, "fallback",
                                      ago=(40 * 86400 if text == "很久以前的问题" else i)))
    await store.record_question(q("w", "借款多久", "answer", "loan"))
    groups = await store.unanswered(NOW - 30 * 86400, limit=10)
    assert [(g.text, g.count) for g in groups] == [
        ("今天天气怎么样", 5), ("食堂饭卡丢了怎么补办", 2), ("停车场在哪", 1)]
    assert set(groups[0].variants) == {"今天的天气怎么样", "明天天气怎么样"}
    assert len(await store.unanswered(NOW - 30 * 86400, limit=1)) == 1


def test_group_similar_orders_by_count_then_recency() -> None:
    groups = group_similar([("甲问题", 1.0), ("乙完全不同", 5.0)], limit=5)
    assert [g.text for g in groups] == ["乙完全不同", "甲问题"]
    assert group_similar([], limit=5) == []


async def test_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    bot, cli = SqliteStore(path), SqliteStore(path)  # e.g. the bot and `unionbot stats`
    writes = [bot.record_question(q(f"w{i % 7}", f"问题{i}", "fallback")) for i in range(300)]
    writes += [bot.record_event(Event(f"w{i}", "feedback:yes")) for i in range(100)]
    reads = [cli.stats(0) for _ in range(20)]
    await asyncio.gather(*writes, *reads)
    await bot.flush()
    stats = await cli.stats(0)
    assert (stats.questions, stats.fallback, stats.feedback_yes) == (300, 300, 100)
    await bot.close()
    await cli.close()


def test_worker_hash_is_salted_and_stable() -> None:
    a = worker_hash(b"salt-1", 123456789)
    assert a == worker_hash(b"salt-1", 123456789) and len(a) == 16
    assert a != worker_hash(b"salt-2", 123456789)
    assert "123456789" not in a
    assert worker_hash(b"salt-1", None) == "-"


def test_salt_from_environment_or_a_file_made_once(tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot.sqlite3"
    assert load_salt(db, {"UNIONBOT_SALT": "from-env"}) == b"from-env"
    assert not (tmp_path / "data").exists()
    first = load_salt(db, {})
    salt_file = db.with_name("bot.sqlite3.salt")
    assert salt_file.exists() and len(first) >= 32
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert load_salt(db, {}) == first


async def test_no_raw_identity_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = SqliteStore(db)
    worker = worker_hash(load_salt(db, {}), 987654321)
    await store.record_question(q(worker, "借款", "answer", "loan"))
    await store.record_event(Event(worker, "feedback:yes", "loan"))
    await store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if p.suffix != ".salt")
    assert b"987654321" not in raw
    assert worker.encode() in raw


def test_staff_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.cli import main

    db = tmp_path / "bot.sqlite3"

    async def fill() -> None:
        store = SqliteStore(db)
        await store.record_question(q("a", "借款多久", "answer", "interest-free-loan"))
        await store.record_question(q("b", "今天天气怎么样", "fallback"))
        await store.record_question(q("c", "今天的天气怎么样", "fallback"))
        await store.close()

    asyncio.run(fill())
    monkeypatch.setenv("UNIONBOT_DB", str(db))
    assert main(["stats", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "3" in out and "33%" in out
    assert main(["unanswered", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "今天天气怎么样" in out and "今天的天气怎么样" in out
    with pytest.raises(SystemExit):
        main(["stats", "--days", "zero"])
