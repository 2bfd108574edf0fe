"""Matching benchmark: dev / test / worker / check / blind side by side, latency, start-up.

    python benchmarks/matching.py [--config PATH] [--runs N] [--no-blind] [--large-only]

One table, for unionbot and for a naive baseline (rapidfuzz WRatio extractOne over the raw
phrasings, answering above the cut-off that suits it best on the dev set):
direct-right, answered-wrong, "did you mean" with the right entry first, fallback (in-scope);
off-topic not answered; silent questions routed to the contacts; first candidate right; match
latency. For dev/test "right" is the expected entry; for the worker set (tuning data: the
shipped model is fitted on it, so its row is not a held-out figure; benchmarks/fit_decision.py
prints the cross-validated one), the check set (validation: written like the blind set and
never tuned on, used to accept or reject a change) and the blind set (REPORTING ONLY,
benchmarks/blind.py) it is the reply text containing the facts. Latency: each question is
matched `--runs` times; p50/p99 are over questions of their fastest run (the machine is
shared, so a single run's tail is mostly other work), "p99 raw" over every run. Then the
same with 10,000 synthetic entries, and `unionbot ask` from process start to answer against a
bare `python -c "import rapidfuzz, yaml, telegram"`, timed alternately in the same run.
`--large-only` prints the 10,000-entry latency alone (a quick loop when working on speed).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from blind import BLIND, has_facts, load_cases, routed  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from faq.evaluate import LabelledQuestion, load_question_set  # noqa: E402
from faq.matcher import Matcher  # noqa: E402

COLUMNS = ("direct right", "answered wrong", "dym right 1st", "fallback", "off-topic refused",
           "silent→contacts", "1st cand. right", "p50 ms", "p99 ms", "p99 raw ms")
WORKER_SET = ROOT / "tests" / "data" / "worker_set.yaml"
CHECK_SET = ROOT / "tests" / "data" / "check_set.yaml"  # validation only, never tuned on
FRESH_SET = ROOT / "tests" / "data" / "fresh_set.yaml"  # validation only (stop 19)
RUNS = 3


class Baseline:
    """rapidfuzz WRatio extractOne over raw phrasings; above the cut-off it answers."""

    def __init__(self, phrasings: list[tuple[str, str]], cutoff: float = 0.0):
        self.ids = [eid for eid, _ in phrasings]
        self.texts = [text for _, text in phrasings]
        self.cutoff = cutoff

    def best(self, text: str) -> tuple[str, float] | None:
        found = process.extractOne(text, self.texts, scorer=fuzz.WRatio)
        return (self.ids[found[2]], found[1]) if found else None


def best_cutoff(baseline: Baseline, questions: list[LabelledQuestion]) -> float:
    """The cut-off maximising right answers + refused off-topic, on the dev set."""
    scored = [(q, baseline.best(q.text)) for q in questions]
    return float(max(range(101), key=lambda cut: sum(
        (found is not None and found[1] >= cut and found[0] in q.expect) if q.expect
        else not (found is not None and found[1] >= cut) for q, found in scored)))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class Timer:
    """Each question's runs: its fastest (for p50/p99) and every one (for p99 raw)."""

    def __init__(self, runs: int = RUNS) -> None:
        self.runs = runs
        self.best: list[float] = []
        self.every: list[float] = []

    def __call__(self, function: Any, argument: str) -> Any:
        times = []
        for _ in range(self.runs):
            start = time.perf_counter()
            result = function(argument)
            times.append((time.perf_counter() - start) * 1000)
        self.best.append(min(times))
        self.every += times
        return result

    def fill(self, row: dict[str, float]) -> None:
        row["p50 ms"], row["p99 ms"] = percentiles(self.best)
        row["p99 raw ms"] = percentiles(self.every)[1]


def labelled_row(questions: list[LabelledQuestion], answer: Any,
                 runs: int = RUNS) -> dict[str, float]:
    """answer(text) -> (outcome, shown entry ids, first candidate) for dev/test."""
    n_in = sum(1 for q in questions if q.expect) or 1
    n_off = sum(1 for q in questions if not q.expect) or 1
    row = dict.fromkeys(COLUMNS, 0.0)
    timer = Timer(runs)
    for q in questions:
        outcome, shown, first = timer(answer, q.text)
        if not q.expect:
            row["off-topic refused"] += 100 / n_off * (outcome != "answer")
            continue
        row["1st cand. right"] += 100 / n_in * (first in q.expect)
        key = {"answer": "direct right" if shown[:1] and shown[0] in q.expect
               else "answered wrong", "fallback": "fallback"}.get(outcome, "")
        if outcome == "clarify":
            key = "dym right 1st" if shown[0] in q.expect else ""
        if key:
            row[key] += 100 / n_in
    timer.fill(row)
    row["silent→contacts"] = float("nan")
    return row


def facts_row(dialogue: Any, baseline: Baseline | None, contacts: list[str],
              path: Path) -> dict[str, float]:
    """A set judged by facts: unionbot's replies, or the baseline's answer text."""
    cases = load_cases(path)
    answers = {e.id: dialogue.answer(e).text for e in dialogue.knowledge.entries.values()}
    fallback = dialogue.ask("").text
    counts = {kind: sum(1 for c in cases if c.kind == kind) or 1
              for kind in ("in_scope", "silent", "off_topic")}
    row = dict.fromkeys(COLUMNS, 0.0)
    timer = Timer(1)
    for case in cases:
        if baseline is None:
            reply = timer(dialogue.ask, case.q)
            kind, text = reply.kind.value, reply.text
            shown = [s.entry_id for s in reply.suggestions]
            first = dialogue.knowledge.matcher.match(case.q).best
            first_id = first.entry_id if first else ""
        else:
            found = timer(baseline.best, case.q)
            first_id = found[0] if found else ""
            kind = "answer" if found and found[1] >= baseline.cutoff else "fallback"
            text = answers[first_id] if kind == "answer" else fallback
            shown = []
        share = 100 / counts[case.kind]
        if case.kind == "off_topic":
            row["off-topic refused"] += share * (kind != "answer")
        elif case.kind == "silent":
            row["silent→contacts"] += share * routed(case, kind == "answer", text, contacts)
        else:
            row["1st cand. right"] += share * bool(first_id and has_facts(answers[first_id],
                                                                          case.facts))
            if kind == "answer":
                row["direct right" if has_facts(text, case.facts) else "answered wrong"] += share
            elif kind == "clarify":
                row["dym right 1st"] += share * has_facts(answers[shown[0]], case.facts)
            else:
                row["fallback"] += share
    timer.fill(row)
    return row


def ours(matcher: Matcher) -> Any:
    def answer(text: str) -> tuple[str, list[str], str]:
        m = matcher.match(text)
        return m.outcome.value, [x.entry_id for x in m.candidates], \
            m.best.entry_id if m.best else ""
    return answer


def theirs(baseline: Baseline) -> Any:
    def answer(text: str) -> tuple[str, list[str], str]:
        found = baseline.best(text)
        if not found:
            return "fallback", [], ""
        return ("answer" if found[1] >= baseline.cutoff else "fallback"), [found[0]], found[0]
    return answer


def print_table(rows: list[tuple[str, dict[str, float]]]) -> None:
    print(f"{'':<22}" + "".join(f"{c:>18}" for c in COLUMNS))
    for label, row in rows:
        cells = "".join(f"{'–':>18}" if v != v else f"{v:>17.1f}{'%' if 'ms' not in c else ' '}"
                        for c, v in row.items())
        print(f"{label:<22}{cells}")


def synthetic_phrasings(real: list[tuple[str, str]], entries: int,
                        seed: int = 7) -> list[tuple[str, str]]:
    """Extra entries made of the real FAQ's words reshuffled, ~11 phrasings each."""
    rng = random.Random(seed)
    texts = [text for _, text in real]
    out = []
    for i in range(entries):
        for _ in range(11):
            a, b = rng.sample(texts, 2)
            cut_a, cut_b = rng.randint(2, max(2, len(a))), rng.randint(0, max(0, len(b) - 2))
            out.append((f"synthetic-{i}", a[:cut_a] + b[cut_b:]))
    return out


def startup(runs: int, compiled: bool = True) -> tuple[float, float]:
    """Median wall time of the bare import line and of `unionbot ask`, run alternately.

    `compiled`: our modules' bytecode is written first, as pip writes it for the installed
    packages the bare line imports; otherwise our (git-ignored) __pycache__ folders are removed
    first. An editable install's modules are compiled on first import and cached, except where
    PYTHONDONTWRITEBYTECODE is set (this machine), when every start compiles them again."""
    packages = ("bot", "faq", "handlers")
    if compiled:
        subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True,
                       cwd=ROOT)
    else:
        for cache in (p for package in packages for p in (ROOT / package).rglob("__pycache__")):
            shutil.rmtree(cache, ignore_errors=True)
    bare: list[float] = []
    ask: list[float] = []
    for _ in range(runs):
        for command, into in (([sys.executable, "-c", "import rapidfuzz, yaml, telegram"], bare),
                              ([sys.executable, "-m", "bot.cli", "ask", "工会无息借款能借几年"],
                               ask)):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            into.append(time.perf_counter() - started)
    return statistics.median(bare), statistics.median(ask)


def large_latency(real: list[tuple[str, str]], matcher: Matcher, entries: int,
                  questions: list[str], runs: int) -> None:
    """Match latency with the FAQ grown to 10,000 entries by synthetic ones."""
    extra = synthetic_phrasings(real, 10_000 - entries)
    started = time.perf_counter()
    big = Matcher(real + extra, matcher.normalizer, matcher.settings, use_cache=False)
    built = time.perf_counter() - started
    timer = Timer(runs)
    for text in questions:
        timer(big.match, text)
    row: dict[str, float] = {}
    timer.fill(row)
    print(f"10,000 entries (dev, test and worker questions): match p50 {row['p50 ms']:.2f} ms, "
          f"p99 {row['p99 ms']:.2f} ms, p99 raw {row['p99 raw ms']:.2f} ms "
          f"(index built in {built:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of each question (latency)")
    parser.add_argument("--no-blind", action="store_true")
    parser.add_argument("--large-only", action="store_true",
                        help="only the 10,000-entry match latency")
    args = parser.parse_args()
    config = load_config(args.config)
    dialogue = open_dialogue(config)
    matcher = dialogue.knowledge.matcher
    real = [(e.id, p) for e in dialogue.knowledge.entries.values() for p in e.phrasings]
    dev = load_question_set(ROOT / "tests" / "data" / "dev_set.yaml")
    test = load_question_set(ROOT / "tests" / "data" / "test_set.yaml")
    questions = [q.text for q in dev + test] + [c.q for c in load_cases(WORKER_SET)]
    if args.large_only:
        large_latency(real, matcher, len(dialogue.knowledge.entries), questions, args.runs)
        return
    baseline = Baseline(real)
    baseline.cutoff = best_cutoff(baseline, dev)
    contacts = [c.value for c in config.contacts]
    print(f"FAQ: {len(dialogue.knowledge.entries)} entries, {len(real)} phrasings; "
          f"baseline cut-off {baseline.cutoff:.0f} (best on dev)")
    rows = []
    for label, labelled in (("dev", dev), ("test", test)):
        rows.append((f"{label} unionbot", labelled_row(labelled, ours(matcher), args.runs)))
        rows.append((f"{label} baseline", labelled_row(labelled, theirs(baseline))))
    sets = [("worker", WORKER_SET), ("check", CHECK_SET), ("fresh", FRESH_SET)]
    sets += [] if args.no_blind else [("blind", BLIND)]
    for label, path in sets:
        rows.append((f"{label} unionbot", facts_row(dialogue, None, contacts, path)))
        rows.append((f"{label} baseline", facts_row(dialogue, baseline, contacts, path)))
    print_table(rows)
    large_latency(real, matcher, len(dialogue.knowledge.entries), questions, args.runs)
    for compiled in (False, True):
        bare, ask = startup(7, compiled)
        print(f"start-up (median of 7, alternated; our bytecode "
              f"{'compiled first' if compiled else 'not compiled'}): bare import {bare:.3f} s, "
              f"`unionbot ask` {ask:.3f} s, ratio {ask / bare:.2f}")


if __name__ == "__main__":
    main()
