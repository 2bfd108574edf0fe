"""Choosing the decision's four cut-offs on training questions (benchmarks/fit_decision.py).

Each question carries its considered candidates with the model's inputs; with a model's
confidences, `tally` counts what `faq.decision.choose` would do per kind of question, and
`choose_thresholds` searches a grid for the cut-offs that answer the most while wrong answers
and answered off-topic messages stay under LIMITS.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from faq.decision import Candidate, DecisionModel, Outcome, Thresholds, choose

# Largest share of each kind of question that may be answered wrongly. Kinds: dev / worker /
# fold (in scope), dev-off / worker-off / near-miss (no right entry). The worker budgets are
# 2.5 % and 5.5 % (were 2 % and 5 %) since the four worker sets are pooled: facts labels count
# some fair answers as wrong (an answer wording a fact differently; 「你是机器人吗」 answered by
# the bot's own entry). At 2 %/5 % that noise pushed `answer` to 0.8: dev 84.1 %, test 90.2 %
# answered right; now 0.75 with `confirm` 0.5: dev 89.4 %, test 94.6 %, and on the check set
# (tests/data/check_set.yaml) 92.2 % right for 2.3 % wrong against 90.4 % for 1.8 %.
# The dev budget is one question (0.35 % of 321; was 1 %): the issue asks that dev not get
# worse than stop 14's 0.3 % wrong. Refitted after the silent details and content edits, a 1 %
# budget gave `answer` 0.5: dev 92.8 % right but 5 wrong end to end; one question gives 0.65:
# dev 91.9 % right, 1 wrong, the check set unchanged (92.2 % right, 2.3 % wrong).
LIMITS = {"dev": 0.0035, "worker": 0.025, "fold": 0.04, "dev-off": 0.03, "worker-off": 0.055,
          "near-miss": 0.25}
# What a right answer of each kind is worth (staff-written phrasings count half).
WEIGHTS = {"dev": 1.0, "worker": 1.0, "fold": 0.5, "dev-off": 1.0, "worker-off": 1.0,
           "near-miss": 0.5}


@dataclass
class Question:
    kind: str  # see LIMITS
    expect: frozenset[str]
    weighed: list[tuple[Candidate, dict[str, float]]]


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
    return all(t[kind]["wrong"] <= limit * t[kind]["n"] for kind, limit in LIMITS.items()
               if kind in t)


def value(t: dict[str, Counter[str]]) -> float:
    """Right answers first (with 「不是这个？」 or 「也许您想问」 they count the same); a "did you
    mean" with the right entry first is worth a third, one without it costs a little, and so
    does one offered for a question the FAQ cannot answer."""
    total = 0.0
    for kind, c in t.items():
        n = max(1, c["n"])
        if kind.endswith("-off") or kind == "near-miss":
            total -= WEIGHTS[kind] * 0.2 * c["clarify"] / n
            continue
        useless = c["clarify"] - c["clarify_first"]
        total += WEIGHTS[kind] * (c["right"] + c["clarify_first"] / 3 - 0.1 * useless) / n
    return total


def choose_thresholds(questions: list[Question], scored: list[list[Candidate]]) -> Thresholds:
    grid = [x / 100 for x in range(20, 96, 5)]
    best, best_value = Thresholds(), -1e9
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
