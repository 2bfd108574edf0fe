"""Fit the decision model (faq/decision.json) on held-out phrasings, the dev set and the worker
set, and report the worker set cross-validated.

    python benchmarks/fit_decision.py [--config PATH] [--folds 5] [--dry-run]

Training questions, never the test or blind set:
- held-out phrasings: the FAQ's alternates split into K folds; each fold is matched against an
  index built without it (the canonical question always stays), so every alternate is a
  question the index has not seen, labelled with its own entry;
- near misses: in each fold, a K-th of the entries is left out of the index whole, and their
  phrasings are questions with no right entry (the hardest kind of off-topic);
- the dev set (entry labels) and the worker sets (tests/data/worker_set*.yaml, labelled by
  facts: a question's right entries are those whose answer holds its facts; silent questions
  count with the programme's facts; a question whose facts no answer holds names no entry and
  is left out — a content gap, or a label stricter than the answer's wording; so is a question
  that is itself one of the FAQ's phrasings, which says nothing about unseen questions — staff
  may have added it as an alternate), matched against the whole FAQ.
For each question the matcher's considered candidates (faq/decision.py `considered`) are rows
labelled right/wrong; a logistic regression (benchmarks/logistic.py) is fitted on them and the
cut-offs chosen on the same questions (benchmarks/cutoffs.py).

The worker sets are also scored end to end (the dialogue's replies, judged by facts as
benchmarks/blind.py does) in K folds: each fold's cases by a model fitted and cut without them.
Those cross-validated figures are the ones to quote. The test set is only reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from blind import Answers, Case, figures, judge, load_cases  # noqa: E402
from cutoffs import Question, choose_thresholds, report, tally, with_confidence  # noqa: E402
from logistic import fit  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from faq.decision import FEATURES, MODEL_PATH, Candidate, DecisionModel  # noqa: E402
from faq.evaluate import load_question_set  # noqa: E402
from faq.knowledge import Knowledge  # noqa: E402
from faq.matcher import Matcher  # noqa: E402

DATA = ROOT / "tests" / "data"
WORKER_SETS = sorted(DATA.glob("worker_set*.yaml"))
WORKER_KINDS = ("worker", "worker-off")  # the worker questions a model is trained on


def questions_from_folds(knowledge: Knowledge, folds: int) -> list[Question]:
    base = knowledge.matcher
    entries = sorted(knowledge.entries.values(), key=lambda e: e.id)
    out = []
    for fold in range(folds):
        index: list[tuple[str, str]] = []
        held: list[tuple[str, str]] = []
        missing: list[tuple[str, str]] = []
        answers: list[tuple[str, str]] = []
        for n, entry in enumerate(entries):
            if n % folds == fold:
                missing += [(entry.id, p) for p in entry.phrasings]
                continue
            index.append((entry.id, entry.question))
            answers.append((entry.id, entry.answer))
            for i, alternate in enumerate(entry.alternates):
                (held if (i + n) % folds == fold else index).append((entry.id, alternate))
        matcher = Matcher(index, base.normalizer, base.settings, base.model, use_cache=False,
                          answers=answers)
        for kind, items in (("fold", held), ("near-miss", missing)):
            for eid, text in items:
                query = base.normalizer.normalize(text)
                expect = frozenset([eid]) if kind == "fold" else frozenset()
                out.append(Question(kind, expect, matcher.weigh(query, text=text)))
    return out


def weighed(matcher: Matcher, text: str) -> list[tuple[Candidate, dict[str, float]]]:
    """A question's candidates with the model's inputs; none for a question the decision never
    sees (empty, or about a place outside Hebei: it falls back before any cut-off, so it
    neither trains the model nor spends the off-topic budget). The matcher's first candidate
    stands in for the decided one there."""
    query = matcher.normalizer.normalize(text)
    rows = matcher.weigh(query, text=text) if query else []
    if rows and matcher.outside_hebei(query, rows[0][0].entry_id):
        return []
    return rows


def questions_from_set(matcher: Matcher, path: Path, kind: str) -> list[Question]:
    return [Question(kind if q.expect else kind + "-off", q.expect, weighed(matcher, q.text))
            for q in load_question_set(path)]


def worker_questions(knowledge: Knowledge, cases: list[Case], answers: Answers
                     ) -> list[Question]:
    """One question per worker case: kind "skip" (not trained on, still judged) when no
    entry's answer holds its facts, "phrasing" (neither trained on nor judged) for a case that
    is an FAQ phrasing."""
    matcher, norm = knowledge.matcher, knowledge.normalizer.normalize
    phrasings = matcher.normal_forms
    out = []
    for case in cases:
        kind = "worker-off" if case.kind == "off_topic" else "worker"
        expect = answers.right_entries(case.facts) if kind == "worker" else frozenset()
        if kind == "worker" and not expect:  # no answer holds the facts: the label names
            kind = "skip"  # no entry (a content gap, or a silent case without facts)
        if norm(case.q) in phrasings:
            kind = "phrasing"
        out.append(Question(kind, expect, weighed(matcher, case.q)))
    return out


def train(questions: list[Question]) -> DecisionModel:
    """Coefficients by logistic regression, then the cut-offs, on the same questions."""
    rows = [([f[name] for name in FEATURES], int(c.entry_id in q.expect),
             0.5 if q.kind in ("fold", "near-miss") else 1.0)
            for q in questions for c, f in q.weighed]
    beta = fit(rows)
    model = DecisionModel(beta[0], dict(zip(FEATURES, beta[1:], strict=True)))
    thresholds = choose_thresholds(questions, with_confidence(model, questions))
    return DecisionModel(model.intercept, model.weights, thresholds)


def cross_validate(dialogue: object, base: list[Question], workers: list[Question],
                   cases: list[tuple[str, Case]], contacts: list[str], folds: int
                   ) -> dict[str, Counter[str]]:
    """The worker sets end to end, each fold's cases judged by a model fitted without them."""
    matcher = dialogue.knowledge.matcher  # type: ignore[attr-defined]
    shipped, answers = matcher.model, Answers(dialogue)
    counts: dict[str, Counter[str]] = {}
    for fold in range(folds):
        kept = [q for i, q in enumerate(workers) if i % folds != fold and q.kind in WORKER_KINDS]
        matcher.model = train(base + kept)
        for (name, case), q in zip(cases[fold::folds], workers[fold::folds], strict=True):
            if q.kind != "phrasing":
                counts.setdefault(name, Counter()).update(judge(dialogue, case, contacts,
                                                                answers))
    matcher.model = shipped
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the model")
    args = parser.parse_args()
    config = load_config(args.config)
    dialogue = open_dialogue(config)
    knowledge = dialogue.knowledge
    matcher = knowledge.matcher
    cases = [(path.stem, case) for path in WORKER_SETS for case in load_cases(path)]
    base = questions_from_folds(knowledge, args.folds)
    base += questions_from_set(matcher, DATA / "dev_set.yaml", "dev")
    workers = worker_questions(knowledge, [case for _, case in cases], Answers(dialogue))
    contacts = [c.value for c in config.contacts]
    for name, counts in cross_validate(dialogue, base, workers, cases, contacts,
                                       args.folds).items():
        print(f"{name}, cross-validated end to end (FAQ phrasings left out):",
              {k: round(v, 1) for k, v in figures(counts).items()})
    everything = base + [q for q in workers if q.kind in WORKER_KINDS]
    model = train(everything)
    print("coefficients:", {k: round(v, 3) for k, v in model.weights.items()},
          "intercept", round(model.intercept, 3))
    print("thresholds:", model.thresholds)
    report("train", tally(everything, with_confidence(model, everything), model.thresholds))
    test = questions_from_set(matcher, DATA / "test_set.yaml", "test")
    report("held", tally(test, with_confidence(model, test), model.thresholds))
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(model.to_json(), indent=2) + "\n", "utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
