"""The PostgreSQL store's own behaviour, on the session's real PostgreSQL 15: migrations under
the advisory lock when replicas start together, retries after a broken connection, read-only
reports, and clear one-line failures (unreachable, wrong encoding, newer schema, no salt)."""

from __future__ import annotations

import asyncio
import threading

import psycopg
import pytest
from postgres_server import PostgresServer, free_port
from storage_helpers import ask, one_line_error, unionbot

from bot.storage import StorageError, open_store
from bot.storage.postgres import PostgresStore
from bot.storage.postgres_schema import MIGRATIONS


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    return postgres.new_database()


def test_replicas_starting_together_migrate_once(url: str) -> None:
    opened: list[PostgresStore] = []
    failed: list[BaseException] = []
    start = threading.Barrier(6)

    def replica() -> None:
        start.wait()
        try:
            opened.append(PostgresStore(url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failed == [] and len(opened) == 6
    with psycopg.connect(url) as conn:
        versions = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert versions == [(n,) for n in range(1, len(MIGRATIONS) + 1)]
    for store in opened:
        asyncio.run(store.close())


async def test_a_broken_connection_is_retried_without_counting_twice(url: str) -> None:
    store = PostgresStore(url)
    await ask(store, "a", "借款", "answer", "loan")
    await store.flush()
    with psycopg.connect(url, autocommit=True) as admin:  # e.g. PostgreSQL restarted
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                      " application_name = 'unionbot' AND pid <> pg_backend_pid()")
    await ask(store, "b", "贴息", "answer", "subsidy")
    await store.flush()
    stats = await store.stats(0)
    assert (stats.questions, stats.workers) == (2, 2)
    await store.close()


async def test_a_read_only_store_cannot_write(url: str) -> None:
    PostgresStore(url)._close_database()  # the bot made the tables
    reader = PostgresStore(url, read_only=True)
    await ask(reader, "a", "借款", "answer", "loan")
    with pytest.raises(StorageError, match="read-only"):
        await reader.flush()
    assert (await reader.stats(0)).questions == 0
    await reader.close()


def test_an_unreachable_server_is_one_clear_line() -> None:
    url = f"postgresql://unionbot:hunter2@127.0.0.1:{free_port()}/records"
    with pytest.raises(StorageError, match="cannot reach PostgreSQL") as raised:
        open_store(url)
    message = str(raised.value)
    assert "\n" not in message and "hunter2" not in message
    assert "records on 127.0.0.1" in message
    for args, env in ((("stats",), {}), (("run",), {"UNIONBOT_SALT": "s",
                                                    "TELEGRAM_BOT_TOKEN": "1:x"})):
        line = one_line_error(unionbot(*args, env={"UNIONBOT_DB_URL": url} | env))
        assert "cannot reach PostgreSQL" in line and "hunter2" not in line


def test_the_bot_refuses_a_shared_store_without_the_salt(url: str) -> None:
    line = one_line_error(unionbot("run", env={"UNIONBOT_DB_URL": url,
                                               "TELEGRAM_BOT_TOKEN": "1:x"}))
    assert "UNIONBOT_SALT" in line
    assert "UNIONBOT_SALT" in one_line_error(unionbot("chat", "--record",
                                                      env={"UNIONBOT_DB_URL": url}))


def test_a_database_that_is_not_utf8_is_refused(postgres: PostgresServer) -> None:
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE latin TEMPLATE template0 ENCODING 'SQL_ASCII'")
    with pytest.raises(StorageError, match="UTF8"):
        open_store(postgres.url("latin"))


def test_a_newer_schema_is_refused(url: str) -> None:
    PostgresStore(url)._close_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (len(MIGRATIONS) + 1,))
    for read_only in (False, True):
        with pytest.raises(StorageError, match="newer than this program"):
            open_store(url, read_only=read_only)


async def test_a_report_keeps_the_options_of_the_url(url: str) -> None:
    PostgresStore(url)._close_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA elsewhere")
    PostgresStore(f"{url}?options=-csearch_path%3Delsewhere")._close_database()
    reader = PostgresStore(f"{url}?options=-csearch_path%3Delsewhere", read_only=True)
    assert (await reader.stats(0)).questions == 0
    with pytest.raises(StorageError, match="read-only"):
        await reader._write([], [(0.0, "w", "pick", None, None, None, None, "e1")])
    await reader.close()
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT table_schema FROM information_schema.tables"
                              " WHERE table_name = 'questions' ORDER BY 1").fetchall()
    assert tables == [("elsewhere",), ("public",)]
