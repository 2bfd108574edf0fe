"""Fit the decision model (faq/decision.json) on the DEV set and on held-out phrasings.

    python benchmarks/fit_decision.py [--config PATH] [--folds 5] [--dry-run]

Replaces the old cut-off grid search (tune.py). Training questions, never the test or blind set:
- held-out phrasings: the FAQ's alternates split into K folds; each fold is matched against an
  index built without it (the canonical question always stays), so every alternate is a
  question the index has not seen, labelled with its own entry;
- near misses: in each fold, a K-th of the entries is left out of the index whole, and their
  phrasings are questions with no right entry (the hardest kind of off-topic);
- the dev set, matched against the whole FAQ (in-scope and off-topic).
For each question the matcher's considered candidates (faq/decision.py `considered`) are rows
labelled right/wrong; a logistic regression (Newton's method, plain Python, L2) is fitted on
them. The cut-offs are then chosen on the same questions: as many right answers as possible
while wrong answers and answered off-topic messages stay under the limits below.
The test set is only reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from faq.decision import FEATURES, MODEL_PATH, Candidate, DecisionModel, Outcome, Thresholds, choose  # noqa: E402
from faq.evaluate import load_question_set  # noqa: E402
from faq.knowledge import Knowledge, load_knowledge  # noqa: E402
from faq.matcher import Matcher  # noqa: E402

L2 = 1.0
# Limits the cut-offs must keep (shares of each kind of question).
MAX_WRONG_DEV = 0.005
MAX_WRONG_FOLDS = 0.03
MAX_OFF_TOPIC_ANSWERED = 0.025
MAX_NEAR_MISS_ANSWERED = 0.20
FOLD_WEIGHT = 0.5  # staff-written phrasings count half as much as the dev set's questions


@dataclass
class Question:
    kind: str  # dev / fold (in scope), dev-off / near-miss (no right entry), test / test-off
    expect: frozenset[str]
    weighed: list[tuple[Candidate, dict[str, float]]]


def questions_from_folds(knowledge: Knowledge, folds: int) -> list[Question]:
    base = knowledge.matcher
    entries = sorted(knowledge.entries.values(), key=lambda e: e.id)
    out = []
    for fold in range(folds):
        index, held, missing = [], [], []
        for n, entry in enumerate(entries):
            if n % folds == fold:
                missing += [(entry.id, p) for p in entry.phrasings]
                continue
            index.append((entry.id, entry.question))
            for i, alternate in enumerate(entry.alternates):
                (held if (i + n) % folds == fold else index).append((entry.id, alternate))
        matcher = Matcher(index, base.normalizer, base.settings, base.model, use_cache=False)
        for kind, items in (("fold", held), ("near-miss", missing)):
            for eid, text in items:
                query = base.normalizer.normalize(text)
                expect = frozenset([eid]) if kind == "fold" else frozenset()
                out.append(Question(kind, expect, matcher.weigh(query, text=text)))
    return out


def questions_from_set(matcher: Matcher, path: Path, kind: str) -> list[Question]:
    out = []
    for q in load_question_set(path):
        query = matcher.normalizer.normalize(q.text)
        out.append(Question(kind if q.expect else kind + "-off", q.expect,
                            matcher.weigh(query, text=q.text) if query else []))
    return out


def fit(rows: list[tuple[list[float], int, float]], l2: float = L2) -> list[float]:
    """Logistic regression by Newton's method: [intercept, *weights]."""
    d = len(rows[0][0]) + 1
    beta = [0.0] * d
    for _ in range(25):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y, weight in rows:
            xb = [1.0, *x]
            p = _sigmoid(sum(b * v for b, v in zip(beta, xb, strict=True)))
            r, v = weight * (p - y), weight * p * (1 - p)
            for i in range(d):
                grad[i] += r * xb[i]
                vi = v * xb[i]
                row = hess[i]
                for j in range(d):
                    row[j] += vi * xb[j]
        for i in range(1, d):
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return beta


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def with_confidence(model: DecisionModel, questions: list[Question]) -> list[list[Candidate]]:
    return [[Candidate(c.entry_id, c.score, c.phrasing, model.probability(f))
             for c, f in q.weighed] for q in questions]


def tally(questions: list[Question], scored: list[list[Candidate]],
          thresholds: Thresholds) -> dict[str, Counter[str]]:
    """Per kind: questions, right / wrong answers, "did you mean" with the right one first..."""
    out: dict[str, Counter[str]] = {}
    for q, candidates in zip(questions, scored, strict=True):
        c = out.setdefault(q.kind, Counter())
        outcome, shown, confirm = choose(candidates, thresholds, 3)
        c["n"] += 1
        if outcome is Outcome.ANSWER:
            c["right" if shown[0].entry_id in q.expect else "wrong"] += 1
            c["confirm"] += confirm
            c["alternatives"] += len(shown) > 1
        elif outcome is Outcome.CLARIFY:
            c["clarify"] += 1
            c["clarify_first"] += shown[0].entry_id in q.expect
        else:
            c["fallback"] += 1
        c["first_right"] += bool(candidates) and max(
            candidates, key=lambda x: x.confidence).entry_id in q.expect
    return out


def acceptable(t: dict[str, Counter[str]]) -> bool:
    def share(kind: str, key: str) -> float:
        return t[kind][key] / t[kind]["n"] if t.get(kind) and t[kind]["n"] else 0.0

    return (share("dev", "wrong") <= MAX_WRONG_DEV and share("fold", "wrong") <= MAX_WRONG_FOLDS
            and share("dev-off", "wrong") <= MAX_OFF_TOPIC_ANSWERED
            and share("near-miss", "wrong") <= MAX_NEAR_MISS_ANSWERED)


def value(t: dict[str, Counter[str]]) -> float:
    """Right answers first; a "did you mean" with the right entry first is worth a third, one
    without it, or offered for a question the FAQ cannot answer, costs a little."""
    total = 0.0
    for kind, weight in (("dev", 1.0), ("fold", FOLD_WEIGHT)):
        c = t.get(kind, Counter())
        useless = c["clarify"] - c["clarify_first"]
        total += weight * (c["right"] + c["clarify_first"] / 3 - 0.1 * useless
                           - 0.02 * c["alternatives"]) / max(1, c["n"])
    for kind, weight in (("dev-off", 1.0), ("near-miss", FOLD_WEIGHT)):
        c = t.get(kind, Counter())
        total -= weight * 0.2 * c["clarify"] / max(1, c["n"])
    return total


def choose_thresholds(questions: list[Question], scored: list[list[Candidate]]) -> Thresholds:
    grid = [x / 100 for x in range(20, 96, 5)]
    best, best_value = Thresholds(), -1.0
    for answer, alternative, clarify in itertools.product(grid, [0.2, 0.3, 0.4, 0.5],
                                                          [0.05, 0.1, 0.15, 0.2, 0.3]):
        if alternative > answer:
            continue
        for confirm in (x for x in grid if clarify <= x <= answer):
            thresholds = Thresholds(answer, alternative, clarify, confirm)
            t = tally(questions, scored, thresholds)
            if acceptable(t) and value(t) > best_value:
                best, best_value = thresholds, value(t)
    return best


def report(label: str, t: dict[str, Counter[str]]) -> None:
    for kind, c in sorted(t.items()):
        n = max(1, c["n"])
        print(f"  {label:<6} {kind:<10} n={c['n']:4d}  right {100 * c['right'] / n:5.1f}%  "
              f"wrong {100 * c['wrong'] / n:4.1f}%  (confirm {c['confirm']})  "
              f"dym {100 * c['clarify'] / n:4.1f}% (right first {c['clarify_first']})  "
              f"fallback {100 * c['fallback'] / n:4.1f}%  first right "
              f"{100 * c['first_right'] / n:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the model")
    args = parser.parse_args()
    config = load_config(args.config)
    knowledge, _ = load_knowledge(config.faq, config.match)
    matcher = knowledge.matcher
    data = ROOT / "tests" / "data"
    train = questions_from_folds(knowledge, args.folds)
    train += questions_from_set(matcher, data / "dev_set.yaml", "dev")
    rows = [([f[name] for name in FEATURES], int(c.entry_id in q.expect),
             FOLD_WEIGHT if q.kind in ("fold", "near-miss") else 1.0)
            for q in train for c, f in q.weighed]
    beta = fit(rows)
    model = DecisionModel(beta[0], dict(zip(FEATURES, beta[1:], strict=True)))
    scored = with_confidence(model, train)
    thresholds = choose_thresholds(train, scored)
    model = DecisionModel(model.intercept, model.weights, thresholds)
    print("coefficients:", {k: round(v, 3) for k, v in model.weights.items()},
          "intercept", round(model.intercept, 3))
    print("thresholds:", thresholds)
    report("train", tally(train, scored, thresholds))
    test = questions_from_set(matcher, data / "test_set.yaml", "test")
    report("held", tally(test, with_confidence(model, test), thresholds))
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(model.to_json(), indent=2) + "\n", "utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
