"""The records: an interface (base.py), what the SQL backends share (sql.py), and the backends:
SQLite (one file, the default) and PostgreSQL (shared by several replicas). Importing this
package loads only the interface; a backend (and asyncio, sqlite3 or psycopg) loads when a
store is opened, so commands that never open one start without them."""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import (
    Location,
    Stats,
    StorageError,
    Store,
    StoredEvent,
    StoredQuestion,
    UnansweredGroup,
    group_similar,
    is_shared,
    load_salt,
)

__all__ = ["Location", "Stats", "StorageError", "Store", "StoredEvent",
           "StoredQuestion", "UnansweredGroup", "group_similar", "is_shared", "load_salt",
           "open_store"]


def open_store(location: Location, read_only: bool = False) -> Store:
    """The store at `location` (a SQLite file, or a postgresql:// URL), checked and brought up
    to date; `read_only` (reports) never creates or changes it. StorageError, in one line, when
    it cannot be used."""
    if is_shared(location):
        try:  # psycopg is loaded only when it is used, and installed only when it is wanted
            from bot.storage.postgres import PostgresStore
        except ImportError:
            raise StorageError("the records are in PostgreSQL, but its driver is not installed:"
                               " pip install 'unionbot[postgres]'") from None
        return PostgresStore(str(location), read_only=read_only)
    from bot.storage.sqlite import SqliteStore

    return SqliteStore(Path(location), read_only=read_only)
