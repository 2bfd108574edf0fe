"""Load through 1, 2, … webhook replicas sharing one PostgreSQL database (`load.py --replicas`).

Each replica is its own process running the bot as `unionbot run` does in webhook mode (its
own port, the shared store, the same salt). A throw-away PostgreSQL 15 server (as in the tests)
holds the records; the fake Bot API runs in another process. This process posts the updates to
the replicas in turn (the load balancer's own cost is not measured), at most `concurrency` at a
time, and the throughput is updates / (last reply − first post). Every process shares the
machine's cores, so the figures say how far the bot scales here, not on a bigger server.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

import httpx
from e2e_harness import listening
from fake_bot_api import FakeBotApi
from postgres_server import PostgresServer, free_port
from telegram.ext import AIORateLimiter

from bot.config import load_config
from handlers.app import build_application, run_application

ROOT = Path(__file__).resolve().parents[1]
SECRET = "load-benchmark-secret"
SALT = "bench"
REPLIES = ("sendMessage", "editMessageText")


# ---- the fake Bot API (child process) --------------------------------------------------------
def serve_api(conn: Any) -> None:
    asyncio.run(_serve_api(conn))


async def _serve_api(conn: Any) -> None:
    api = await FakeBotApi().start()
    conn.send((api.port, api.token))
    n = await asyncio.to_thread(conn.recv)  # how many replies to wait for
    last: list[float] = [0.0]
    api.listeners.append(lambda call: last.__setitem__(0, call.time)
                         if call.method in REPLIES and call.status == 200 else None)
    with contextlib.suppress(TimeoutError):
        await api.wait_for(lambda _: sum(api.counts[m] for m in REPLIES) >= n,
                           timeout=max(60.0, n / 10))
    failed = sum(1 for c in api.calls if c.status != 200)
    conn.send({"replies": sum(api.counts[m] for m in REPLIES), "last": last[0],
               "failed": failed})
    await asyncio.to_thread(conn.recv)  # the replicas have stopped
    await api.stop()


# ---- one replica (child process) -------------------------------------------------------------
class Count(logging.Handler):
    """Counts the errors logged (handler errors, failed writes)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.errors += 1


def replica(conn: Any, api_port: int, token: str, db_url: str, port: int,
            concurrency: int) -> None:
    """The bot in webhook mode on `port`, until SIGTERM; then reports its handler errors and
    the CPU seconds it spent after start-up."""
    logging.basicConfig(level=logging.WARNING)
    errors = Count()
    logging.getLogger().addHandler(errors)
    config = load_config(ROOT / "config.yaml", env={
        "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
        "UNIONBOT_DB_URL": db_url, "UNIONBOT_SALT": SALT, "UNIONBOT_WEBHOOK_SECRET": SECRET})
    hook = dataclasses.replace(config.telegram.webhook, port=port,
                               url=f"http://127.0.0.1:{port}/telegram")
    config = dataclasses.replace(config, telegram=dataclasses.replace(
        config.telegram, mode="webhook", webhook=hook))
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    app = build_application(config, rate_limiter=limiter, max_concurrent_updates=concurrency)
    started = time.process_time()
    run_application(app, config)
    conn.send((errors.errors, time.process_time() - started))


# ---- the driver (this process) ---------------------------------------------------------------
async def post_all(updates: list[dict[str, Any]], hooks: list[str], concurrency: int) -> float:
    """Post every update, to the replicas in turn; returns when the first one was posted."""
    turn = itertools.cycle(hooks)
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        async def post(update: dict[str, Any], hook: str) -> None:
            async with gate:
                answer = await client.post(hook, json=update,
                                           headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                answer.raise_for_status()

        first = time.monotonic()
        await asyncio.gather(*(post(u, next(turn)) for u in updates))
    return first


def run_replicas(count: int, updates: list[dict[str, Any]], server: PostgresServer,
                 concurrency: int) -> dict[str, Any]:
    """One measurement: `count` replicas on a new database, every update posted once."""
    spawn = mp.get_context("spawn")
    api_conn, api_child = spawn.Pipe()
    api = spawn.Process(target=serve_api, args=(api_child,), daemon=True)
    api.start()
    api_port, token = api_conn.recv()
    url = server.new_database()
    ports = [free_port() for _ in range(count)]
    pipes, procs = [], []
    for port in ports:
        parent, child = spawn.Pipe()
        proc = spawn.Process(target=replica, args=(child, api_port, token, url, port,
                                                   concurrency))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    hooks = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    numbered = [dict(u, update_id=i) for i, u in enumerate(updates, 1)]

    async def drive() -> float:
        for hook in hooks:
            await listening(hook)
        return await post_all(numbered, hooks, concurrency)

    api_conn.send(len(updates))
    first = asyncio.run(drive())
    result: dict[str, Any] = api_conn.recv()
    for proc in procs:
        proc.terminate()  # SIGTERM: a graceful stop, as a service manager does
    reports = [pipe.recv() for pipe in pipes]
    result["errors"] = sum(errors for errors, _ in reports)
    result["cpu"] = sum(cpu for _, cpu in reports)
    for proc in procs:
        proc.join(30)
    api_conn.send("stopped")
    api.join(10)
    result["elapsed"] = result["last"] - first
    return result


def compare(counts: list[int], updates: list[dict[str, Any]], concurrency: int) -> bool:
    """Measure each replica count and print them side by side; True when all went well."""
    server = PostgresServer().start()
    try:
        results = {count: run_replicas(count, updates, server, concurrency) for count in counts}
    finally:
        server.stop()
    n = len(updates)
    print(f"{n} updates posted round-robin to webhook replicas sharing one PostgreSQL 15 "
          f"database:")
    print(f"{'replicas':>9} {'updates/s':>10} {'seconds':>8} {'bot CPU ms/update':>18} "
          f"{'replies':>8} {'failed':>7} {'errors':>7}")
    for count, r in results.items():
        print(f"{count:>9} {n / r['elapsed']:>10.0f} {r['elapsed']:>8.2f} "
              f"{r['cpu'] * 1000 / n:>18.1f} {r['replies']:>8} {r['failed']:>7} {r['errors']:>7}")
    print("(bot CPU: all replicas together; the machine's other processes share its cores)")
    return all(r["replies"] >= n and not r["failed"] and not r["errors"]
               for r in results.values())
