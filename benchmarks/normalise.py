"""Normalisation benchmark: time per call of normalize and of match on hostile input.

    python benchmarks/normalise.py [--config PATH] [--seconds S] [--no-100k]

Prints, for an ordinary question, a 4,096-digit message (Telegram's longest), a 4,096-character
mixed message (digits, 'w'/'k', dots, Chinese numerals, emoji, traditional characters, fillers)
and a 100,000-digit message (what `unionbot ask` or stdin can be fed), the time of one
`Normalizer.normalize` and of one `Matcher.match` (which normalises again, and for a long
message that would fall back, clause by clause too).

Measured on the 2-core development machine, ms per call (normalize / match):

    input                      before (28f26f9)           after
    ordinary question            0.03 /       1.2      0.03 / 1.0-1.3
    4,096 digits                  655 /     1,250      0.19-0.30 / 0.45-0.52
    4,096 mixed characters        3.0 /        12      0.4-0.6 / 2.4-3.4
    100,000 digits            623,000 /   921,000      0.19-0.30 / 0.47-0.58

(before, the 100,000-digit case was measured once: about 10 and 15 minutes). The amount rule
`(\\d+(?:\\.\\d+)?)(w|k)(?![a-z])` retried from every digit of a run and scanned to its end each
time, on the whole message before the cut to max_query_chars; match normalised the message
twice (whole, then clause by clause). Now only the message's last 4 * max_query_chars + 64
characters are normalised, with patterns that cannot backtrack (see faq/text.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from faq.knowledge import load_knowledge  # noqa: E402

FRAGMENTS = ["12", "3.5", "w", "k", "1.", "..", "十万", "三年", "😀", "🙏", "請問", "貸款",
             "下岗", "借钱", " ", "，", "师傅", "呢", "１２", "0311-8888", "百", "two"]


def mixed(length: int, seed: int = 7) -> str:
    """A deterministic message of `length` characters built from awkward fragments."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < length:
        piece = rng.choice(FRAGMENTS)
        out.append(piece)
        size += len(piece)
    return "".join(out)[:length]


def per_call(func: Callable[[str], object], text: str, budget: float) -> float:
    """Milliseconds per call: repeat until `budget` seconds are spent (at least once)."""
    calls, started = 0, time.perf_counter()
    while True:
        func(text)
        calls += 1
        spent = time.perf_counter() - started
        if spent >= budget:
            return 1000 * spent / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--seconds", type=float, default=0.5, help="time budget per figure")
    parser.add_argument("--no-100k", action="store_true",
                        help="leave out the 100,000-digit case (for timing the old code)")
    args = parser.parse_args()
    config = load_config(args.config)
    knowledge, _ = load_knowledge(config.faq, config.match)
    normalizer, matcher = knowledge.normalizer, knowledge.matcher
    cases = [
        ("ordinary question", "师傅你好，下岗了想开个小店工会能借多少钱？"),
        ("4,096 digits", "1" * 4096),
        ("4,096 mixed characters", mixed(4096)),
        ("100,000 digits", "1" * 100_000),
    ][: 3 if args.no_100k else 4]
    matcher.match(cases[0][1])  # warm the pinyin table and OpenCC
    print(f"max_query_chars {normalizer.max_chars}; ms per call")
    print(f"  {'input':<24} {'normalize':>12} {'match':>12}")
    for label, text in cases:
        norm = per_call(normalizer.normalize, text, args.seconds)
        match = per_call(matcher.match, text, args.seconds)
        print(f"  {label:<24} {norm:12.3f} {match:12.3f}")


if __name__ == "__main__":
    main()
