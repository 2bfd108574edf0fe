"""The records staff need: every question and every button event, with the worker only as a hash.

`Store` is the interface the handlers and the staff commands use. `SqliteStore` is the default
implementation: one file, created on first run, WAL journal, one connection guarded by a lock and
driven from worker threads (`asyncio.to_thread`), so concurrent handlers never block the event
loop or each other's transactions.

A second implementation for several webhook replicas would be a `PostgresStore` with the same
four coroutines over an asyncpg pool: the same two tables (`questions`, `events`) with `time` as
`timestamptz` and an index on it, inserts straight from each replica (no shared process state is
needed: every record is self-contained), `stats` as the same aggregate queries, and `unanswered`
fetching the fallback rows and grouping them in Python exactly as here (`group_similar`). The
worker hash must use the same salt on every replica, so such a deployment sets UNIONBOT_SALT.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz, process

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,          -- Unix seconds, UTC
    worker TEXT NOT NULL,        -- salted hash of the Telegram user id, never the id itself
    query TEXT NOT NULL,         -- the normalised question text
    outcome TEXT NOT NULL,       -- answer | clarify | fallback
    entry_id TEXT,
    score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_time ON questions (time);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    worker TEXT NOT NULL,
    kind TEXT NOT NULL,          -- e.g. feedback:yes, feedback:no, flow-start:<id>, none-of-these
    entry_id TEXT
);
CREATE INDEX IF NOT EXISTS events_time ON events (time);
"""
GROUP_SIMILARITY = 75.0  # rapidfuzz ratio at or above which two unanswered questions are one
MAX_UNANSWERED_ROWS = 5000  # the most recent fallback questions considered by `unanswered`
FLUSH_ROWS = 200  # records buffered before a write is started at once
FLUSH_SECONDS = 0.2  # longest a record waits for its write
log = logging.getLogger(__name__)


# ---- records and reports --------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    worker: str
    query: str
    outcome: str
    entry_id: str | None
    score: float
    time: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Event:
    worker: str
    kind: str
    entry_id: str | None = None
    time: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Stats:
    since: float
    questions: int = 0
    answered: int = 0
    clarified: int = 0
    fallback: int = 0
    workers: int = 0
    feedback_yes: int = 0
    feedback_no: int = 0
    top_entries: tuple[tuple[str, int], ...] = ()  # (entry id, times answered)

    def share(self, count: int) -> float:
        """`count` as a share of all questions, 0..1."""
        return count / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class UnansweredGroup:
    text: str  # the most frequent wording in the group
    count: int
    variants: tuple[str, ...] = ()  # other wordings, most frequent first
    last_seen: float = 0.0


class Store(Protocol):
    """What the bot records and what staff can ask of the records."""

    async def record_question(self, question: Question) -> None: ...

    async def record_event(self, event: Event) -> None: ...

    async def stats(self, since: float, top: int = 5) -> Stats: ...

    async def unanswered(self, since: float, limit: int = 10) -> list[UnansweredGroup]: ...

    async def close(self) -> None: ...


# ---- worker hashing -------------------------------------------------------------------------
def load_salt(db_path: Path, env: Mapping[str, str] | None = None) -> bytes:
    """UNIONBOT_SALT, else a random salt created once and kept beside the database."""
    env = os.environ if env is None else env
    if env.get("UNIONBOT_SALT"):
        return env["UNIONBOT_SALT"].encode()
    salt_file = db_path.with_name(db_path.name + ".salt")
    try:
        return salt_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    salt_file.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32).encode()
    try:  # exclusive create: two processes starting at once agree on one salt
        fd = os.open(salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return salt_file.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(salt)
    return salt


def worker_hash(salt: bytes, user_id: int | str | None) -> str:
    """A stable pseudonym for a Telegram user: HMAC-SHA256 with the salt, 16 hex digits."""
    if user_id is None:
        return "-"
    return hmac.new(salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


# ---- grouping -------------------------------------------------------------------------------
def group_similar(rows: Iterable[tuple[str, float]], limit: int,
                  similarity: float = GROUP_SIMILARITY) -> list[UnansweredGroup]:
    """Group (query, time) rows by wording similarity; biggest groups first."""
    counts: Counter[str] = Counter()
    last: dict[str, float] = {}
    for query, when in rows:
        counts[query] += 1
        last[query] = max(last.get(query, 0.0), when)
    heads: list[str] = []
    members: list[list[str]] = []
    for query, _ in counts.most_common():
        found = process.extractOne(query, heads, scorer=fuzz.ratio, score_cutoff=similarity)
        if found is None:
            heads.append(query)
            members.append([query])
        else:
            members[found[2]].append(query)
    groups = [UnansweredGroup(text=m[0], count=sum(counts[q] for q in m),
                              variants=tuple(m[1:4]), last_seen=max(last[q] for q in m))
              for m in members]
    groups.sort(key=lambda g: (-g.count, -g.last_seen))
    return groups[:limit]


# ---- SQLite ---------------------------------------------------------------------------------
class SqliteStore:
    """The default Store: one SQLite file in WAL mode, one connection behind a lock.

    Records are buffered and written in batches (one transaction, one worker-thread hop) at most
    FLUSH_SECONDS later or once FLUSH_ROWS are waiting: a busy bot does not pay a thread switch
    and a commit per message. Reports flush first, and `close` flushes what is left.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._questions: list[tuple] = []
        self._events: list[tuple] = []
        self._timer: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # synchronous core, run in a worker thread by the coroutines below
    def _execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _write(self, questions: list[tuple], events: list[tuple]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO questions (time, worker, query, outcome, entry_id, score)"
                    " VALUES (?, ?, ?, ?, ?, ?)", questions)
                self._db.executemany(
                    "INSERT INTO events (time, worker, kind, entry_id) VALUES (?, ?, ?, ?)",
                    events)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _stats(self, since: float, top: int) -> Stats:
        with self._lock:
            total, answered, clarified, fallback, workers = self._db.execute(
                "SELECT count(*), coalesce(sum(outcome = 'answer'), 0),"
                " coalesce(sum(outcome = 'clarify'), 0), coalesce(sum(outcome = 'fallback'), 0),"
                " count(DISTINCT worker) FROM questions WHERE time >= ?", (since,)).fetchone()
            yes, no = self._db.execute(
                "SELECT coalesce(sum(kind = 'feedback:yes'), 0),"
                " coalesce(sum(kind = 'feedback:no'), 0) FROM events WHERE time >= ?",
                (since,)).fetchone()
            entries = self._db.execute(
                "SELECT entry_id, count(*) AS n FROM questions WHERE time >= ? AND"
                " outcome = 'answer' AND entry_id IS NOT NULL GROUP BY entry_id"
                " ORDER BY n DESC, entry_id LIMIT ?", (since, top)).fetchall()
        return Stats(since, total, answered, clarified, fallback, workers, yes, no,
                     tuple((e, n) for e, n in entries))

    # ---- buffering --------------------------------------------------------------------------
    async def record_question(self, question: Question) -> None:
        q = question
        self._questions.append((q.time, q.worker, q.query, q.outcome, q.entry_id, q.score))
        self._schedule()

    async def record_event(self, event: Event) -> None:
        e = event
        self._events.append((e.time, e.worker, e.kind, e.entry_id))
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

    def _take(self) -> tuple[list[tuple], list[tuple]]:
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

    # ---- reports -----------------------------------------------------------------------------
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

    async def close(self) -> None:
        await self.flush()
        with self._lock:
            self._db.close()


def open_store(db_path: Path) -> SqliteStore:
    """The configured store (SQLite; the only implementation so far)."""
    return SqliteStore(db_path)
