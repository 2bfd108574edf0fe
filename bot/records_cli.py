"""What every staff command that reads the records shares: day counts, and opening the records
only if they exist (a report must never create an empty database). Reports open them read-only;
only a staff decision (`review --accept/--reject`) writes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.config import Config
from bot.storage import Store, is_shared, open_store

T = TypeVar("T")
NO_DATABASE = 1  # exit code: there are no records to report on


def has_records(config: Config) -> bool:
    """Whether the SQLite file exists; if not, say so (reports must not create an empty one).
    A PostgreSQL database is checked when it is opened (StorageError: it has no records yet)."""
    location = config.store_location
    if is_shared(location) or Path(location).exists():
        return True
    print(f"unionbot: 没有找到记录数据库 {location}。"
          f"机器人还没有记录过提问，或者数据库在别处：请在机器人所在的服务器上运行，"
          f"并用同样的 config.yaml（storage.db_path）或 UNIONBOT_DB。", file=sys.stderr)
    return False


def with_records(config: Config, read: Callable[[Store], Awaitable[T]],
                 write: bool = False) -> T:
    """Run `read` on the records (read-only unless `write`) and close them again."""
    async def run() -> T:
        store = open_store(config.store_location, read_only=not write)
        try:
            return await read(store)
        finally:
            await store.close()

    return asyncio.run(run())
