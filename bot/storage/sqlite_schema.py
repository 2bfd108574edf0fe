"""The SQLite schema, as numbered migrations applied in order at start (PRAGMA user_version).

Each migration runs in one transaction with the version bump, so a crash leaves the database at
the previous version, never half-way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from bot.storage.base import check_schema_version

V1 = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,          -- Unix seconds, UTC
    worker TEXT NOT NULL,        -- salted hash of the user id, never the id itself
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
    kind TEXT NOT NULL,
    entry_id TEXT
);
CREATE INDEX IF NOT EXISTS events_time ON events (time);
"""

V2 = """
ALTER TABLE questions ADD COLUMN question_id TEXT;
ALTER TABLE questions ADD COLUMN text TEXT NOT NULL DEFAULT '';   -- own words, numbers masked
ALTER TABLE questions ADD COLUMN candidates TEXT NOT NULL DEFAULT '';  -- entry ids shown
CREATE UNIQUE INDEX questions_question_id ON questions (question_id);
ALTER TABLE events ADD COLUMN question_id TEXT;
ALTER TABLE events ADD COLUMN flow_id TEXT;
ALTER TABLE events ADD COLUMN node TEXT;
CREATE INDEX events_question_id ON events (question_id);
-- one feedback per question and worker: a later press replaces the earlier one
CREATE UNIQUE INDEX events_feedback_once ON events (question_id, worker)
    WHERE kind IN ('feedback-yes', 'feedback-no');
"""

V3 = """
-- staff decisions on learning suggestions (key: a hash, never the worker's words)
CREATE TABLE review_decisions (
    key TEXT PRIMARY KEY,
    verdict TEXT NOT NULL,       -- accept | reject
    time REAL NOT NULL
);
"""

V4 = """
-- a key per event, so a batch written twice counts once
ALTER TABLE events ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX events_event_id ON events (event_id);
"""


def _v2_event_kinds(db: sqlite3.Connection) -> None:
    """Release 1 wrote 'feedback:yes' and 'flow-step:<flow>:<node>'; split them into columns."""
    rows = db.execute("SELECT id, kind FROM events WHERE kind LIKE '%:%'").fetchall()
    for row_id, kind in rows:
        head, _, rest = kind.partition(":")
        if head == "feedback":
            db.execute("UPDATE events SET kind = ? WHERE id = ?", (f"feedback-{rest}", row_id))
            continue
        flow_id, _, node = rest.partition(":")
        db.execute("UPDATE events SET kind = ?, flow_id = ?, node = ? WHERE id = ?",
                   (head, flow_id or None, node or None, row_id))


Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def run(db: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                db.execute(statement)
    return run


def _v2(db: sqlite3.Connection) -> None:
    _script(V2)(db)
    _v2_event_kinds(db)


MIGRATIONS: list[Migration] = [_script(V1), _v2, _script(V3), _script(V4)]


def schema_version(db: sqlite3.Connection) -> int:
    """The migrations applied so far (0: a new, empty database)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, where: str) -> int:
    """Bring the schema up to date; returns the version reached."""
    version = schema_version(db)
    if version > len(MIGRATIONS):
        check_schema_version(version, len(MIGRATIONS), where)  # refuses
    for number, step in enumerate(MIGRATIONS[version:], version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(MIGRATIONS)
