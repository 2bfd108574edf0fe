"""`unionbot run` as a process: a token Telegram rejects (at start-up in either mode, or revoked
while polling) ends it with one line and status 1, and no secret ever reaches its output, not
even through an uncaught traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi
from fake_updates import text_update

ROOT = Path(__file__).resolve().parents[2]
UNIONBOT = Path(sys.executable).parent / "unionbot"
WEBHOOK_SECRET = "webhook-Secret_for-tests-1"
RUN_WAIT = 60.0  # a whole process start and stop on a busy machine


async def unionbot_run(api: FakeBotApi, workspace: Path, *, while_running: bool = False,
                       **env: str) -> tuple[int, str]:
    """Run `unionbot run` against the fake; returns its exit status and all its output."""
    values = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
                  UNIONBOT_CONFIG=str(workspace / "config.yaml"),
                  UNIONBOT_DB=str(workspace / "data" / "bot.sqlite3"), **env)
    process = await asyncio.create_subprocess_exec(
        str(UNIONBOT), "run", env=values, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    if while_running:  # revoke the token once the bot is polling
        async with asyncio.timeout(RUN_WAIT):
            while not api.long_polls:
                await asyncio.sleep(0.05)
        api.reject_token = True
        await api.push(text_update(7001, "/start"))  # ends the long poll in flight
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_WAIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


def assert_no_secret(output: str, api: FakeBotApi) -> None:
    secret_half = api.token.partition(":")[2]
    assert api.token not in output and secret_half not in output
    assert WEBHOOK_SECRET not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_rejected_token_is_one_line_and_status_1(
        api: FakeBotApi, workspace: Path, mode: str) -> None:
    config = workspace / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("mode: polling", f"mode: {mode}"),
                      encoding="utf-8")
    api.reject_token = True
    status, output = await unionbot_run(api, workspace, UNIONBOT_WEBHOOK_SECRET=WEBHOOK_SECRET)
    assert status == 1
    assert_no_secret(output, api)
    assert output.strip().splitlines()[-1].startswith("unionbot: Telegram rejected the bot token")


async def test_a_token_revoked_while_polling_stops_the_bot(api: FakeBotApi,
                                                           workspace: Path) -> None:
    status, output = await unionbot_run(api, workspace, while_running=True)
    assert status == 1
    assert_no_secret(output, api)
    assert output.strip().splitlines()[-1].startswith("unionbot: Telegram rejected the bot token")
    assert "ready" in output  # it did start before the token was revoked


UNCAUGHT = """
import asyncio, logging, threading, warnings
from handlers.logs import configure_logging
TOKEN = "{token}"
configure_logging(TOKEN, "{secret}")
print("printed", TOKEN, flush=True)
warnings.warn("warned " + TOKEN)
quiet = logging.getLogger("no.handlers")
quiet.propagate = False
quiet.error("last resort %s", TOKEN)
def in_a_thread():
    raise ValueError("thread " + TOKEN)
thread = threading.Thread(target=in_a_thread)
thread.start()
thread.join()
async def failing():
    raise RuntimeError("task " + TOKEN)
async def main():
    asyncio.get_running_loop().create_task(failing())
    await asyncio.sleep(0.05)
asyncio.run(main())
import gc; gc.collect()
raise SystemError("uncaught {secret} " + TOKEN)
"""


def test_uncaught_errors_never_print_a_secret() -> None:
    token = "987654:AAuncaught-Secret_token-xyz"
    script = UNCAUGHT.format(token=token, secret=WEBHOOK_SECRET)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=RUN_WAIT,
                          capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    for seen in ("printed", "warned", "last resort", "ValueError", "task", "uncaught",
                 "SystemError"):
        assert seen in output, (seen, output)
    assert token not in output and token.partition(":")[2] not in output
    assert WEBHOOK_SECRET not in output
    assert output.count("<token>") >= 7 and "<secret>" in output
