"""Accuracy floors of the shipped FAQ on the dev set and the held-out test set.

The floors sit a little under today's figures (benchmarks/matching.py prints them), so a content
or matcher change that makes workers' answers worse fails here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from faq.evaluate import evaluate, load_question_set
from faq.matcher import Outcome

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def matcher(shipped_dialogue):
    return shipped_dialogue.knowledge.matcher


def test_dev_set_floor(matcher) -> None:
    result = evaluate(load_question_set(DATA / "dev_set.yaml"), matcher.match)
    s = result.summary()
    assert result.in_scope >= 150 and result.off_topic >= 50
    assert s["top1"] >= 97.0, result.mistakes
    # The issue asks that dev not get worse than stop 14's 91.0 % (now 91.9 %).
    assert s["answered_right"] >= 91.0
    # 3 since the silent cut-off went to 0.4: 「教师资格证几月考」 gets 技能鉴定's answer with
    # "the report does not say when" and the contacts (worker set: silent routed +6 points);
    # 「大学录取分数线」 gets 求学圆梦's 单独划线 since the refit at `answer` 0.65.
    assert result.confidently_wrong <= 3, result.mistakes
    assert s["off_topic_rejected"] >= 95.0 and s["off_topic_fallback"] >= 88.0


def test_held_out_test_set_floor(matcher) -> None:
    result = evaluate(load_question_set(DATA / "test_set.yaml"), matcher.match)
    s = result.summary()
    assert s["top1"] >= 94.0, result.mistakes
    assert s["answered_right"] >= 88.0
    assert result.confidently_wrong <= 2, result.mistakes
    assert s["off_topic_rejected"] >= 95.0


def test_did_you_mean_always_offers_two_or_more(matcher) -> None:
    for name in ("dev_set.yaml", "test_set.yaml"):
        for question in load_question_set(DATA / name):
            match = matcher.match(question.text)
            if match.outcome is Outcome.CLARIFY:
                assert len(match.candidates) >= 2, question.text


def test_dev_and_test_sets_do_not_copy_faq_phrasings(shipped_dialogue) -> None:
    normalize = shipped_dialogue.knowledge.normalizer.normalize
    phrasings = {normalize(p) for e in shipped_dialogue.knowledge.entries.values()
                 for p in e.phrasings}
    for name in ("dev_set.yaml", "test_set.yaml"):
        questions = [q for q in load_question_set(DATA / name) if q.expect]
        same = [q.text for q in questions if normalize(q.text) in phrasings]
        # Short natural questions sometimes coincide after normalisation (simplified vs
        # traditional, synonyms); copying would show as far more than this.
        assert len(same) <= 0.05 * len(questions), (name, same)


def test_worker_set_floor(shipped_dialogue, shipped_config) -> None:
    """The worker set (tests/data/worker_set.yaml, labelled by facts) judged as the blind set
    is (benchmarks/blind.py). The shipped model is fitted on it, so these floors sit under
    the cross-validated figures `python benchmarks/fit_decision.py` prints (direct right
    82.9 %, answered wrong 1.2 %, off-topic refused 94.3 %, first candidate right 96.5 %),
    not under the higher fit-on-itself ones."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from blind import load_cases, score

    contacts = [c.value for c in shipped_config.contacts]
    s = score(shipped_dialogue, load_cases(DATA / "worker_set.yaml"), contacts)
    assert s["in_scope"] >= 400 and s["off_topic"] >= 80 and s["silent"] >= 80
    assert s["direct_right"] >= 80.0 and s["answered_wrong"] <= 2.0
    assert s["first_right"] >= 95.0 and s["off_not_answered"] >= 92.0
    assert s["silent_routed"] >= 50.0 and s["single_option_dym"] == 0
