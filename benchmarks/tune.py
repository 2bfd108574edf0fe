"""Tune the matcher's score weights and cut-offs on the DEV set (never on the test set).

    python benchmarks/tune.py [--config PATH] [--quick]

For each weight combination it ranks every dev question once, then sweeps the cut-offs offline.
The objective rewards right answers, gives half credit to a "did you mean" that contains the right
entry, takes half a point for an off-topic message that gets "did you mean" instead of the
fallback, and punishes every confident wrong answer heavily; off-topic rejection must stay >= 95%,
and >= 90% of off-topic messages must get the fallback.
It prints the best settings to copy into config.yaml's `matching:` section.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from faq.evaluate import load_question_set  # noqa: E402
from faq.knowledge import load_knowledge  # noqa: E402

WRONG_PENALTY = 10.0
MIN_OFF_TOPIC_FALLBACK = 0.9  # "did you mean" with three unrelated topics is no help either


def objective(rows, answer: float, clarify: float, margin: float) -> tuple[float, dict]:
    """rows: (expected ids, [(entry, score), ...]) per question."""
    right = wrong = clar = offok = offclar = off = inscope = 0
    for expect, ranked in rows:
        top = ranked[0][1] if ranked else 0.0
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        answered = top >= answer and top - second >= margin
        if not expect:
            off += 1
            if answered:
                wrong += 1
            else:
                offok += 1
                offclar += top >= clarify
            continue
        inscope += 1
        if answered:
            if ranked[0][0] in expect:
                right += 1
            else:
                wrong += 1
        elif top >= clarify and any(e in expect for e, s in ranked[:3] if s >= clarify):
            clar += 1
    score = right + 0.5 * clar - 0.5 * offclar - WRONG_PENALTY * wrong
    if off and (offok / off < 0.95 or (offok - offclar) / off < MIN_OFF_TOPIC_FALLBACK):
        score -= 1000
    return score, {"answered_right": right / inscope, "clarify_right": clar / inscope,
                   "wrong": wrong, "off_rejected": offok / max(off, 1),
                   "off_clarified": offclar / max(off, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    args = parser.parse_args()
    config = load_config(args.config)
    knowledge, _ = load_knowledge(config.faq, config.match)
    matcher = knowledge.matcher
    questions = load_question_set(ROOT / "tests" / "data" / "dev_set.yaml")
    queries = [(frozenset(q.expect), knowledge.normalizer.normalize(q.text)) for q in questions]
    base = matcher.settings
    grid = {
        "beta": [1.0, 1.5],
        "weight_fmeasure": [0.6],
        "weight_align": [0.1, 0.2, 0.3],
        "weight_entry": [0.3, 0.45, 0.6, 0.8],
        "query_span": [1.5, 2.0, 3.0],
    }
    if args.quick:
        grid = {k: v[1:2] if k != "weight_entry" else v for k, v in grid.items()}
    best = None
    for values in itertools.product(*grid.values()):
        weights = dict(zip(grid, values, strict=True))
        matcher.settings = replace(base, **weights)
        rows = []
        for expect, query in queries:
            ranked = matcher.rank(query, limit=3)
            rows.append((expect, [(c.entry_id, c.score) for c in ranked]))
        for answer in range(30, 82, 2):
            for clarify in range(15, answer + 1, 3):
                for margin in range(0, 31, 3):
                    score, info = objective(rows, answer, clarify, margin)
                    if best is None or score > best[0]:
                        best = (score, weights, answer, clarify, margin, info)
    score, weights, answer, clarify, margin, info = best
    print(f"objective {score:.1f}: {info}")
    print("matching:")
    print(f"  answer_threshold: {answer}\n  clarify_threshold: {clarify}\n  margin: {margin}")
    for key, value in weights.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
