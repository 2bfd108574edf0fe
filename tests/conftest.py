"""Shared fixtures: the shipped configuration, a small FAQ written into a temporary folder, and
where records go: every test that takes `store_location` runs once on a new SQLite file and once
on a new database of a PostgreSQL 15 server started for the session (a server that cannot be
started fails those tests; they are never skipped)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresServer, PostgresUnavailable

from bot.config import Config, load_config
from bot.dialogue import Dialogue
from bot.loading import open_dialogue
from bot.storage import Location

ROOT = Path(__file__).resolve().parent.parent
STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session", autouse=True)
def own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tables the code caches (faq/cache.py) go to the session's own folder, not the home of
    whoever runs the tests; subprocesses started by tests inherit it."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield Path(os.environ["XDG_CACHE_HOME"])
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL 15 server on 127.0.0.1 for the whole session."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        problem = str(exc)
    else:
        yield server
        server.stop()
        return
    pytest.fail(f"PostgreSQL could not be started, so the PostgreSQL store cannot be tested: "
                f"{problem}", pytrace=False)


@pytest.fixture(params=STORES)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """A new, empty place for records: a SQLite file (not yet created) or a PostgreSQL
    database (the server starts only when a test needs it)."""
    if request.param == "sqlite":
        return tmp_path / "deep" / "dir" / "bot.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    return load_config(ROOT / "config.yaml", env={})


@pytest.fixture(scope="session")
def shipped_dialogue(shipped_config: Config) -> Dialogue:
    return open_dialogue(shipped_config, key=b"test key")


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A copy of config.yaml and faq/ (the source report included) in tmp_path; returns the
    copied config path."""
    shutil.copytree(ROOT / "faq", tmp_path / "faq",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path / "config.yaml"
