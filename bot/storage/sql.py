"""What the SQL backends share: the statements (valid in SQLite and PostgreSQL alike), the write
buffer and the report queries. A backend supplies `_run`: one transaction on its database, in a
worker thread, with its errors turned into a one-line StorageError.

Records are buffered and written in batches (one transaction, one worker-thread hop) at most
FLUSH_SECONDS later or once FLUSH_ROWS are waiting: a busy bot does not pay a thread switch and
a commit per message. Reports flush first, and `close` flushes what is left. Every row carries a
unique key (the question id; an event id made when the event is recorded), so a batch written
twice, e.g. retried after a connection broke during its commit, counts once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

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
    StorageError,
    StoredEvent,
    StoredQuestion,
    UnansweredGroup,
    group_similar,
    now,
)

FLUSH_ROWS = 200  # records buffered before a write is started at once
FLUSH_SECONDS = 0.2  # longest a record waits for its write
log = logging.getLogger(__name__)
T = TypeVar("T")
Row = tuple[Any, ...]
_KINDS = {kind.value for kind in EventKind}
_FEEDBACK = {kind.value for kind in FEEDBACK_KINDS}

EVENT_COLUMNS = "time, worker, kind, question_id, entry_id, flow_id, node, event_id"
QUESTION_COLUMNS = "time, worker, question_id, text, query, outcome, entry_id, score, candidates"


@dataclass(frozen=True)
class Statements:
    """Every statement the SQL stores run, in one placeholder style."""

    insert_question: str
    insert_event: str
    upsert_feedback: str
    questions: str
    events: str
    count_questions: str
    count_feedback: str
    top_entries: str
    unanswered: str
    purge: tuple[str, ...]
    upsert_decision: str
    decisions: str

    @classmethod
    def with_placeholder(cls, mark: str) -> Statements:
        """The statements with `mark` ("?" for sqlite3, "%s" for psycopg) for each value."""
        def values(n: int) -> str:
            return ", ".join([mark] * n)

        insert_event = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES ({values(8)})"
        return cls(
            insert_question=f"INSERT INTO questions ({QUESTION_COLUMNS}) VALUES ({values(9)})"
                            " ON CONFLICT (question_id) DO NOTHING",
            insert_event=insert_event + " ON CONFLICT (event_id) DO NOTHING",
            # one feedback per question and worker: a later press replaces an earlier one,
            # whichever batch reaches the database first
            upsert_feedback=insert_event + " ON CONFLICT (question_id, worker) WHERE kind IN"
                            " ('feedback-yes', 'feedback-no') DO UPDATE SET time = excluded.time,"
                            " kind = excluded.kind, entry_id = excluded.entry_id,"
                            " event_id = excluded.event_id WHERE excluded.time >= events.time",
            questions=f"SELECT {QUESTION_COLUMNS} FROM questions WHERE time >= {mark}"
                      " ORDER BY time, id",
            events=f"SELECT {EVENT_COLUMNS} FROM events WHERE time >= {mark} ORDER BY time, id",
            count_questions="SELECT count(*), count(*) FILTER (WHERE outcome = 'answer'),"
                            " count(*) FILTER (WHERE outcome = 'clarify'),"
                            " count(*) FILTER (WHERE outcome = 'fallback'),"
                            f" count(DISTINCT worker) FROM questions WHERE time >= {mark}",
            count_feedback="SELECT count(*) FILTER (WHERE kind = 'feedback-yes'),"
                           " count(*) FILTER (WHERE kind = 'feedback-no')"
                           f" FROM events WHERE time >= {mark}",
            top_entries=f"SELECT entry_id, count(*) AS n FROM questions WHERE time >= {mark} AND"
                        " outcome = 'answer' AND entry_id IS NOT NULL GROUP BY entry_id"
                        f" ORDER BY n DESC, entry_id LIMIT {mark}",
            unanswered=f"SELECT query, time FROM questions WHERE time >= {mark} AND"
                       f" outcome = 'fallback' ORDER BY time DESC LIMIT {mark}",
            # review decisions stay: they hold no worker's words
            purge=tuple(f"DELETE FROM {table} WHERE time < {mark}"
                        for table in ("questions", "events")),
            upsert_decision=f"INSERT INTO review_decisions (key, verdict, time) VALUES"
                            f" ({values(3)}) ON CONFLICT (key) DO UPDATE SET"
                            " verdict = excluded.verdict, time = excluded.time",
            decisions="SELECT key, verdict, time FROM review_decisions ORDER BY time, key")


def _is_feedback(event: Row) -> bool:
    """A feedback press on a known question (counted once per question and worker)."""
    return event[2] in _FEEDBACK and bool(event[3])


def new_event_id() -> str:
    """The key that makes an event's write idempotent (64 random bits)."""
    return secrets.token_hex(8)


class Cursor(Protocol):
    """The part of a DB-API cursor the stores use (sqlite3's and psycopg's alike)."""

    def execute(self, sql: str, params: Sequence[Any], /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...


class SqlStore:
    """A Store (bot/storage/base.py) over a SQL database; subclasses connect."""

    sql: Statements

    def __init__(self) -> None:
        self._questions: list[Row] = []
        self._events: list[Row] = []
        self._timer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- the backend ------------------------------------------------------------------------
    def _run(self, work: Callable[[Cursor], T]) -> T:
        """Run `work` in one transaction (blocking; StorageError on failure)."""
        raise NotImplementedError

    def _close_database(self) -> None:
        raise NotImplementedError

    async def _in_thread(self, work: Callable[[Cursor], T]) -> T:
        return await asyncio.to_thread(self._run, work)

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
                             r.flow_id, r.node, new_event_id()))
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

    def _take(self) -> tuple[list[Row], list[Row]]:
        """Hand over the buffered records and start new buffers."""
        taken = self._questions, self._events
        self._questions, self._events = [], []
        return taken

    async def _flush_now(self) -> None:
        """A background write of what is buffered (without waiting for other writes)."""
        questions, events = self._take()
        try:
            await self._write(questions, events)
        except StorageError as exc:  # a background write: nobody else would see it
            log.error("could not write %d records: %s", len(questions) + len(events), exc)
        except Exception:  # noqa: BLE001 - as above, with the traceback of the unexpected
            log.exception("could not write %d records", len(questions) + len(events))

    async def _write(self, questions: list[Row], events: list[Row]) -> None:
        if not questions and not events:
            return
        feedback = [e for e in events if _is_feedback(e)]
        plain = [e for e in events if not _is_feedback(e)]

        def write(cur: Cursor) -> None:
            cur.executemany(self.sql.insert_question, questions)
            cur.executemany(self.sql.insert_event, plain)
            cur.executemany(self.sql.upsert_feedback, feedback)

        await self._in_thread(write)

    async def flush(self) -> None:
        """Write the buffered records now, and wait for writes already under way."""
        await self._write(*self._take())
        running = [t for t in self._tasks if t is not asyncio.current_task()]
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    async def close(self) -> None:
        """Write what is buffered, then close the database (even when the write fails)."""
        try:
            await self.flush()
        finally:
            await asyncio.to_thread(self._close_database)

    # ---- reading ----------------------------------------------------------------------------
    async def _fetch(self, sql: str, *params: Any) -> list[Any]:
        await self.flush()

        def fetch(cur: Cursor) -> list[Any]:
            cur.execute(sql, params)
            return cur.fetchall()

        return await self._in_thread(fetch)

    async def questions(self, since: float) -> list[StoredQuestion]:
        rows = await self._fetch(self.sql.questions, since)
        return [StoredQuestion(t, w, QuestionRecord(
            question_id=qid or "", text=text, query=query, outcome=outcome, entry_id=entry,
            score=score, candidates=tuple(candidates.split())))
            for t, w, qid, text, query, outcome, entry, score, candidates in rows]

    async def events(self, since: float) -> list[StoredEvent]:
        rows = await self._fetch(self.sql.events, since)
        return [StoredEvent(t, w, EventRecord(kind=EventKind(kind), question_id=qid,
                                              entry_id=entry, flow_id=flow, node=node))
                for t, w, kind, qid, entry, flow, node, _ in rows if kind in _KINDS]

    async def stats(self, since: float, top: int = 5) -> Stats:
        await self.flush()

        def count(cur: Cursor) -> Stats:
            cur.execute(self.sql.count_questions, (since,))
            total, answered, clarified, fallback, workers = cur.fetchone()
            cur.execute(self.sql.count_feedback, (since,))
            yes, no = cur.fetchone()
            cur.execute(self.sql.top_entries, (since, top))
            entries = tuple((e, n) for e, n in cur.fetchall())
            return Stats(since, total, answered, clarified, fallback, workers, yes, no, entries)

        return await self._in_thread(count)

    async def unanswered(self, since: float, limit: int = 10) -> list[UnansweredGroup]:
        rows = await self._fetch(self.sql.unanswered, since, MAX_UNANSWERED_ROWS)
        return group_similar(((q, t) for q, t in rows), limit)

    # ---- retention and staff decisions ------------------------------------------------------
    async def purge(self, before: float) -> int:
        await self.flush()

        def delete(cur: Cursor) -> int:
            gone = 0
            for statement in self.sql.purge:
                cur.execute(statement, (before,))
                gone += cur.rowcount
            return gone

        return await self._in_thread(delete)

    async def record_decisions(self, decisions: list[ReviewDecision]) -> None:
        rows = [(d.key, d.verdict.value, now(d.time or None)) for d in decisions]

        def write(cur: Cursor) -> None:
            cur.executemany(self.sql.upsert_decision, rows)

        await self._in_thread(write)

    async def decisions(self) -> list[ReviewDecision]:
        rows = await self._fetch(self.sql.decisions)
        return [ReviewDecision(key=k, verdict=Verdict(v), time=t) for k, v, t in rows]
