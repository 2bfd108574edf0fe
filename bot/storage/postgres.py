"""The shared store: PostgreSQL, for several replicas of the bot (webhook mode) at once.

Driver: psycopg 3 with its `psycopg_pool.ConnectionPool`, run in worker threads like the SQLite
store. Records reach the database in batches (sql.py), so a replica makes a few round trips a
second and async I/O would buy nothing; a synchronous pool can be opened (and the database
checked and migrated) before the event loop starts, is not tied to one loop, and lets both
backends share one code path. Opening it connects once, applies the migrations under an advisory
lock (postgres_schema.py), then opens the pool. A read-only store (the staff reports) runs every
transaction read-only and never creates tables. A connection that breaks mid-batch is retried
once: every row has a unique key, so a batch that did commit is not counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg import conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage.base import StorageError, check_schema_version
from bot.storage.postgres_schema import MIGRATIONS, migrate, schema_version
from bot.storage.sql import Cursor, SqlStore, Statements

POOL_SIZE = 4  # connections per process: batched writes rarely need more than two at once
CONNECT_SECONDS = 5  # how long opening a connection may take
POOL_WAIT_SECONDS = 10  # how long a write waits for a free (or re-opened) connection
READ_ONLY_STATE = "25006"  # SQLSTATE read_only_sql_transaction (e.g. a standby server)
log = logging.getLogger(__name__)
T = TypeVar("T")


class PostgresStore(SqlStore):
    """The shared Store (see bot/storage/base.py and sql.py)."""

    sql = Statements.with_placeholder("%s")

    def __init__(self, url: str, read_only: bool = False, pool_size: int = POOL_SIZE) -> None:
        super().__init__()
        parts = url_parts(url)
        self.where = describe_url(parts)
        self.read_only = read_only
        options: dict[str, Any] = {"application_name": "unionbot",
                                   "connect_timeout": CONNECT_SECONDS}
        if read_only:  # added to any options the URL sets
            options["options"] = f"{parts.get('options') or ''} " \
                                 f"-c default_transaction_read_only=on".strip()
        try:
            with psycopg.connect(url, autocommit=True, **options) as conn:
                self._prepare(conn)
            self._pool = ConnectionPool(url, kwargs=options, min_size=1, max_size=pool_size,
                                        timeout=POOL_WAIT_SECONDS, open=True,
                                        check=ConnectionPool.check_connection,
                                        name="unionbot")
        except psycopg.Error as exc:
            raise StorageError(describe(self.where, exc)) from exc

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        """Migrate (the bot) or check that the tables are there and current (a report)."""
        encoding = conn.info.parameter_status("server_encoding")
        if encoding != "UTF8":  # the workers' words are Chinese
            raise StorageError(f"PostgreSQL ({self.where}) stores text as {encoding}: the "
                               f"records need a UTF8 database (CREATE DATABASE … ENCODING "
                               f"'UTF8')")
        if not self.read_only:
            migrate(conn, self.where)
            return
        with conn.cursor() as cursor:
            check_schema_version(schema_version(cursor), len(MIGRATIONS), self.where)

    def _run(self, work: Callable[[Cursor], T]) -> T:
        for attempt in (1, 2):
            try:
                with self._pool.connection() as conn, conn.cursor() as cursor:
                    return work(cursor)
            except PoolTimeout as exc:
                raise StorageError(describe(self.where, exc)) from exc
            except psycopg.OperationalError as exc:
                if attempt == 2:
                    raise StorageError(describe(self.where, exc)) from exc
                log.warning("PostgreSQL at %s: %s; trying once more", self.where,
                            first_line(exc))
            except psycopg.Error as exc:
                raise StorageError(describe(self.where, exc)) from exc
        raise AssertionError("unreachable")

    def _close_database(self) -> None:
        self._pool.close()


def url_parts(url: str) -> dict[str, Any]:
    """The connection parameters a URL holds."""
    try:
        return conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        raise StorageError("storage.url / UNIONBOT_DB_URL is not a valid PostgreSQL URL "
                           "(postgresql://user@host:port/database)") from None


def describe_url(parts: dict[str, Any]) -> str:
    """Where a URL points, without its password: 'dbname on host:port'."""
    host = parts.get("host") or "localhost"
    return f"{parts.get('dbname') or parts.get('user') or 'postgres'} on {host}:" \
           f"{parts.get('port') or 5432}"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe(where: str, exc: psycopg.Error) -> str:
    """A psycopg error as one line that says what is wrong (never the password)."""
    if isinstance(exc, PoolTimeout):
        return f"PostgreSQL ({where}) gave no connection within {POOL_WAIT_SECONDS} s: is it " \
               f"down or overloaded?"
    if exc.sqlstate == READ_ONLY_STATE:
        return f"PostgreSQL ({where}) is read-only (a standby?): the bot must write its records"
    if isinstance(exc, psycopg.OperationalError) and exc.sqlstate is None:
        return f"cannot reach PostgreSQL ({where}): {first_line(exc)}"
    return f"PostgreSQL ({where}): {first_line(exc)}"
