"""Stopping under load: `unionbot run` as a process, polling the fake Bot API served here, gets
SIGTERM with hundreds of updates queued and sends stuck; it must exit within
`telegram.shutdown_seconds`, and a restart must answer the rest, none lost, none twice."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bot_api_calls import Fault
from fake_bot_api import FakeBotApi
from fake_updates import text_update

from bot.config import ConfigError, load_config
from handlers.ledger import handled_path

UPDATES = 600
GROUPS = 200  # each sends three questions; every answer quotes the message it answers
SHUTDOWN_SECONDS = 3.0  # the bound under test (8 by default; smaller keeps the test short)
UNIONBOT = Path(sys.executable).with_name("unionbot")


def queue_of_questions() -> list[dict[str, Any]]:
    questions = ("@unionbot_test_bot 工会无息借款能借多久", "@unionbot_test_bot 今天天气怎么样",
                 "@unionbot_test_bot 技能培训")
    return [text_update(7000 + i % GROUPS, questions[i // GROUPS], chat_id=-100 - i % GROUPS,
                        kind="supergroup") for i in range(UPDATES)]


def answers(api: FakeBotApi) -> Counter[int]:
    """Delivered replies per message answered (the message they quote)."""
    return Counter(c.params["reply_parameters"]["message_id"] for c in api.of("sendMessage"))


async def start(workspace: Path, api: FakeBotApi, log: Path) -> asyncio.subprocess.Process:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
               UNIONBOT_CONFIG=str(workspace / "config.yaml"), UNIONBOT_SALT="shutdown-test",
               UNIONBOT_DB=str(workspace / "data" / "bot.sqlite3"))
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(str(UNIONBOT), "run", env=env,
                                                    stdout=sink, stderr=sink)


async def stop(process: asyncio.subprocess.Process) -> float:
    """SIGTERM; the seconds until the process has exited."""
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    async with asyncio.timeout(30):
        await process.wait()
    return time.monotonic() - started


async def test_sigterm_under_load_exits_in_time_and_a_restart_answers_the_rest(
        api: FakeBotApi, workspace: Path) -> None:
    config = workspace / "config.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "shutdown_seconds: 8", f"shutdown_seconds: {SHUTDOWN_SECONDS:g}")
    config.write_text(text, encoding="utf-8")
    log = workspace / "bot.log"
    updates = queue_of_questions()
    for update in updates:
        await api.push(update)
    asked = [u["message"]["message_id"] for u in updates]

    first = await start(workspace, api, log)
    await api.wait_for(lambda _: len(api.of("sendMessage")) >= 60, 30)
    stuck = Fault(delay=60)  # carried out, answered late: the bot's sends hang
    api.inject("sendMessage", always=stuck)
    mark = len(api.calls)
    await api.wait_for(lambda calls: sum(c.method == "sendMessage" for c in calls[mark:]) >= 3)
    took = await stop(first)
    before = answers(api)
    assert took <= SHUTDOWN_SECONDS, log.read_text(encoding="utf-8")
    assert first.returncode == 0
    assert max(before.values()) == 1 and len(before) < UPDATES

    api.clear("sendMessage")
    second = await start(workspace, api, log)
    await api.wait_for(lambda _: len(answers(api)) >= UPDATES, 90)
    await stop(second)
    after = answers(api)
    assert sorted(after) == sorted(asked)  # none lost
    assert set(after.values()) == {1}, [m for m, n in after.items() if n > 1]  # none twice
    assert api.updates == []  # every update confirmed to Telegram
    assert not handled_path(workspace / "data" / "bot.sqlite3").exists()
    lines = log.read_text(encoding="utf-8")
    stops = re.findall(r"(\d+) update\(s\) not started and left to Telegram, (\d+) not", lines)
    assert int(stops[0][0]) > 0  # the first process left updates to Telegram
    assert [lost for _, lost in stops] == ["0", "0"]
    assert api.token not in lines


def test_the_bound_must_leave_room_to_confirm(workspace: Path) -> None:
    config = workspace / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert load_config(config, env={}).telegram.shutdown_seconds == 8
    config.write_text(text.replace("shutdown_seconds: 8", "shutdown_seconds: 1"),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="shutdown_seconds"):
        load_config(config, env={})
