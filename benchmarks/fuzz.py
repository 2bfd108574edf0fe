"""Fuzz: random messages and forged buttons through the dialogue core, the codec and (a sample)
the real python-telegram-bot stack. Nothing a worker sends may crash the bot.

    python benchmarks/fuzz.py [-n 10000] [--payloads 2000] [--stack 400] [--seed 1]

Each input goes through `Service.text`/`Service.button` (records in a scratch SQLite file) and
each reply through `handlers.render`, checked as Telegram checks messages. A crash is an
exception, an empty or invalid reply, or a forged payload whose records carry a question id.
Prints crashes (exit status 1 if any), the slowest input and p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from bot_api_calls import check_html, visible_length  # noqa: E402
from e2e_harness import Harness  # noqa: E402
from fake_bot_api import FakeBotApi  # noqa: E402
from fake_updates import callback_update as tap_update  # noqa: E402
from fake_updates import text_update  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from bot.payload import LIMIT, Codec  # noqa: E402
from bot.replies import Reply  # noqa: E402
from bot.service import Service, payload_key  # noqa: E402
from bot.storage import open_store  # noqa: E402
from handlers.app import build_application  # noqa: E402
from handlers.render import render  # noqa: E402

SALT = b"fuzz"
TELEGRAM_TEXT_LIMIT = 4096
REPLIES = ("sendMessage", "editMessageText")
TRADITIONAL = "請問職工創業貸款額度多少錢還款期限幾年工會幫扶條件資料審核聯繫電話學歷提升補貼"
CHINESE = "工会无息借款创业培训补贴多少钱怎么申请几年下岗职工技能竞赛工匠学历提升帮扶"
EMOJI = "😀🙏👍👎🤝🧭📋☎️🇨🇳👩‍👩‍👧‍👦🏳️‍🌈💰🔥✅❌"
CONTROL = "".join(map(chr, [*range(0, 32), 127, *range(0x80, 0xA0)]))
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202e\u2066\u2069\u00ad"
HTML = ["<b>", "</b>", "<script>alert(1)</script>", "&amp;", "&", "<", ">", "&#x27;",
        "<a href='x'>", "&lt;b&gt;", "<tg-spoiler>", "&#0;", "]]>", "<!--"]
YAMLISH = ["&a [*a, *a]", "*a", "!!python/object/apply:os.system ['ls']", "key: value",
           "- item", "---", "{a: 1}", "? |", "%YAML 1.1", "<<: *base", "'''", '"\\x00"']
PLACEHOLDERS = ["{contacts}", "{topics}", "{", "}", "{{}}", "%s", "%(x)s", "{0}", "{entries}",
                "${HOME}", "\\N{BULLET}"]


def _pick(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _unicode(rng: random.Random) -> str:
    """Valid code points from every plane (no lone surrogates: Telegram's JSON has none)."""
    def char() -> str:
        while True:
            point = rng.choice([rng.randrange(0x20, 0x3000), rng.randrange(0x3000, 0xFFFF),
                                rng.randrange(0x10000, 0x110000)])
            if not 0xD800 <= point <= 0xDFFF:
                return chr(point)
    return "".join(char() for _ in range(rng.randint(1, 300)))


def _digits(rng: random.Random) -> str:
    runs = [_pick(rng, "0123456789", 1, 40), "１３８００１３８０００", "13800138000",
            "110101199003077777", "1e308", "-0", "９" * 50, "10w", "十万八千", "0x1F"]
    return rng.choice(CHINESE) * rng.randint(0, 3) + " ".join(rng.sample(runs, 3))


MIXABLE = ["unicode", "emoji", "digits", "control", "html", "yamlish", "traditional",
           "placeholders", "invisible"]
GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "unicode": _unicode,
    "emoji": lambda rng: _pick(rng, EMOJI + CHINESE, 1, 60),
    "digits": _digits,
    "huge": lambda rng: _pick(rng, CHINESE + "，。 \n" + EMOJI, 5_000, 100_000),
    "control": lambda rng: _pick(rng, CONTROL + CHINESE, 1, 200),
    "html": lambda rng: "".join(rng.choice(HTML + list(CHINESE)) for _ in range(60)),
    "yamlish": lambda rng: "\n".join(rng.choice(YAMLISH) for _ in range(rng.randint(1, 8))),
    "traditional": lambda rng: _pick(rng, TRADITIONAL + CHINESE + "，？", 2, 80),
    "placeholders": lambda rng: "".join(rng.choice(PLACEHOLDERS + list(CHINESE))
                                        for _ in range(20)),
    "invisible": lambda rng: _pick(rng, INVISIBLE + CHINESE + "\u0301\u0336\u20dd", 1, 300),
    "whitespace": lambda rng: _pick(rng, " \t\n\r\u3000\u00a0\u2028\u2029", 0, 50),
    "repeated": lambda rng: rng.choice(CHINESE + "a?？!") * rng.randint(100, 20_000),
    "mixed": lambda rng: "".join(GENERATORS[rng.choice(MIXABLE)](rng)[:200] for _ in range(4)),
}


def check_reply(reply: Reply) -> None:
    """Raise when the reply could not be sent as Telegram checks messages."""
    if not reply.text.strip():
        raise AssertionError(f"empty {reply.kind} reply")
    for text, markup in render(reply):
        check_html(text)
        if visible_length(text) > TELEGRAM_TEXT_LIMIT:
            raise AssertionError("a piece over 4,096 characters")
        for row in markup.inline_keyboard if markup else ():
            for button in row:
                if not 1 <= len(str(button.callback_data).encode()) <= LIMIT:
                    raise AssertionError("callback data outside 1-64 bytes")


@dataclass
class Results:
    """Crashes and timings of one fuzz run."""

    crashes: list[tuple[str, str, str]] = field(default_factory=list)  # kind, input, error
    times: list[tuple[float, str, str]] = field(default_factory=list)  # seconds, kind, input
    kinds: Counter[str] = field(default_factory=Counter)

    def crash(self, kind: str, text: str, error: str) -> None:
        self.crashes.append((kind, text, error))

    def report(self, title: str) -> None:
        slowest, kind, text = max(self.times)
        short = [t for t, _, text in self.times if len(text) <= TELEGRAM_TEXT_LIMIT]
        print(f"{title}: {len(self.times)} inputs, {len(self.crashes)} crashes; "
              f"{percentiles([t for t, _, _ in self.times])}, slowest {slowest * 1000:.1f} ms "
              f"({kind}, {len(text)} chars: {text[:40]!r}…)")
        if len(short) < len(self.times):
            print(f"  the {len(short)} of at most 4,096 characters (what Telegram delivers): "
                  f"{percentiles(short)}")
        for kind, text, error in self.crashes[:10]:
            print(f"  CRASH {kind} {text[:80]!r}: {error}")


def percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


async def timed(results: Results, kind: str, text: str,
                call: Awaitable[Reply]) -> Reply | None:
    """Run one input through the service; record its time, or the crash."""
    started = time.perf_counter()
    try:
        reply = await call
        check_reply(reply)
    except Exception as exc:  # noqa: BLE001 - every failure is a finding
        results.crash(kind, text, "".join(traceback.format_exception_only(exc)).strip())
        return None
    results.times.append((time.perf_counter() - started, kind, text))
    results.kinds[kind] += 1
    return reply


async def fuzz_messages(service: Service, n: int, rng: random.Random) -> Results:
    results = Results()
    for i in range(n):
        kind = rng.choice(list(GENERATORS))
        text = GENERATORS[kind](rng)
        await timed(results, kind, text, service.text(i, text))
    return results


def issued_payloads(service: Service, limit: int = 400) -> list[str]:
    """Payloads the bot itself hands out: menus, topics, entries, signed feedback, flow steps."""
    dialogue = service.dialogue
    seeds = [dialogue.command("start"), dialogue.topics()]
    seeds += [dialogue.ask(q) for q in ("工会无息借款能借多久", "创业", "工匠", "培训补贴")]
    found: list[str] = []
    queue = [b.payload for reply in seeds for b in reply.flat_buttons()]
    while queue and len(found) < limit:
        payload = queue.pop(0)
        if payload in found:
            continue
        found.append(payload)
        queue += [b.payload for b in dialogue.press(payload).flat_buttons()]
    return found


def forged(rng: random.Random, issued: list[str], other: Codec, service: Service) -> str:
    """One forged payload: a mutation of an issued one, another key's, random or overlong."""
    base = rng.choice(issued)
    cut = rng.randrange(len(base) + 1)
    mutations = [
        lambda: base[:cut] + rng.choice("0123456789abcdefz:._-") + base[cut + 1:],
        lambda: base[:cut],
        lambda: base + ":" + _pick(rng, "abcdefghijklmnopqrstuvwxyz234567", 1, 12),
        lambda: base.rsplit(":", 1)[0] + ":" + _pick(rng, "abcdefghijklmnopqrstuvwxyz234567", 6, 6),
        lambda: rng.choice("0123456789") + base[1:],
        lambda: base.upper(),
        lambda: base + "\x00" + base,
        lambda: base + "a" * rng.randint(1, 100),
        lambda: other.encode(p) if (p := service.dialogue.codec.decode(base)) else base[::-1],
        lambda: GENERATORS[rng.choice(MIXABLE)](rng)[: rng.choice([8, 64, 65, 300])],
    ]
    return rng.choice(mutations)()


async def fuzz_payloads(service: Service, n: int, rng: random.Random) -> Results:
    """Forged taps: no crash, and no record that links a forged payload to a question."""
    results = Results()
    issued = issued_payloads(service)
    genuine = {p.strip() for p in issued}
    other = Codec(b"another replica's key, not ours")
    for i in range(n):
        data = forged(rng, issued, other, service)
        service.dialogue.codec.decode(data)  # the codec on its own must not raise either
        reply = await timed(results, "payload", data, service.button(i, data))
        linked = [r for r in (reply.records if reply else ()) if r.question_id]
        if linked and data.strip() not in genuine:
            results.crash("payload", data, f"forged payload recorded for question "
                                           f"{linked[0].question_id}")
    return results


class ErrorCount(logging.Handler):
    """Every ERROR logged while it is attached (a handler error, a storage failure …)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(f"{record.name}: {record.getMessage()[:200]}")


@dataclass
class StackResult:
    updates: int
    answered: int
    seconds: float
    failed_calls: int
    errors: list[str]

    def ok(self) -> bool:
        return self.answered == self.updates and not self.failed_calls and not self.errors


async def stack_sample(texts: list[str], taps: list[str], db: Path) -> StackResult:
    """The inputs as Telegram would deliver them (text ≤ 4,096 characters, none empty), each
    from its own worker, through the real PTB stack polling the fake Bot API."""
    api = await FakeBotApi().start()
    config = load_config(ROOT / "config.yaml", env={
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
        "UNIONBOT_DB": str(db), "UNIONBOT_SALT": SALT.decode()})
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    bot = await Harness(build_application(config), api).start()
    sent = [text[:TELEGRAM_TEXT_LIMIT] for text in texts if text[:TELEGRAM_TEXT_LIMIT].strip()]
    updates = [text_update(200_000 + i, text) for i, text in enumerate(sent)]
    updates += [tap_update(300_000 + i, data[:LIMIT] or "x") for i, data in enumerate(taps)]
    chats = {200_000 + i for i in range(len(sent))} | {300_000 + i for i in range(len(taps))}
    started = time.perf_counter()
    for update in updates:
        await api.push(update)

    def replied(_: object = None) -> set[int]:
        return {c.chat_id for c in api.calls if c.status == 200 and c.method in REPLIES}

    with contextlib.suppress(TimeoutError):  # counted below: updates left unanswered
        await api.wait_for(lambda _: chats <= replied(), 300)
    seconds = time.perf_counter() - started
    await bot.stop()
    await api.stop()
    logging.getLogger().removeHandler(errors)
    return StackResult(len(chats), len(chats & replied()), seconds,
                       sum(1 for c in api.calls if c.status != 200), errors.errors)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(ROOT / "config.yaml", env={})
        service = Service(open_dialogue(config, key=payload_key(SALT)),
                          open_store(Path(tmp) / "fuzz.sqlite3"), SALT)
        errors = ErrorCount()
        logging.getLogger().addHandler(errors)
        texts = await fuzz_messages(service, args.n, rng)
        taps = await fuzz_payloads(service, args.payloads, rng)
        await service.close()
        logging.getLogger().removeHandler(errors)
        texts.report("messages (core)")
        print("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(texts.kinds.items())))
        taps.report("forged payloads (core + codec)")
        print(f"  errors logged by the core (e.g. storage): {len(errors.errors)}")
        stack = await stack_sample([t for _, _, t in rng.sample(texts.times, args.stack)],
                                   [t for _, _, t in rng.sample(taps.times, args.stack // 4)],
                                   Path(tmp) / "stack.sqlite3")
    print(f"real PTB stack sample: {stack.updates} updates, {stack.answered} answered in "
          f"{stack.seconds:.1f} s, {stack.failed_calls} failed Bot API calls, "
          f"{len(stack.errors)} errors logged")
    for line in stack.errors[:5]:
        print(f"  {line}")
    return 0 if stack.ok() and not (texts.crashes or taps.crashes or errors.errors) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="random messages (default 10000)")
    parser.add_argument("--payloads", type=int, default=2_000, help="forged payloads (2000)")
    parser.add_argument("--stack", type=int, default=400,
                        help="messages sent through the real PTB stack (default 400, plus a "
                             "quarter as many taps)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
