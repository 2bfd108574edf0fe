"""The records: SQLite store, worker hashing and salt, stats and unanswered grouping."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from bot.records import EventKind, EventRecord, QuestionRecord, new_question_id, worker_hash
from bot.storage import SqliteStore, Store, group_similar, load_salt, open_store
from bot.storage.sqlite_schema import MIGRATIONS, V1

NOW = time.time()


@pytest.fixture
async def store(tmp_path: Path):
    s = open_store(tmp_path / "deep" / "dir" / "bot.sqlite3")
    yield s
    await s.close()


async def ask(store: Store, worker: str, query: str, outcome: str, entry: str | None = None,
              ago: float = 0, score: float = 50.0, qid: str | None = None) -> str:
    """Record a question; returns its id."""
    qid = qid or new_question_id()
    await store.record_question(worker, QuestionRecord(
        question_id=qid, text=query, query=query, outcome=outcome, entry_id=entry, score=score,
        candidates=(entry,) if entry else ()), NOW - ago)
    return qid


async def event(store: Store, worker: str, kind: EventKind, entry: str | None = None,
                qid: str | None = None, ago: float = 0) -> None:
    await store.record_event(worker, EventRecord(kind=kind, question_id=qid, entry_id=entry),
                             NOW - ago)


async def test_created_on_first_run_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "bot.sqlite3"
    store = SqliteStore(path)
    assert path.exists()
    assert store._execute("PRAGMA journal_mode")[0][0] == "wal"
    await store.close()
    again = SqliteStore(path)  # opening an existing database keeps its data
    await ask(again, "w", "问", "answer", "e1")
    await again.close()  # writes what is buffered
    assert sqlite3.connect(path).execute("SELECT count(*) FROM questions").fetchone()[0] == 1


async def test_stats(store: SqliteStore) -> None:
    for args in [("a", "借款多久", "answer", "loan"), ("a", "借款", "answer", "loan"),
                 ("b", "贴息", "answer", "subsidy"), ("b", "创业", "clarify"),
                 ("c", "天气", "fallback")]:
        await ask(store, *args)
    await ask(store, "c", "old", "answer", "loan", ago=10 * 86400)
    await event(store, "a", EventKind.FEEDBACK_YES, "loan", "q1")
    await event(store, "b", EventKind.FEEDBACK_NO, "subsidy", "q2")
    await event(store, "b", EventKind.FEEDBACK_YES, "subsidy", "q3", ago=10 * 86400)
    await event(store, "b", EventKind.FLOW_START)
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
        await ask(store, f"w{i}", text, "fallback",
                  ago=(40 * 86400 if text == "很久以前的问题" else i))
    await ask(store, "w", "借款多久", "answer", "loan")
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
    writes = [ask(bot, f"w{i % 7}", f"问题{i}", "fallback") for i in range(300)]
    writes += [event(bot, f"w{i}", EventKind.FEEDBACK_YES, "e", f"q{i}") for i in range(100)]
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
    qid = await ask(store, worker, "借款", "answer", "loan")
    await event(store, worker, EventKind.FEEDBACK_YES, "loan", qid)
    await store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if p.suffix != ".salt")
    assert b"987654321" not in raw
    assert worker.encode() in raw


def test_staff_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.cli import main

    db = tmp_path / "bot.sqlite3"

    async def fill() -> None:
        store = SqliteStore(db)
        await ask(store, "a", "借款多久", "answer", "interest-free-loan")
        await ask(store, "b", "今天天气怎么样", "fallback")
        await ask(store, "c", "今天的天气怎么样", "fallback")
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


async def test_feedback_counts_once_per_question_and_worker(store: SqliteStore) -> None:
    qid = await ask(store, "a", "借款多久", "answer", "loan")
    for _ in range(30):
        await event(store, "a", EventKind.FEEDBACK_YES, "loan", qid)
    await event(store, "a", EventKind.FEEDBACK_NO, "loan", qid)  # the last press wins
    await event(store, "b", EventKind.FEEDBACK_YES, "loan", qid)  # another worker counts too
    stats = await store.stats(0)
    assert (stats.feedback_yes, stats.feedback_no) == (1, 1)
    kinds = sorted((e.worker, e.record.kind.value) for e in await store.events(0))
    assert kinds == [("a", "feedback-no"), ("b", "feedback-yes")]


async def test_records_read_back_through_the_interface(store: SqliteStore) -> None:
    qid = await ask(store, "a", "借款多久", "answer", "loan", score=77.0)
    await store.record_event("a", EventRecord(kind=EventKind.FLOW_STEP, question_id=qid,
                                              flow_id="startup-aid-check", node="registered"))
    [question] = await store.questions(0)
    assert (question.worker, question.record.question_id, question.record.entry_id,
            question.record.score, question.record.candidates) == ("a", qid, "loan", 77.0,
                                                                   ("loan",))
    [step] = await store.events(0)
    assert step.record == EventRecord(kind=EventKind.FLOW_STEP, question_id=qid,
                                      flow_id="startup-aid-check", node="registered")


async def test_a_first_release_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(V1 + "PRAGMA user_version = 1;")
    old.executemany("INSERT INTO events (time, worker, kind, entry_id) VALUES (?, ?, ?, ?)",
                    [(NOW, "w", "feedback:yes", "loan"), (NOW, "w", "flow-start:training-guide",
                                                          None),
                     (NOW, "w", "flow-step:training-guide:who", None),
                     (NOW, "w", "none-of-these", None)])
    old.execute("INSERT INTO questions (time, worker, query, outcome, entry_id, score)"
                " VALUES (?, 'w', '借款', 'answer', 'loan', 60)", (NOW,))
    old.commit()
    old.close()
    store = SqliteStore(path)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    events = [(e.record.kind.value, e.record.flow_id, e.record.node)
              for e in await store.events(0)]
    assert events == [("feedback-yes", None, None), ("flow-start", "training-guide", None),
                      ("flow-step", "training-guide", "who"), ("none-of-these", None, None)]
    [question] = await store.questions(0)
    assert question.record.query == "借款" and question.record.outcome == "answer"
    stats = await store.stats(0)
    assert stats.feedback_yes == 1
    await store.close()
