"""Matching benchmark: accuracy on the dev and held-out test sets, and latency by FAQ size.

    python benchmarks/matching.py [--config PATH] [--runs N]

Prints, side by side with a naive baseline (rapidfuzz WRatio extractOne over the raw phrasings,
at the cut-off that suits it best on the dev set): top-1 and top-3 accuracy, answered right,
off-topic rejection, confidently-wrong count; match latency p50/p99 at the shipped size and with
1,000 and 10,000 entries (the shipped FAQ plus synthetic entries); and `unionbot ask` wall time
from process start to the printed answer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from bot.config import load_config  # noqa: E402
from faq.evaluate import EvalResult, LabelledQuestion, evaluate, load_question_set  # noqa: E402
from faq.knowledge import load_knowledge  # noqa: E402
from faq.matcher import Candidate, Match, Matcher  # noqa: E402


class Baseline:
    """rapidfuzz WRatio extractOne over raw phrasings; above the cut-off it answers."""

    def __init__(self, phrasings: list[tuple[str, str]], cutoff: float = 0.0):
        self.ids = [eid for eid, _ in phrasings]
        self.texts = [text for _, text in phrasings]
        self.cutoff = cutoff

    def best(self, text: str) -> tuple[str, float] | None:
        found = process.extractOne(text, self.texts, scorer=fuzz.WRatio)
        return (self.ids[found[2]], found[1]) if found else None

    def match(self, text: str) -> Match:
        found = self.best(text)
        if not found:
            return Match("fallback", text, ())
        outcome = "answer" if found[1] >= self.cutoff else "fallback"
        return Match(outcome, text, (Candidate(found[0], found[1], ""),))


def best_cutoff(baseline: Baseline, questions: list[LabelledQuestion]) -> float:
    """The cut-off maximising right answers + rejected off-topic, on the dev set."""
    scored = [(q, baseline.best(q.text)) for q in questions]
    best, best_value = 0.0, -1
    for cutoff in range(0, 101):
        value = 0
        for q, found in scored:
            answered = found is not None and found[1] >= cutoff
            if q.expect:
                value += answered and found[0] in q.expect
            else:
                value += not answered
        if value > best_value:
            best, best_value = float(cutoff), value
    return best


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def latency(match: Callable[[str], object], texts: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        for text in texts:
            start = time.perf_counter()
            match(text)
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def synthetic_phrasings(real: list[tuple[str, str]], entries: int,
                        seed: int = 7) -> list[tuple[str, str]]:
    """Extra entries made of the real FAQ's words reshuffled, ~11 phrasings each."""
    rng = random.Random(seed)
    texts = [text for _, text in real]
    out = []
    for i in range(entries):
        eid = f"synthetic-{i}"
        for _ in range(11):
            a, b = rng.sample(texts, 2)
            cut_a, cut_b = rng.randint(2, max(2, len(a))), rng.randint(0, max(0, len(b) - 2))
            out.append((eid, a[:cut_a] + b[cut_b:]))
    return out


def report(name: str, result: EvalResult) -> str:
    s = result.summary()
    return (f"  {name:<10} top-1 {s['top1']:5.1f}%  top-3 {s['top3']:5.1f}%  "
            f"answered right {s['answered_right']:5.1f}%  clarified {s['clarified']:5.1f}%  "
            f"off-topic rejected {s['off_topic_rejected']:5.1f}% "
            f"(fallback {s['off_topic_fallback']:5.1f}%)  "
            f"confidently wrong {int(s['confidently_wrong'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--runs", type=int, default=3, help="latency passes over the questions")
    args = parser.parse_args()
    config = load_config(args.config)
    knowledge, _ = load_knowledge(config.faq, config.match)
    matcher = knowledge.matcher
    real = [(e.id, p) for e in knowledge.entries.values() for p in e.phrasings]
    dev = load_question_set(ROOT / "tests" / "data" / "dev_set.yaml")
    test = load_question_set(ROOT / "tests" / "data" / "test_set.yaml")
    baseline = Baseline(real)
    baseline.cutoff = best_cutoff(baseline, dev)

    print(f"FAQ: {len(knowledge.entries)} entries, {len(real)} phrasings")
    for label, questions in (("dev", dev), ("test", test)):
        n_in = sum(1 for q in questions if q.expect)
        print(f"{label} set: {n_in} in-scope, {len(questions) - n_in} off-topic")
        print(report("unionbot", evaluate(questions, matcher.match)))
        print(report(f"baseline@{baseline.cutoff:.0f}", evaluate(questions, baseline.match)))

    texts = [q.text for q in dev + test]
    print("match latency, ms (p50 / p99):")
    sizes = [("shipped", [])] + [(f"{n:,}", synthetic_phrasings(real, n - len(knowledge.entries)))
                                 for n in (1_000, 10_000)]
    for label, extra in sizes:
        started = time.perf_counter()
        big = Matcher(real + extra, knowledge.normalizer, matcher.settings) if extra else matcher
        built = time.perf_counter() - started
        ours = latency(big.match, texts, args.runs)
        base = latency(Baseline(real + extra).match, texts, 1)
        print(f"  {label:>8} entries: unionbot {ours[0]:.3f} / {ours[1]:.3f}   "
              f"baseline {base[0]:.3f} / {base[1]:.3f}"
              + (f"   (index built in {built:.1f} s)" if extra else ""))

    walls = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot.cli", "ask", "工会无息借款能借几年"],
                       check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - started)
    print(f"`unionbot ask` process start to answer: median {statistics.median(walls):.2f} s, "
          f"max {max(walls):.2f} s (5 runs)")


if __name__ == "__main__":
    main()
