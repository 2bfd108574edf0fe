"""The default store: one SQLite file in WAL mode, one connection behind a lock.

Records are buffered and written in batches (one transaction, one worker-thread hop) at most
FLUSH_SECONDS later or once FLUSH_ROWS are waiting: a busy bot does not pay a thread switch and
a commit per message. Reports flush first, and `close` flushes what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.records import (
    FEEDBACK_KINDS,
    EventKind,
    EventRecord,
    QuestionRecord,
    ReviewDecision,
    Verdict,
)
from bot.storage.base import (
    MAX_UNANSWERED_ROWS,
    Stats,
    StoredEvent,
    StoredQuestion,
    UnansweredGroup,
    group_similar,
    now,
)
from bot.storage.sqlite_schema import migrate

FLUSH_ROWS = 200  # records buffered before a write is started at once
FLUSH_SECONDS = 0.2  # longest a record waits for its write
log = logging.getLogger(__name__)
_KINDS = {kind.value for kind in EventKind}

INSERT_QUESTION = ("INSERT OR IGNORE INTO questions (time, worker, question_id, text, query,"
                   " outcome, entry_id, score, candidates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_EVENT = ("INSERT INTO events (time, worker, kind, question_id, entry_id, flow_id, node)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)")
UPSERT_FEEDBACK = (INSERT_EVENT + " ON CONFLICT (question_id, worker) WHERE kind IN"
                   " ('feedback-yes', 'feedback-no') DO UPDATE SET time = excluded.time,"
                   " kind = excluded.kind, entry_id = excluded.entry_id")


class SqliteStore:
    """The default Store (see bot/storage/base.py)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._questions: list[tuple[Any, ...]] = []
        self._events: list[tuple[Any, ...]] = []
        self._timer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            migrate(self._db)

    # synchronous core, run in a worker thread by the coroutines below
    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked, inside one transaction (rolled back on any error)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _write(self, questions: list[tuple[Any, ...]], events: list[tuple[Any, ...]]) -> None:
        with self._transaction() as db:
            db.executemany(INSERT_QUESTION, questions)
            for event in events:
                feedback = event[2] in FEEDBACK_KINDS and event[3]
                db.execute(UPSERT_FEEDBACK if feedback else INSERT_EVENT, event)

    def _stats(self, since: float, top: int) -> Stats:
        with self._lock:
            total, answered, clarified, fallback, workers = self._db.execute(
                "SELECT count(*), coalesce(sum(outcome = 'answer'), 0),"
                " coalesce(sum(outcome = 'clarify'), 0), coalesce(sum(outcome = 'fallback'), 0),"
                " count(DISTINCT worker) FROM questions WHERE time >= ?", (since,)).fetchone()
            yes, no = self._db.execute(
                "SELECT coalesce(sum(kind = ?), 0), coalesce(sum(kind = ?), 0)"
                " FROM events WHERE time >= ?",
                (EventKind.FEEDBACK_YES.value, EventKind.FEEDBACK_NO.value, since)).fetchone()
            entries = self._db.execute(
                "SELECT entry_id, count(*) AS n FROM questions WHERE time >= ? AND"
                " outcome = 'answer' AND entry_id IS NOT NULL GROUP BY entry_id"
                " ORDER BY n DESC, entry_id LIMIT ?", (since, top)).fetchall()
        return Stats(since, total, answered, clarified, fallback, workers, yes, no,
                     tuple((e, n) for e, n in entries))

    # ---- buffering --------------------------------------------------------------------------
    async def record_question(self, worker: str, record: QuestionRecord,
                              when: float | None = None) -> None:
        r = record
        self._questions.append((now(when), worker, r.question_id, r.text, r.query, r.outcome,
                                r.entry_id, r.score, " ".join(r.candidates)))
        self._schedule()

    async def record_event(self, worker: str, record: EventRecord,
                           when: float | None = None) -> None:
        r = record
        self._events.append((now(when), worker, r.kind.value, r.question_id, r.entry_id,
                             r.flow_id, r.node))
        self._schedule()

    def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        task = None
        if len(self._questions) + len(self._events) >= FLUSH_ROWS:
            task = loop.create_task(self._flush_now())
        elif self._timer is None:
            task = self._timer = loop.create_task(self._flush_soon())
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _flush_soon(self) -> None:
        try:
            await asyncio.sleep(FLUSH_SECONDS)
        finally:
            self._timer = None
        await self._flush_now()

    def _take(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Hand over the buffered records and start new buffers."""
        taken = self._questions, self._events
        self._questions, self._events = [], []
        return taken

    async def _flush_now(self) -> None:
        """A background write of what is buffered (without waiting for other writes)."""
        questions, events = self._take()
        try:
            if questions or events:
                await asyncio.to_thread(self._write, questions, events)
        except Exception:  # noqa: BLE001 - a background write; nobody else would see it
            log.exception("could not write %d records", len(questions) + len(events))

    async def flush(self) -> None:
        """Write the buffered records now, and wait for writes already under way."""
        questions, events = self._take()
        if questions or events:
            await asyncio.to_thread(self._write, questions, events)
        running = [t for t in self._tasks if t is not asyncio.current_task()]
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    # ---- reading ----------------------------------------------------------------------------
    async def questions(self, since: float) -> list[StoredQuestion]:
        await self.flush()
        rows = await asyncio.to_thread(
            self._execute, "SELECT time, worker, question_id, text, query, outcome, entry_id,"
            " score, candidates FROM questions WHERE time >= ? ORDER BY time, id", (since,))
        return [StoredQuestion(t, w, QuestionRecord(
            question_id=qid or "", text=text, query=query, outcome=outcome, entry_id=entry,
            score=score, candidates=tuple(candidates.split())))
            for t, w, qid, text, query, outcome, entry, score, candidates in rows]

    async def events(self, since: float) -> list[StoredEvent]:
        await self.flush()
        rows = await asyncio.to_thread(
            self._execute, "SELECT time, worker, kind, question_id, entry_id, flow_id, node"
            " FROM events WHERE time >= ? ORDER BY time, id", (since,))
        return [StoredEvent(t, w, EventRecord(kind=EventKind(kind), question_id=qid,
                                              entry_id=entry, flow_id=flow, node=node))
                for t, w, kind, qid, entry, flow, node in rows if kind in _KINDS]

    async def stats(self, since: float, top: int = 5) -> Stats:
        await self.flush()
        return await asyncio.to_thread(self._stats, since, top)

    async def unanswered(self, since: float, limit: int = 10) -> list[UnansweredGroup]:
        await self.flush()
        rows = await asyncio.to_thread(
            self._execute,
            "SELECT query, time FROM questions WHERE time >= ? AND outcome = 'fallback'"
            " ORDER BY time DESC LIMIT ?", (since, MAX_UNANSWERED_ROWS))
        return group_similar(((q, t) for q, t in rows), limit)

    async def purge(self, before: float) -> int:
        await self.flush()
        return await asyncio.to_thread(self._purge, before)

    def _purge(self, before: float) -> int:
        with self._transaction() as db:
            return sum(db.execute(f"DELETE FROM {table} WHERE time < ?", (before,)).rowcount
                       for table in ("questions", "events"))

    async def record_decisions(self, decisions: list[ReviewDecision]) -> None:
        rows = [(d.key, d.verdict.value, now(d.time or None)) for d in decisions]
        await asyncio.to_thread(self._write_decisions, rows)

    def _write_decisions(self, rows: list[tuple[Any, ...]]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO review_decisions (key, verdict, time) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET verdict = excluded.verdict,"
                " time = excluded.time", rows)

    async def decisions(self) -> list[ReviewDecision]:
        rows = await asyncio.to_thread(
            self._execute, "SELECT key, verdict, time FROM review_decisions ORDER BY time")
        return [ReviewDecision(key=k, verdict=Verdict(v), time=t) for k, v, t in rows]

    async def close(self) -> None:
        await self.flush()
        with self._lock:
            self._db.close()
