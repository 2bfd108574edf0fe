"""Helpers for the storage tests: record questions and events, and run `unionbot` as staff
would, pointed at a store's location."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.records import EventKind, EventRecord, QuestionRecord, new_question_id
from bot.storage import Location, Store, is_shared

NOW = time.time()
ROOT = Path(__file__).resolve().parent.parent
STORAGE_ENV = ("TELEGRAM_BOT_TOKEN", "UNIONBOT_DB", "UNIONBOT_DB_URL", "UNIONBOT_SALT")


async def ask(store: Store, worker: str, query: str, outcome: str, entry: str | None = None,
              ago: float = 0, score: float = 50.0, qid: str | None = None) -> str:
    """Record a question; returns its id."""
    qid = qid or new_question_id()
    await store.record_question(worker, QuestionRecord(
        question_id=qid, text=query, query=query, outcome=outcome, entry_id=entry, score=score,
        candidates=(entry,) if entry else ()), NOW - ago)
    return qid


async def event(store: Store, worker: str, kind: EventKind, entry: str | None = None,
                qid: str | None = None, ago: float = 0) -> None:
    await store.record_event(worker, EventRecord(kind=kind, question_id=qid, entry_id=entry),
                             NOW - ago)


def records_env(location: Location) -> dict[str, str]:
    """The environment that points the bot and the command line at `location` (a shared
    store needs the salt every replica uses)."""
    if is_shared(location):
        return {"UNIONBOT_DB_URL": str(location), "UNIONBOT_SALT": "replicas-share-this-salt"}
    return {"UNIONBOT_DB": str(location)}


def unionbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`unionbot ARGS` in a new process, as staff would run it (no token unless `env` has
    one, and then a Bot API address where nothing listens)."""
    full = {k: v for k, v in os.environ.items() if k not in STORAGE_ENV}
    full["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:9/bot"
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], text=True,
                          capture_output=True, cwd=ROOT, env=full | env, timeout=120)


def one_line_error(out: subprocess.CompletedProcess[str], exit_code: int = 1) -> str:
    """The single line a failed command printed (asserting it is one line, no traceback)."""
    assert out.returncode == exit_code, (out.returncode, out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("unionbot: "), out.stderr
    return lines[0]
