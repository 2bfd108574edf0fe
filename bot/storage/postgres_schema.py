"""The PostgreSQL schema, as numbered migrations applied in order at start (table
schema_version: one row per migration applied).

All pending migrations run in one transaction that first takes an advisory lock, so replicas
starting together apply them once: the others wait for the lock, then find nothing left to do.
PostgreSQL's DDL is transactional, so a failure leaves the previous version whole. The tables
mean what SQLite's do (bot/storage/sqlite_schema.py); times are Unix seconds in both.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import TupleRow

from bot.storage.base import check_schema_version

MIGRATION_LOCK = 0x756E696F6E626F74  # "unionbot": the advisory lock key for migrations

V1 = """
CREATE TABLE questions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time double precision NOT NULL,        -- Unix seconds, UTC
    worker text NOT NULL,                  -- salted hash of the user id, never the id itself
    question_id text UNIQUE,
    text text NOT NULL DEFAULT '',         -- own words, numbers masked
    query text NOT NULL,                   -- the normalised question text
    outcome text NOT NULL,                 -- answer | clarify | fallback
    entry_id text,
    score double precision NOT NULL,
    candidates text NOT NULL DEFAULT ''    -- entry ids shown
);
CREATE INDEX questions_time ON questions (time);
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time double precision NOT NULL,
    worker text NOT NULL,
    kind text NOT NULL,
    question_id text,
    entry_id text,
    flow_id text,
    node text,
    event_id text UNIQUE                   -- a batch written twice counts once
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_question_id ON events (question_id);
-- one feedback per question and worker: a later press replaces the earlier one
CREATE UNIQUE INDEX events_feedback_once ON events (question_id, worker)
    WHERE kind IN ('feedback-yes', 'feedback-no');
-- staff decisions on learning suggestions (key: a hash, never the worker's words)
CREATE TABLE review_decisions (
    key text PRIMARY KEY,
    verdict text NOT NULL,                 -- accept | reject
    time double precision NOT NULL
);
"""

MIGRATIONS: list[str] = [V1]


def schema_version(cursor: psycopg.Cursor[TupleRow]) -> int | None:
    """The migrations applied so far; None when the bot has never started on this database."""
    cursor.execute("SELECT to_regclass('schema_version') IS NOT NULL")
    row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    cursor.execute("SELECT coalesce(max(version), 0) FROM schema_version")
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection[TupleRow], where: str) -> int:
    """Bring the schema up to date under the migration lock; returns the version reached."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        cursor.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                       " applied timestamptz NOT NULL DEFAULT now())")
        version = schema_version(cursor) or 0
        if version > len(MIGRATIONS):
            check_schema_version(version, len(MIGRATIONS), where)  # refuses
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            cursor.execute(script)
            cursor.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
    return len(MIGRATIONS)
