"""Fixtures for the end-to-end tests: a copy of the FAQ and config in tmp_path, the fake Bot API
on 127.0.0.1, and a running Application (real python-telegram-bot stack, polling the fake),
whose store the application builds from its configuration: every test runs once on a SQLite
file and once on a PostgreSQL database (`store_location`, tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import STAFF_ID, Harness
from fake_bot_api import FakeBotApi
from storage_helpers import records_env

from bot.config import Config, load_config
from bot.storage import Location
from handlers.app import build_application

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """config.yaml and the faq folder copied to tmp_path (tests may break them freely)."""
    shutil.copytree(ROOT / "faq", tmp_path / "faq",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = await FakeBotApi().start()
    yield server
    await server.stop()


@pytest.fixture
def make_config(workspace: Path, api: FakeBotApi,
                store_location: Location) -> Callable[..., Config]:
    """Configurations as the bot reads them; each test runs with SQLite and PostgreSQL."""
    def make(**env: str) -> Config:
        values = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
                  "UNIONBOT_ADMIN_IDS": str(STAFF_ID)} | records_env(store_location)
        values.update(env)
        return load_config(workspace / "config.yaml", env=values)

    return make


@pytest.fixture
async def start_bot(make_config: Callable[..., Config],
                    api: FakeBotApi) -> AsyncIterator[Callable[..., Any]]:
    started: list[Harness] = []

    async def start(config: Config | None = None, **kw: Any) -> Harness:
        harness = await Harness(build_application(config or make_config(), **kw), api).start()
        started.append(harness)
        return harness

    yield start
    for harness in reversed(started):
        await harness.stop()


@pytest.fixture
async def bot(start_bot: Callable[..., Any]) -> Harness:
    return await start_bot()
