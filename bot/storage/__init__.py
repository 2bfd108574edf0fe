"""The records: an interface (base.py) and its backends (SQLite by default)."""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import (
    Stats,
    StorageError,
    Store,
    StoredEvent,
    StoredQuestion,
    UnansweredGroup,
    group_similar,
    load_salt,
)
from bot.storage.sqlite import SqliteStore

__all__ = ["SqliteStore", "Stats", "StorageError", "Store", "StoredEvent", "StoredQuestion",
           "UnansweredGroup", "group_similar", "load_salt", "open_store"]


def open_store(db_path: Path) -> Store:
    """The configured store."""
    return SqliteStore(db_path)
