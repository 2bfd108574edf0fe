"""The default store: one SQLite file in WAL mode, one connection behind a lock.

Opening it checks it (PRAGMA quick_check) so a damaged file is reported at start, before records
are lost; creates it readable by its owner only (0600, and so its WAL/SHM siblings, which SQLite
gives the database's mode); and brings the schema up to date. A read-only store (the staff
reports) never creates, migrates or writes the file: it opens it with `mode=ro`, or as immutable
when no writer has it open and its folder is not writable. Every sqlite3 error becomes a
one-line StorageError.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.storage.base import (
    PRIVATE_FILE,
    StorageError,
    check_schema_version,
    make_private_folder,
)
from bot.storage.sql import Cursor, SqlStore, Statements
from bot.storage.sqlite_schema import MIGRATIONS, migrate, schema_version

BUSY_SECONDS = 5  # how long a write waits for another process's lock
log = logging.getLogger(__name__)
T = TypeVar("T")


class SqliteStore(SqlStore):
    """The default Store (see bot/storage/base.py and sql.py)."""

    sql = Statements.with_placeholder("?")

    def __init__(self, path: Path, read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._db = open_read_only(self.path) if read_only else open_read_write(self.path)

    def _run(self, work: Callable[[Cursor], T]) -> T:
        with self._lock:
            try:
                cursor = self._db.cursor()
                cursor.execute("BEGIN")
                try:
                    result = work(cursor)
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise StorageError(describe(self.path, exc)) from exc

    def _close_database(self) -> None:
        with self._lock:
            self._db.close()


def describe(path: Path, exc: sqlite3.Error) -> str:
    """A sqlite3 error as one line that says what to do."""
    code = getattr(exc, "sqlite_errorname", "")
    where = f"the records database {path}"
    if code.startswith("SQLITE_READONLY"):
        return f"{where} is read-only for this user: the bot must be able to write it and its " \
               f"folder"
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"{where} is damaged or is not a SQLite database ({exc}): restore it from a " \
               f"backup, or move it away to start an empty one"
    if code.startswith("SQLITE_CANTOPEN"):
        return f"cannot open {where}: it must be a file this user can read and write, in a " \
               f"folder it can write"
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"{where} is locked by another program (waited {BUSY_SECONDS} s)"
    if code.startswith("SQLITE_FULL"):
        return f"{where}: the disk is full"
    return f"{where}: {exc}"


def open_read_write(path: Path) -> sqlite3.Connection:
    """The bot's connection: the file created 0600 if missing, checked, in WAL mode, migrated."""
    try:
        make_private_folder(path.parent)
        _create_private(path)
    except OSError as exc:
        raise StorageError(f"cannot create the records database {path}: "
                           f"{exc.strerror or exc}") from exc
    db = _checked(path, lambda: sqlite3.connect(path, check_same_thread=False,
                                                isolation_level=None), write=True)
    _warn_if_shared(path)
    return db


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection for reports: never creates, migrates or writes the file."""
    if not path.is_file():
        raise StorageError(f"no records database at {path}: the bot creates it when it first "
                           f"runs (check UNIONBOT_DB / storage.db_path)")
    uri = path.resolve().as_uri()
    try:
        return _checked(path, lambda: sqlite3.connect(f"{uri}?mode=ro", uri=True,
                                                      check_same_thread=False,
                                                      isolation_level=None), write=False)
    except StorageError as exc:
        cause = exc.__cause__
        writer_open = Path(f"{path}-wal").exists()
        if writer_open or not isinstance(cause, sqlite3.OperationalError):
            raise
    # WAL mode needs a -shm file that cannot be created here, and no writer has the file open:
    # nothing can change it while the report reads, so read it as immutable.
    return _checked(path, lambda: sqlite3.connect(f"{uri}?immutable=1", uri=True,
                                                  check_same_thread=False,
                                                  isolation_level=None), write=False)


def _checked(path: Path, connect: Callable[[], sqlite3.Connection],
             write: bool) -> sqlite3.Connection:
    """Connect, check integrity and the schema (migrating it when writing)."""
    db = None
    try:
        db = connect()
        db.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise StorageError(f"the records database {path} is damaged ({problems[0]}): "
                               f"restore it from a backup, or move it away to start an empty one")
        if write:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _check_writable(db, migrate(db, str(path)))
        else:
            check_schema_version(schema_version(db) or None, len(MIGRATIONS), str(path))
        return db
    except (sqlite3.Error, StorageError) as exc:
        if db is not None:
            db.close()
        if isinstance(exc, StorageError):
            raise
        raise StorageError(describe(path, exc)) from exc


def _check_writable(db: sqlite3.Connection, version: int) -> None:
    """Fail now, not at the first record, when this user cannot write the file: a write that
    changes nothing, rolled back."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only, unless it exists."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def _warn_if_shared(path: Path) -> None:
    """An existing database readable by other users (e.g. made by an earlier release)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        log.warning("the records database %s can be read by other users (mode %o): "
                    "chmod 600 it", path, mode)
