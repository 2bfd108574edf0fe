"""Two webhook replicas on one PostgreSQL database, behind a round-robin proxy: 1,000 updates
from 50 workers, none lost or answered twice, flows that continue on the other replica, and
`unionbot stats` (pointed at the same database) counting every question."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import random
from collections import Counter, defaultdict
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bot_api_calls import Call
from e2e_harness import WAIT, listening
from fake_bot_api import FakeBotApi
from fake_updates import callback_update, text_update
from postgres_server import PostgresServer
from round_robin import RoundRobinProxy
from storage_helpers import records_env, unionbot
from test_run_modes import SECRET, free_port, running

from bot import reports
from bot.config import Config, load_config
from bot.days import since
from bot.dialogue import Dialogue
from bot.loading import open_dialogue
from bot.payload import Action
from bot.records import EventKind
from bot.replies import Reply
from bot.service import payload_key
from bot.storage import load_salt, open_store
from bot.usage import usage_since
from handlers.app import build_application
from handlers.render import render

WORKERS = 50
STEPS = 20  # updates per worker: 1,000 in all
FIRST_CHAT = 50_000
QUESTIONS = ("工会无息借款能借几年", "创业担保贷款怎么申请", "今天天气怎么样", "困难职工帮扶",
             "职工子女助学金怎么申请", "工会能借多少钱", "培训", "我家猫不吃饭怎么办")
REPLIES = ("sendMessage", "editMessageText")


@dataclass
class Sent:
    update_id: int
    chat: int
    text: str = ""  # a typed message, or
    payload: str = ""  # a button tap
    callback_id: str = ""
    replies: range = range(0)  # the positions of its replies among the chat's


@dataclass
class Inbox:
    """Every reply the replicas sent, per chat, with the replica that sent it."""

    got: dict[int, list[tuple[int, Call]]] = field(default_factory=lambda: defaultdict(list))
    acknowledged: Counter[str] = field(default_factory=Counter)  # callback query id → answers
    news: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))

    def listen(self, replica: int, api: FakeBotApi) -> None:
        api.listeners.append(lambda call: self.note(replica, call))

    def note(self, replica: int, call: Call) -> None:
        if call.status != 200:
            return
        if call.method in REPLIES:
            self.got[call.chat_id].append((replica, call))
            self.news[call.chat_id].set()
        elif call.method == "answerCallbackQuery":
            self.acknowledged[call.params["callback_query_id"]] += 1

    async def wait(self, chat: int, count: int) -> None:
        async with asyncio.timeout(WAIT * 2):
            while len(self.got[chat]) < count:
                self.news[chat].clear()
                await self.news[chat].wait()


def replica_config(workspace: Path, api: FakeBotApi, url: str) -> Config:
    """One replica's configuration: webhook mode on its own port, the shared database."""
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "UNIONBOT_WEBHOOK_SECRET": SECRET} | records_env(url)
    config = load_config(workspace / "config.yaml", env=env)
    hook = dataclasses.replace(config.telegram.webhook, port=free_port())
    return dataclasses.replace(config, telegram=dataclasses.replace(
        config.telegram, mode="webhook", webhook=hook))


def expected_reply(local: Dialogue, sent: Sent) -> Reply:
    if sent.payload:
        return local.press(sent.payload)
    if sent.text.startswith("/"):
        return local.command(sent.text[1:])
    return local.ask(sent.text)


def next_update(local: Dialogue, rng: random.Random, step: int, chat: int, update_id: int,
                last: Call | None) -> Sent:
    """What a worker does next: /start first, then mostly taps on the last reply's buttons
    (a flow's next step when there is one), sometimes a typed question."""
    payloads = last.payloads() if last else []
    if step == 0:
        return Sent(update_id, chat, text="/start")
    if not payloads or step % 4 == 0:
        return Sent(update_id, chat, text=rng.choice(QUESTIONS))
    decoded = [(raw, local.codec.decode(raw)) for raw in payloads]
    in_flow = [raw for raw, p in decoded if p and p.action is Action.FLOW]
    payload = rng.choice(in_flow or payloads)
    return Sent(update_id, chat, payload=payload)


async def converse(worker: int, post: Any, local: Dialogue, inbox: Inbox,
                   log: list[Sent]) -> None:
    """One worker's STEPS updates, each sent after the reply to the one before arrived."""
    rng = random.Random(worker)
    chat = FIRST_CHAT + worker
    last: Call | None = None
    for step in range(STEPS):
        sent = next_update(local, rng, step, chat, 1 + worker * STEPS + step, last)
        before = len(inbox.got[chat])
        parts = len(render(expected_reply(local, sent)))
        if sent.payload:
            update = callback_update(chat, sent.payload)
            sent.callback_id = update["callback_query"]["id"]
        else:
            update = text_update(chat, sent.text)
        update["update_id"] = sent.update_id
        log.append(sent)
        await post(update)
        await inbox.wait(chat, before + parts)
        sent.replies = range(before, before + parts)
        last = inbox.got[chat][-1][1]


async def test_two_replicas_share_one_postgres(workspace: Path, postgres: PostgresServer
                                               ) -> None:
    url = postgres.new_database()
    apis = [await FakeBotApi().start(), await FakeBotApi().start()]
    configs = [replica_config(workspace, api, url) for api in apis]
    local = open_dialogue(configs[0], key=payload_key(load_salt(url, configs[0].salt)))
    inbox = Inbox()
    log: list[Sent] = []
    async with AsyncExitStack() as stack:
        hooks = []
        for replica, (api, config) in enumerate(zip(apis, configs, strict=True)):
            inbox.listen(replica, api)
            await stack.enter_async_context(running(build_application(config), config))
            hooks.append(f"http://127.0.0.1:{config.telegram.webhook.port}")
            await listening(f"{hooks[-1]}/{config.telegram.webhook.path}")
        proxy = await RoundRobinProxy(hooks).start()
        stack.push_async_callback(proxy.stop)
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=WAIT))

        async def post(update: dict[str, Any]) -> None:
            answer = await client.post(f"{proxy.url}/{configs[0].telegram.webhook.path}",
                                       json=update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert answer.status_code == 200

        await asyncio.gather(*(converse(w, post, local, inbox, log) for w in range(WORKERS)))
        await asyncio.sleep(0.5)  # room for a reply sent twice to show up
    for api in apis:
        await api.stop()

    assert len(log) == WORKERS * STEPS == len(proxy.routed)
    assert set(Counter(proxy.routed.values()).values()) == {len(log) // 2}
    check_each_answered_once(log, inbox)
    check_flows_crossed_replicas(log, inbox, local, proxy)
    await check_records(log, local, url, workspace)


def check_each_answered_once(log: list[Sent], inbox: Inbox) -> None:
    expected: Counter[int] = Counter()
    for sent in log:
        expected[sent.chat] += len(sent.replies)
    assert {chat: len(inbox.got[chat]) for chat in expected} == dict(expected)
    taps = [sent.callback_id for sent in log if sent.payload]
    assert taps and inbox.acknowledged == Counter(taps)  # each tap acknowledged exactly once


def check_flows_crossed_replicas(log: list[Sent], inbox: Inbox, local: Dialogue,
                                 proxy: RoundRobinProxy) -> None:
    """A flow step tapped on one replica's buttons and handled by the other continues the
    flow (the payload carries all its state): never a stale step."""
    previous: dict[int, Sent] = {}
    crossed = 0
    for sent in sorted(log, key=lambda s: s.update_id):
        before = previous.get(sent.chat)
        previous[sent.chat] = sent
        found = local.codec.decode(sent.payload) if sent.payload else None
        if before is None or found is None or not (found.flow and found.flow.path):
            continue
        replica, reply = inbox.got[sent.chat][sent.replies[-1]]
        assert replica == proxy.routed[sent.update_id]
        expected = local.press(sent.payload)
        assert expected.records[0].kind in (EventKind.FLOW_STEP, EventKind.FLOW_RESULT)
        assert reply.text == html.escape(expected.text.strip(), quote=False)
        crossed += proxy.routed[before.update_id] != replica
    assert crossed >= 10, crossed


async def check_records(log: list[Sent], local: Dialogue, url: str, workspace: Path) -> None:
    """Every typed question was recorded once, and `unionbot stats` counts them all."""
    questions = sum(1 for sent in log if sent.text and not sent.text.startswith("/")
                    and local.ask(sent.text).records)
    store = open_store(url, read_only=True)
    try:
        stats = await store.stats(since(1))
        usage = await usage_since(store, since(1))
        events = await store.events(0)
    finally:
        await store.close()
    assert stats.questions == questions
    assert stats.workers == WORKERS  # the replicas hash workers alike (one salt)
    assert not [e for e in events if e.record.kind in (EventKind.FLOW_STALE,
                                                       EventKind.STALE_BUTTON)]
    out = unionbot("stats", "--days", "1", "--config", str(workspace / "config.yaml"),
                   env={"UNIONBOT_DB_URL": url})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == reports.stats_text(local, stats, 1, usage).strip()
    assert str(questions) in out.stdout
