"""The SQLite store's own behaviour: its file (WAL, 0600, created on first run), migrations from
the first release, and clear one-line failures for damaged, unopenable and read-only files."""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing as mp
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from storage_helpers import NOW, ask, event, one_line_error, unionbot

from bot.cli import main
from bot.dialogue import Dialogue
from bot.records import EventKind, worker_hash
from bot.storage import StorageError, load_salt, open_store
from bot.storage.sqlite import SqliteStore
from bot.storage.sqlite_schema import MIGRATIONS, V1

NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def fill(path: Path, questions: int = 3) -> None:
    store = SqliteStore(path)
    for i in range(questions):
        await ask(store, f"w{i % 5}", f"问题{i}" * 20, "fallback" if i % 3 else "answer",
                  None if i % 3 else "loan")
    await store.close()


async def test_created_on_first_run_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "bot.sqlite3"
    salt = load_salt(path, None)
    store = SqliteStore(path)
    await ask(store, "w", "问", "answer", "e1")
    await store.flush()
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    siblings = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), path.with_name(path.name +
                                                                               ".salt")]
    assert {p.name: mode(p) for p in siblings} == {p.name: 0o600 for p in siblings}
    assert mode(path.parent) == 0o700
    await store.close()
    again = SqliteStore(path)  # opening an existing database keeps its data
    assert (await again.stats(0)).questions == 1
    await again.close()
    assert load_salt(path, None) == salt


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
    with pytest.raises(StorageError, match="older than this program's"):
        open_store(path, read_only=True)  # a report does not upgrade it
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


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    await fill(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    for read_only in (False, True):
        with pytest.raises(StorageError, match="newer than this program"):
            open_store(path, read_only=read_only)


async def test_no_raw_identity_in_the_database(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = SqliteStore(db)
    worker = worker_hash(load_salt(db, None), 987654321)
    qid = await ask(store, worker, "借款", "answer", "loan")
    await event(store, worker, EventKind.FEEDBACK_YES, "loan", qid)
    await store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if p.suffix != ".salt")
    assert b"987654321" not in raw
    assert worker.encode() in raw


async def test_damaged_pages_are_reported_before_records_are_lost(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await fill(path, questions=400)
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as file:  # scribble over a page in the middle of the questions
        file.seek(page * 3)
        file.write(b"\x0d\xff" * (page // 2))
    for read_only in (False, True):
        with pytest.raises(StorageError, match="is damaged") as raised:
            open_store(path, read_only=read_only)
        assert "\n" not in str(raised.value)
    line = one_line_error(unionbot("run", env={"UNIONBOT_DB": str(path),
                                               "TELEGRAM_BOT_TOKEN": "1:x"}))
    assert str(path) in line and "damaged" in line
    assert "damaged" in one_line_error(unionbot("stats", env={"UNIONBOT_DB": str(path)}))


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 300])
def test_a_file_that_is_not_a_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(content)
    if not content:  # an empty file is a new database to the bot, no records to a report
        SqliteStore(path)
        with pytest.raises(StorageError, match="no records"):
            SqliteStore(tmp_path / "other.sqlite3", read_only=True)
        return
    with pytest.raises(StorageError, match="not a SQLite database"):
        open_store(path)
    line = one_line_error(unionbot("run", env={"UNIONBOT_DB": str(path),
                                               "TELEGRAM_BOT_TOKEN": "1:x"}))
    assert "not a SQLite database" in line


def test_a_database_that_cannot_be_opened(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    with pytest.raises(StorageError, match="cannot open"):
        open_store(folder)
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    with pytest.raises(StorageError, match="cannot create"):
        open_store(blocked / "bot.sqlite3")
    line = one_line_error(unionbot("chat", "--record", env={"UNIONBOT_DB": str(folder)}))
    assert "cannot open" in line


# ---- a database this user may read but not write ----------------------------------------------
@contextlib.contextmanager
def readable_only() -> Iterator[Path]:
    """A folder whose database another user could read but not write (or change): as root the
    reader runs as `nobody`; otherwise the files lose their write permission."""
    folder = Path(tempfile.mkdtemp(prefix="unionbot-ro-"))
    try:
        yield folder
    finally:
        folder.chmod(0o700)
        shutil.rmtree(folder)


def lock_down(folder: Path) -> None:
    """Leave `folder` and its files readable by everyone and writable by none but root."""
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)


def as_reader(function: Callable[[], Any]) -> Any:
    """Run `function` in a child process as a user who cannot write the locked-down files."""
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            if os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            send.send(("ok", function()))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            send.send(("error", exc))

    process = context.Process(target=child)
    process.start()
    outcome, value = receive.recv()
    process.join(30)
    if outcome == "error":
        raise value
    return value


def cli(*args: str) -> tuple[int, str, str]:
    """`unionbot ARGS` in this process, its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def report(path: Path) -> int:
    """The question count a read-only store reports."""
    async def count() -> int:
        store = SqliteStore(path, read_only=True)
        try:
            return (await store.stats(0)).questions
        finally:
            await store.close()

    return asyncio.run(count())


# `shipped_dialogue` loads (and caches) what the reports need before the reader, which may not
# read this Python's installation, is forked
def test_reports_read_a_database_they_cannot_write(shipped_dialogue: Dialogue) -> None:
    with readable_only() as folder:
        path = folder / "bot.sqlite3"
        asyncio.run(fill(path, questions=30))
        assert not Path(f"{path}-wal").exists()  # the bot has stopped
        lock_down(folder)
        os.environ["UNIONBOT_DB"] = str(path)
        try:
            code, out, err = as_reader(lambda: cli("stats"))
            assert (code, err) == (0, "") and "30" in out
            assert as_reader(lambda: cli("unanswered"))[0] == 0

            def bot() -> str:
                with pytest.raises(StorageError) as raised:
                    SqliteStore(path)
                return str(raised.value)

            assert "read-only for this user" in as_reader(bot)
        finally:
            del os.environ["UNIONBOT_DB"]
        assert [p.name for p in folder.iterdir()] == ["bot.sqlite3"]  # nothing created


def test_reports_read_beside_a_running_bot_they_cannot_write(shipped_dialogue: Dialogue
                                                              ) -> None:
    with readable_only() as folder:
        path = folder / "bot.sqlite3"
        asyncio.run(fill(path, questions=10))
        writer = SqliteStore(path)  # the bot, running: its -wal and -shm exist

        async def one_more() -> None:
            await ask(writer, "w", "刚刚问的", "fallback")
            await writer.flush()

        asyncio.run(one_more())
        lock_down(folder)
        assert as_reader(lambda: report(path)) == 11
        folder.chmod(0o700)
        for file in folder.iterdir():
            file.chmod(0o600)
        asyncio.run(writer.close())
