"""The per-worker rate limit: token buckets, one notice per window, nothing matched or stored
over the limit, idle buckets forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, LimitsConfig, load_config
from bot.dialogue import Dialogue
from bot.ratelimit import FORGET_PER_CHECK, NOTICE_WINDOW, Flow, RateLimiter, Verdict
from bot.replies import ReplyKind
from bot.service import SILENCE, Service
from bot.storage import open_store
from faq.messages import MessageKey

LIMITS = LimitsConfig(messages_per_minute=6, message_burst=3, buttons_per_minute=60,
                      button_burst=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verdicts(limiter: RateLimiter, worker: str, flow: Flow, n: int) -> list[Verdict]:
    return [limiter.check(worker, flow) for _ in range(n)]


def test_a_burst_then_one_notice_then_silence_then_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(LIMITS, clock)
    A, N, D = Verdict.ALLOW, Verdict.NOTICE, Verdict.DROP
    assert verdicts(limiter, "w1", Flow.MESSAGE, 6) == [A, A, A, N, D, D]
    assert limiter.dropped[Flow.MESSAGE] == 3
    assert limiter.check("w2", Flow.MESSAGE) is A  # another worker has its own bucket
    assert limiter.check("w1", Flow.BUTTON) is A  # and buttons their own
    clock.now += 10  # 6 a minute: one more message every 10 s
    assert verdicts(limiter, "w1", Flow.MESSAGE, 2) == [A, D]  # no second notice this window
    clock.now += NOTICE_WINDOW
    assert verdicts(limiter, "w1", Flow.MESSAGE, 4) == [A, A, A, N]  # refilled; a new window


def test_buttons_are_limited_more_generously() -> None:
    limiter = RateLimiter(LIMITS, Clock())
    assert verdicts(limiter, "w", Flow.BUTTON, 6) == [Verdict.ALLOW] * 5 + [Verdict.NOTICE]


def test_zero_per_minute_switches_a_limit_off() -> None:
    limiter = RateLimiter(LimitsConfig(messages_per_minute=0, buttons_per_minute=1,
                                       button_burst=1), Clock())
    assert set(verdicts(limiter, "w", Flow.MESSAGE, 1000)) == {Verdict.ALLOW}
    assert verdicts(limiter, "w", Flow.BUTTON, 2) == [Verdict.ALLOW, Verdict.NOTICE]


def test_idle_workers_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(LIMITS, clock)
    for i in range(50_000):
        limiter.check(f"w{i}", Flow.MESSAGE)
    assert limiter.tracked == 50_000
    clock.now += NOTICE_WINDOW  # every bucket refilled (3 messages at 6 a minute: 30 s)
    for i in range(50_000 // FORGET_PER_CHECK + 1):  # a few forgotten per check, never a sweep
        limiter.check(f"late{i % 3}", Flow.MESSAGE)
    assert limiter.tracked == 3


def test_pruning_keeps_a_recent_notice() -> None:
    clock = Clock()
    limiter = RateLimiter(LIMITS, clock)
    limiter.check("other", Flow.MESSAGE)  # the first prune runs here
    clock.now += 30
    assert verdicts(limiter, "flooder", Flow.MESSAGE, 4)[-1] is Verdict.NOTICE
    clock.now += 30  # the next prune: both buckets refilled, the flooder was told 30 s ago
    limiter.check("third", Flow.MESSAGE)
    assert limiter.tracked == 2  # "other" forgotten, the flooder kept, "third" new
    A = Verdict.ALLOW
    assert verdicts(limiter, "flooder", Flow.MESSAGE, 4) == [A, A, A, Verdict.DROP]


def test_limits_come_from_config_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("limits: {messages_per_minute: 5, button_burst: 7}\n", encoding="utf-8")
    limits = load_config(path, env={}).limits
    assert (limits.messages_per_minute, limits.message_burst, limits.button_burst) == \
        (5, LimitsConfig().message_burst, 7)
    path.write_text("limits: {message_burst: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limits.message_burst"):
        load_config(path, env={})


async def test_the_service_answers_within_the_limit_and_stores_nothing_over_it(
        shipped_dialogue: Dialogue, tmp_path: Path) -> None:
    store = open_store(tmp_path / "bot.sqlite3")
    service = Service(shipped_dialogue, store, b"salt", RateLimiter(LIMITS, Clock()))
    try:
        question = "工会无息借款能借多久"
        replies = [await service.text(1, question) for _ in range(10)]
        assert [r.kind for r in replies[:3]] == [shipped_dialogue.ask(question).kind] * 3
        assert replies[3].kind is ReplyKind.INFO
        assert replies[3].text == shipped_dialogue.msg(MessageKey.SLOW_DOWN)
        assert "请慢一点" in replies[3].text
        assert replies[4:] == [SILENCE] * 6
        assert await service.command(1, "start") == SILENCE  # commands share the message limit
        assert (await service.text(2, question)).records  # others go on
        await store.flush()
        assert len(await store.questions(0)) == 4  # 3 from the flooder, 1 from the other
        assert not await store.events(0)
        assert service.limiter is not None and service.limiter.dropped[Flow.MESSAGE] == 8
        taps = [await service.button(1, "forged") for _ in range(7)]
        assert [t == SILENCE for t in taps] == [False] * 6 + [True]
    finally:
        await service.close()


async def test_without_a_limiter_nothing_is_held(shipped_dialogue: Dialogue) -> None:
    service = Service(shipped_dialogue, None, b"salt")  # the console channel
    replies = [await service.text(1, "工会无息借款能借多久") for _ in range(50)]
    assert SILENCE not in replies and all(r.kind is not ReplyKind.INFO for r in replies)
