"""Delivery benchmark: what reaches workers when Telegram misbehaves, and how fast the bot stops
under load. Everything goes through the real python-telegram-bot stack and the fake Bot API on
127.0.0.1 (tests/e2e/fake_bot_api.py).

    python benchmarks/delivery.py [-n 20] [--updates 600] [--part faults|shutdown]

faults: for each fault, n workers ask one question at once and every answer's sendMessage meets
the fault; then the fault is lifted and each worker sends /help. Prints, per fault, answers
delivered once / twice / lost, apologies, delivery-failed records and ask-again notices.

shutdown: `unionbot run` as a process with --updates questions queued (groups of three from one
chat, each answer quoting its question) gets SIGTERM after 100 answers, (a) as it is and (b) with
every send stuck; prints the seconds to exit, then restarts it and counts answers lost and
answered twice. The bound is telegram.shutdown_seconds of the shipped config.yaml.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from bot_api_calls import BAD_GATEWAY, FLOOD, MALFORMED, SERVER_ERROR, Fault  # noqa: E402
from e2e_harness import Harness  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402
from fake_updates import text_update  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.records import EventKind  # noqa: E402
from faq.messages import MessageKey  # noqa: E402
from handlers.app import build_application  # noqa: E402

QUESTION = "工会无息借款能借多久"
LATE = Fault(delay=6.0)  # carried out; answered after python-telegram-bot's 5 s read timeout
FAULTS: dict[str, Callable[[FakeBotApi, int], None]] = {
    "none": lambda api, n: None,
    "500 once": lambda api, n: api.inject("sendMessage", *[SERVER_ERROR] * n),
    "502 once": lambda api, n: api.inject("sendMessage", *[BAD_GATEWAY] * n),
    "malformed once": lambda api, n: api.inject("sendMessage", *[MALFORMED] * n),
    "500 four times": lambda api, n: api.inject("sendMessage", *[SERVER_ERROR] * (4 * n)),
    "429 always": lambda api, n: api.inject("sendMessage", always=FLOOD),
    "answer late": lambda api, n: api.inject("sendMessage", *[LATE] * n),
}


async def quiet(api: FakeBotApi, seconds: float = 1.5, limit: float = 60.0) -> None:
    """Until no call has come for `seconds` (or `limit` passed)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        count = len(api.calls)
        await asyncio.sleep(seconds)
        if len(api.calls) == count:
            return


async def one_fault(name: str, n: int, tmp: Path) -> list[int]:
    api = await FakeBotApi().start()
    config = load_config(ROOT / "config.yaml", env={
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
        "UNIONBOT_DB": str(tmp / f"{name}.sqlite3"), "UNIONBOT_SALT": "bench"})
    bot = await Harness(build_application(config), api).start()
    try:
        answer = html.escape(bot.dialogue.ask(QUESTION).text.strip(), quote=False)
        apology = bot.dialogue.msg(MessageKey.ERROR)
        notice = bot.dialogue.msg(MessageKey("ask_again")) if "ask_again" in set(
            MessageKey) else None
        workers = range(9000, 9000 + n)
        FAULTS[name](api, n)
        for worker in workers:
            await api.push(text_update(worker, QUESTION))
        await quiet(api)
        api.clear("sendMessage")
        for worker in workers:
            await api.push(text_update(worker, "/help"))
        await quiet(api)
        sent = [c for c in api.of("sendMessage") if c.chat_id in workers]
        answers = Counter(c.chat_id for c in sent if c.text == answer)
        failed = [e for e in await bot.store.events(0)
                  if e.record.kind.value == EventKind.DELIVERY_FAILED.value]
        return [sum(v == 1 for v in answers.values()), sum(v > 1 for v in answers.values()),
                n - len(answers), sum(c.text == apology for c in sent), len(failed),
                sum(c.text == notice for c in sent)]
    finally:
        await bot.stop()
        await api.stop()


async def faults(n: int) -> None:
    print(f"{'fault':16} {'once':>5} {'twice':>6} {'lost':>5} {'apology':>8} "
          f"{'recorded':>9} {'notices':>8}   ({n} workers, one question each)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in FAULTS:
            row = await one_fault(name, n, Path(tmp))
            print(f"{name:16} " + " ".join(f"{v:>{w}}" for v, w in zip(
                row, (5, 6, 5, 8, 9, 8), strict=True)))


# ---- shutdown under load -----------------------------------------------------------------------
async def bot_process(api: FakeBotApi, workdir: Path) -> asyncio.subprocess.Process:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
               UNIONBOT_DB=str(workdir / "bot.sqlite3"), UNIONBOT_SALT="bench",
               UNIONBOT_CONFIG=str(ROOT / "config.yaml"), PYTHONPATH=str(ROOT))
    with (workdir / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run",
            env=env, stdout=log, stderr=log, cwd=workdir)


async def shutdown_once(updates: int, stuck: bool, workdir: Path) -> dict[str, Any]:
    api = await FakeBotApi().start()
    groups = max(1, updates // 3)
    asked = []
    for i in range(updates):
        update = text_update(7000 + i % groups, f"@unionbot_test_bot {QUESTION}",
                             chat_id=-100 - i % groups, kind="supergroup")
        asked.append(update["message"]["message_id"])
        await api.push(update)

    def answers() -> Counter[int]:
        return Counter(c.params["reply_parameters"]["message_id"]
                       for c in api.of("sendMessage") if c.params.get("reply_parameters"))

    first = await bot_process(api, workdir)
    await api.wait_for(lambda _: len(answers()) >= 100, 60)
    if stuck:
        api.inject("sendMessage", always=Fault(delay=120))
        await asyncio.sleep(0.5)
    before = len(answers())
    first.send_signal(signal.SIGTERM)
    started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(120):
            await first.wait()
    took = time.monotonic() - started
    if first.returncode is None:
        first.kill()
    api.clear("sendMessage")
    second = await bot_process(api, workdir)
    with contextlib.suppress(TimeoutError):
        await api.wait_for(lambda _: len(answers()) >= updates, updates / 10 + 30)
    await asyncio.sleep(2.0)  # anything answered twice comes in now
    second.send_signal(signal.SIGTERM)
    await second.wait()
    await api.stop()
    after = answers()
    return {"took": took, "before": before, "lost": len(set(asked) - set(after)),
            "twice": sum(n > 1 for n in after.values())}


async def shutdown(updates: int) -> None:
    bound = load_config(ROOT / "config.yaml", env={}).telegram.shutdown_seconds
    print(f"SIGTERM after 100 answers, {updates} questions queued (bound {bound:g} s):")
    for stuck in (False, True):
        workdir = Path(tempfile.mkdtemp())
        try:
            r = await shutdown_once(updates, stuck, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"  {'every send stuck' if stuck else 'as it is':17} exit after {r['took']:.1f} s "
              f"({r['before']} answered before); after a restart: {r['lost']} lost, "
              f"{r['twice']} answered twice")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="workers per fault (default 20)")
    parser.add_argument("--updates", type=int, default=600, help="queued at SIGTERM")
    parser.add_argument("--part", choices=("faults", "shutdown"), help="only this part")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    if args.part in (None, "faults"):
        asyncio.run(faults(args.n))
    if args.part in (None, "shutdown"):
        asyncio.run(shutdown(args.updates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
