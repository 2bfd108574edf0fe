"""Load benchmark: N updates through the real bot stack and the fake Bot API on 127.0.0.1.

The fake Bot API runs in a child process (as Telegram would be elsewhere), queues N updates for
getUpdates (typed questions from the dev set, off-topic ones, and button taps: menus, topics,
entries, feedback, flow steps) and timestamps when it hands each update out and when the bot's
reply (sendMessage or editMessageText) arrives. The bot runs here, polling, exactly as
`unionbot run` builds it, except that AIORateLimiter's throttle is off (Telegram's own cap of
about 30 messages/s is not what is measured; retries stay on).

    python benchmarks/load.py [-n 2000] [--concurrency 64] [--rate 200] [--tracemalloc]
    python benchmarks/load.py --replicas 1 2 [-n 2000]

Prints updates/s, p50/p99 latency (update handed out → reply received) and peak memory. With
all updates queued at once (the default) the latency is mostly time spent waiting in the queue;
`--rate` feeds them at a steady pace below the throughput to see the handling latency itself.
`--replicas` runs the same workload through webhook replicas sharing one PostgreSQL database
instead (load_replicas.py) and prints updates/s for each number of replicas side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing as mp
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402
from fake_updates import callback_update, text_update  # noqa: E402
from load_replicas import REPLIES, Count, compare  # noqa: E402
from load_replicas import SALT as SHARED_SALT  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.dialogue import Dialogue  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from bot.payload import Action, Payload  # noqa: E402
from bot.service import Service, payload_key  # noqa: E402
from bot.storage import open_store  # noqa: E402
from handlers.app import MAX_CONCURRENT_UPDATES, build_application  # noqa: E402

SALT = SHARED_SALT.encode()  # replicas sign and check the workload's buttons with it

WORKERS = 500  # distinct chats; each sends several updates, answered in order per chat


# ---- the workload ----------------------------------------------------------------------------
def workload(dialogue: Dialogue, n: int, seed: int = 4) -> list[dict[str, Any]]:
    """N updates: ~60% typed questions, ~40% button taps, from WORKERS workers."""
    rng = random.Random(seed)
    data = yaml.safe_load((ROOT / "tests" / "data" / "dev_set.yaml").read_text("utf-8"))
    questions = [item["q"] for item in data["in_scope"]] + list(data["off_topic"])
    entries = list(dialogue.knowledge.entries)
    topics = [t.id for t in dialogue.knowledge.content.topics]

    def encode(action: Action, target: str = "") -> str:
        return dialogue.codec.encode(Payload(action=action, target=target))

    def flow_taps(data: str) -> list[str]:
        return [b.payload for b in dialogue.press(data).flat_buttons()
                if (p := dialogue.codec.decode(b.payload)) and p.flow and p.flow.path]

    flows = [b.payload for row in dialogue.menu_buttons() for b in row
             if (p := dialogue.codec.decode(b.payload)) and p.action is Action.FLOW]
    answers = [dialogue.answer(dialogue.knowledge.entries[e], f"bench{i:07d}")
               for i, e in enumerate(entries[:10])]
    feedback = [b.payload for a in answers for b in a.flat_buttons()
                if (p := dialogue.codec.decode(b.payload))
                and p.action in (Action.FEEDBACK_YES, Action.FEEDBACK_NO)]
    taps = ([encode(Action.MENU), encode(Action.TOPICS), encode(Action.CONTACTS)]
            + [encode(Action.TOPICS, t) for t in topics]
            + [encode(Action.ENTRY, e) for e in entries] + feedback
            + flows + [step for start in flows for step in flow_taps(start)])
    updates = []
    for i in range(n):
        worker = 10_000 + rng.randrange(WORKERS)
        if rng.random() < 0.6:
            updates.append(text_update(worker, rng.choice(questions)))
        else:
            updates.append(callback_update(worker, rng.choice(taps), message_id=i + 1))
    return updates


# ---- the fake Bot API (child process) --------------------------------------------------------
def serve(conn: Any, updates: list[dict[str, Any]], rate: float) -> None:
    asyncio.run(_serve(conn, updates, rate))


async def _serve(conn: Any, updates: list[dict[str, Any]], rate: float) -> None:
    api = await FakeBotApi().start()
    conn.send((api.port, api.token))
    await asyncio.to_thread(conn.recv)  # "go": the bot is polling
    order: dict[int, list[int]] = defaultdict(list)  # chat → update ids, in order
    start = time.monotonic()
    for i, update in enumerate(updates):
        if rate:  # open loop at a fixed rate; otherwise everything at once
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        part = update.get("message") or update["callback_query"]
        chat_id = (part.get("chat") or part["message"]["chat"])["id"]
        order[chat_id].append(await api.push(update))
    n = len(updates)
    with contextlib.suppress(TimeoutError):
        await api.wait_for(lambda _: sum(api.counts[m] for m in REPLIES) >= n,
                           timeout=max(60.0, n / 20))
    replies: dict[int, list[float]] = defaultdict(list)
    for call in api.calls:
        if call.method in REPLIES and call.ok:
            replies[call.chat_id].append(call.time)
    latencies = []
    for chat_id, ids in order.items():
        for update_id, replied in zip(ids, replies[chat_id], strict=False):
            latencies.append(replied - api.handed_out[update_id])
    answered = sum(len(r) for r in replies.values())
    failed = [c.method for c in api.calls if not c.ok]
    first = min(api.handed_out.values()) if api.handed_out else 0.0
    last = max(c.time for c in api.calls if c.method in REPLIES) if answered else first
    conn.send({"latencies": latencies, "replies": answered, "failed": failed,
               "elapsed": last - first,
               "callback_answers": api.counts["answerCallbackQuery"]})
    await asyncio.to_thread(conn.recv)  # the bot has stopped (its last getUpdates is answered)
    await api.stop()


# ---- the bot (this process) ------------------------------------------------------------------
async def run(n: int, concurrency: int, trace: bool, rate: float = 0) -> dict[str, Any]:
    shipped = load_config(ROOT / "config.yaml", env={})
    dialogue = open_dialogue(shipped, key=payload_key(SALT))
    updates = workload(dialogue, n)
    parent, child = mp.Pipe()
    server = mp.get_context("spawn").Process(target=serve, args=(child, updates, rate),
                                             daemon=True)
    server.start()
    port, token = await asyncio.to_thread(parent.recv)
    errors = Count()
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(ROOT / "config.yaml", env={
            "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "UNIONBOT_DB": str(Path(tmp) / "load.sqlite3"), "UNIONBOT_SALT": SALT.decode()})
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
        service = Service(dialogue, open_store(config.store_location), SALT)
        app = build_application(config, service=service, rate_limiter=limiter,
                                max_concurrent_updates=concurrency)
        if trace:
            tracemalloc.start()
        await app.initialize()
        assert app.post_init is not None and app.updater is not None  # set by build_application
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        parent.send("go")
        result: dict[str, Any] = await asyncio.to_thread(parent.recv)
        traced = tracemalloc.get_traced_memory()[1] if trace else None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        parent.send("stopped")
    server.join(10)
    result["errors"] = errors.errors
    result["traced_peak"] = traced
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="updates to feed (default 2000)")
    parser.add_argument("--concurrency", type=int, default=MAX_CONCURRENT_UPDATES,
                        help="updates handled at once (default: as the bot)")
    parser.add_argument("--rate", type=float, default=0,
                        help="feed updates at this many per second (default: all at once, "
                             "which measures throughput; a rate below it measures latency)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report the Python heap peak (slower)")
    parser.add_argument("--replicas", type=int, nargs="+", metavar="N",
                        help="instead: webhook replicas on one PostgreSQL, e.g. --replicas 1 2")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.replicas:
        shipped = load_config(ROOT / "config.yaml", env={})
        updates = workload(open_dialogue(shipped, key=payload_key(SALT)), args.n)
        return 0 if compare(args.replicas, updates, args.concurrency) else 1
    started = time.perf_counter()
    r = asyncio.run(run(args.n, args.concurrency, args.tracemalloc, args.rate))
    latencies = sorted(r["latencies"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"updates:      {args.n} fed, {r['replies']} replies, "
          f"{r['callback_answers']} callback answers, {len(r['failed'])} failed API calls, "
          f"{r['errors']} handler errors")
    print(f"throughput:   {args.n / r['elapsed']:.0f} updates/s "
          f"({r['elapsed']:.2f} s from first update handed out to last reply)")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"latency:      p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"peak memory:  {rss:.0f} MiB RSS (bot process)"
          + (f", {r['traced_peak'] / 2**20:.1f} MiB Python heap peak" if r["traced_peak"]
             else ""))
    print(f"wall time:    {time.perf_counter() - started:.1f} s including start-up")
    ok = r["replies"] == args.n and not r["failed"] and not r["errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
