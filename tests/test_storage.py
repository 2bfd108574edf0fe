"""The records through the Store interface, each test on both backends (a new SQLite file and a
new PostgreSQL database): stats, unanswered grouping, feedback once, idempotent batches,
buffering, read-only reports; and worker hashing and the salt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_helpers import NOW, ask, event, one_line_error, records_env, unionbot

from bot.records import EventKind, EventRecord, QuestionRecord, worker_hash
from bot.storage import (
    Location,
    StorageError,
    Store,
    group_similar,
    is_shared,
    load_salt,
    open_store,
)
from bot.storage.sql import FLUSH_SECONDS, SqlStore


@pytest.fixture
async def store(store_location: Location) -> AsyncIterator[Store]:
    s = open_store(store_location)
    yield s
    await s.close()


async def test_stats(store: Store) -> None:
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


async def test_unanswered_groups_similar_questions(store: Store) -> None:
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


async def test_a_reader_beside_a_busy_writer(store_location: Location) -> None:
    bot = open_store(store_location)
    cli = open_store(store_location, read_only=True)  # e.g. `unionbot stats` while the bot runs
    writes = [ask(bot, f"w{i % 7}", f"问题{i}", "fallback") for i in range(300)]
    writes += [event(bot, f"w{i}", EventKind.FEEDBACK_YES, "e", f"q{i}") for i in range(100)]
    reads = [cli.stats(0) for _ in range(20)]
    await asyncio.gather(*writes, *reads)
    await bot.flush()
    stats = await cli.stats(0)
    assert (stats.questions, stats.fallback, stats.feedback_yes) == (300, 300, 100)
    await bot.close()
    await cli.close()


async def test_feedback_counts_once_per_question_and_worker(store: Store) -> None:
    qid = await ask(store, "a", "借款多久", "answer", "loan")
    for _ in range(30):
        await event(store, "a", EventKind.FEEDBACK_YES, "loan", qid)
    await event(store, "a", EventKind.FEEDBACK_NO, "loan", qid)  # the last press wins
    await event(store, "b", EventKind.FEEDBACK_YES, "loan", qid)  # another worker counts too
    stats = await store.stats(0)
    assert (stats.feedback_yes, stats.feedback_no) == (1, 1)
    kinds = sorted((e.worker, e.record.kind.value) for e in await store.events(0))
    assert kinds == [("a", "feedback-no"), ("b", "feedback-yes")]


async def test_a_batch_written_twice_counts_once(store: Store) -> None:
    """What a write retried after its commit got through does: nothing is counted twice."""
    assert isinstance(store, SqlStore)
    qid = await ask(store, "a", "借款多久", "answer", "loan")
    await event(store, "a", EventKind.PICK, "loan", qid)
    await event(store, "a", EventKind.FEEDBACK_YES, "loan", qid)
    await store.record_question("b", QuestionRecord(question_id=qid, text="x", query="x",
                                                    outcome="fallback", entry_id=None, score=1))
    batch = store._take()
    await store._write(*batch)
    await store._write(*batch)
    stats = await store.stats(0)
    assert (stats.questions, stats.answered, stats.feedback_yes) == (1, 1, 1)  # ids are unique
    assert [e.record.kind for e in await store.events(0)] == [EventKind.PICK,
                                                              EventKind.FEEDBACK_YES]


async def test_records_read_back_through_the_interface(store: Store) -> None:
    qid = await ask(store, "a", "借款多久", "answer", "loan", score=77.0)
    await store.record_event("a", EventRecord(kind=EventKind.FLOW_STEP, question_id=qid,
                                              flow_id="startup-aid-check", node="registered"))
    [question] = await store.questions(0)
    assert (question.worker, question.record.question_id, question.record.entry_id,
            question.record.score, question.record.candidates) == ("a", qid, "loan", 77.0,
                                                                   ("loan",))
    assert question.time == pytest.approx(NOW)
    [step] = await store.events(0)
    assert step.record == EventRecord(kind=EventKind.FLOW_STEP, question_id=qid,
                                      flow_id="startup-aid-check", node="registered")


async def test_writes_are_buffered_briefly_and_flushed_on_close(store_location: Location
                                                                ) -> None:
    bot = open_store(store_location)
    reader = open_store(store_location, read_only=True)
    await ask(bot, "a", "借款", "answer", "loan")
    await asyncio.sleep(FLUSH_SECONDS + 0.5)  # written by the timer, without a flush
    assert (await reader.stats(0)).questions == 1
    await ask(bot, "a", "贴息", "answer", "subsidy")
    await bot.close()  # writes what is still buffered
    assert (await reader.stats(0)).questions == 2
    await reader.close()


async def test_read_only_reports_never_create_the_records(store_location: Location) -> None:
    with pytest.raises(StorageError, match="no records") as raised:
        open_store(store_location, read_only=True)
    assert "\n" not in str(raised.value)
    if not is_shared(store_location):
        assert not Path(store_location).exists() and not Path(store_location).parent.exists()
    for report in ("stats", "unanswered"):  # the command line says so in Chinese for a file
        line = one_line_error(unionbot(report, env=records_env(store_location)))
        assert "no records" in line or "没有找到记录数据库" in line
    if not is_shared(store_location):
        assert not Path(store_location).parent.exists()
    again = open_store(store_location)  # the bot creates them
    await again.close()
    reader = open_store(store_location, read_only=True)
    assert (await reader.stats(0)).questions == 0
    await reader.close()


async def test_staff_command_line(store_location: Location) -> None:
    store = open_store(store_location)
    await ask(store, "a", "借款多久", "answer", "interest-free-loan")
    await ask(store, "b", "今天天气怎么样", "fallback")
    await ask(store, "c", "今天的天气怎么样", "fallback")
    await store.close()
    out = unionbot("stats", "--days", "3", env=records_env(store_location))
    assert out.returncode == 0, out.stderr
    assert "3" in out.stdout and "33%" in out.stdout
    out = unionbot("unanswered", "--limit", "5", env=records_env(store_location))
    assert out.returncode == 0, out.stderr
    assert "今天天气怎么样" in out.stdout and "今天的天气怎么样" in out.stdout


def test_worker_hash_is_salted_and_stable() -> None:
    a = worker_hash(b"salt-1", 123456789)
    assert a == worker_hash(b"salt-1", 123456789) and len(a) == 16
    assert a != worker_hash(b"salt-2", 123456789)
    assert "123456789" not in a
    assert worker_hash(b"salt-1", None) == "-"


def test_salt_from_the_configuration_or_a_file_made_once(tmp_path: Path) -> None:
    db = tmp_path / "data" / "bot.sqlite3"
    assert load_salt(db, "from-env") == b"from-env"
    assert not (tmp_path / "data").exists()
    first = load_salt(db, None)
    assert db.with_name("bot.sqlite3.salt").exists() and len(first) >= 32
    assert load_salt(db, None) == first


def test_a_shared_store_requires_the_salt() -> None:
    url = "postgresql://unionbot@db.example:5432/unionbot"
    with pytest.raises(StorageError, match="UNIONBOT_SALT"):
        load_salt(url, None)
    assert load_salt(url, "replicas") == b"replicas"


def test_the_configuration_chooses_the_store(tmp_path: Path) -> None:
    from bot.config import ConfigError, load_config

    config_file = tmp_path / "config.yaml"
    config_file.write_text("storage:\n  db_path: records/bot.sqlite3\n", encoding="utf-8")
    default = load_config(config_file, env={})
    assert default.store_location == tmp_path / "records" / "bot.sqlite3"
    assert load_config(config_file, env={"UNIONBOT_DB": "/x/y.db"}).store_location == \
        Path("/x/y.db")
    url = "postgresql://unionbot:secret@127.0.0.1:5432/unionbot"
    chosen = load_config(config_file, env={"UNIONBOT_DB_URL": url, "UNIONBOT_DB": "/x/y.db",
                                           "UNIONBOT_SALT": "pepper"})
    assert chosen.store_location == url and is_shared(chosen.store_location)
    assert chosen.salt == "pepper" and "secret" not in repr(chosen) + str(chosen)
    config_file.write_text(f"storage:\n  url: {url}\n", encoding="utf-8")
    assert load_config(config_file, env={}).store_location == url
    config_file.write_text("storage:\n  url: mysql://x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="postgresql://"):
        load_config(config_file, env={})


async def test_the_later_press_wins_whichever_batch_is_written_first(store: Store) -> None:
    assert isinstance(store, SqlStore)
    qid = await ask(store, "a", "借款多久", "answer", "loan")
    await store.flush()
    await event(store, "a", EventKind.FEEDBACK_YES, "loan", qid, ago=10)
    earlier = store._take()
    await event(store, "a", EventKind.FEEDBACK_NO, "loan", qid, ago=5)
    later = store._take()
    await store._write(*later)
    await store._write(*earlier)  # e.g. two writes under way at once, finishing out of order
    stats = await store.stats(0)
    assert (stats.feedback_yes, stats.feedback_no) == (0, 1)
