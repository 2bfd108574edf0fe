"""Storage that fails while the bot runs (both stores): the failure is logged in one line, and
the worker still gets the answer."""

from __future__ import annotations

import asyncio
import html
import logging
import sqlite3

import psycopg
import pytest
from e2e_harness import Harness, pick

from bot.replies import ReplyKind
from bot.storage import Location, is_shared
from bot.storage.sql import FLUSH_SECONDS

WORKER = 4101


def drop_the_questions(location: Location) -> None:
    """Break the records under the running bot, as a careless admin or a damaged disk might."""
    if is_shared(location):
        with psycopg.connect(str(location), autocommit=True) as conn:
            conn.execute("DROP TABLE questions")
    else:
        with sqlite3.connect(location) as conn:
            conn.execute("DROP TABLE questions")


async def test_a_storage_failure_costs_no_answer(bot: Harness, store_location: Location,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    question = pick(bot.dialogue, ReplyKind.ANSWER, ("工会无息借款能借多久", "借款"))
    drop_the_questions(store_location)
    with caplog.at_level(logging.ERROR):
        reply = await bot.say(WORKER, question)
        await asyncio.sleep(FLUSH_SECONDS + 0.5)  # the background write has failed by now
    assert reply.text == html.escape(bot.dialogue.ask(question).text.strip(), quote=False)
    failures = [r for r in caplog.records if "could not write 1 records" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is None  # one line, no traceback
    assert "questions" in failures[0].getMessage()  # says what is wrong
    after = await bot.say(WORKER, "/start")  # the bot carries on
    assert after.payloads()
