"""Scoring the matcher on a labelled question set (used by the benchmark and the accuracy test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faq.matcher import Match, Matcher, Outcome
from faq.yamlfile import read_yaml


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    expect: frozenset[str]  # empty for off-topic


@dataclass
class EvalResult:
    in_scope: int = 0
    off_topic: int = 0
    top1: int = 0  # best-ranked entry is right
    top3: int = 0  # a right entry among the first three
    answered_right: int = 0  # outcome answer, right entry
    clarified: int = 0  # in-scope questions that got "did you mean"
    confidently_wrong: int = 0  # outcome answer with a wrong entry (in-scope or off-topic)
    off_topic_rejected: int = 0  # off-topic not answered
    off_topic_fallback: int = 0  # off-topic that fell back (no suggestions either)
    mistakes: list[str] = field(default_factory=list)

    def pct(self, n: int, of: int) -> float:
        return 100.0 * n / of if of else 0.0

    def summary(self) -> dict[str, float]:
        return {
            "top1": self.pct(self.top1, self.in_scope),
            "top3": self.pct(self.top3, self.in_scope),
            "answered_right": self.pct(self.answered_right, self.in_scope),
            "clarified": self.pct(self.clarified, self.in_scope),
            "off_topic_rejected": self.pct(self.off_topic_rejected, self.off_topic),
            "off_topic_fallback": self.pct(self.off_topic_fallback, self.off_topic),
            "confidently_wrong": float(self.confidently_wrong),
        }


def load_question_set(path: Path) -> list[LabelledQuestion]:
    """Read a dev/test file: `in_scope: [{q, expect}]`, `off_topic: [text]`."""
    data = read_yaml(path).data or {}
    questions = []
    for item in data.get("in_scope", []):
        expect = item["expect"]
        ids = frozenset([expect] if isinstance(expect, str) else expect)
        questions.append(LabelledQuestion(str(item["q"]), ids))
    questions += [LabelledQuestion(str(text), frozenset()) for text in data.get("off_topic", [])]
    return questions


def evaluate(questions: list[LabelledQuestion], match: Callable[[str], Match]) -> EvalResult:
    """Run every question through `match` and count the outcomes."""
    result = EvalResult()
    for question in questions:
        m = match(question.text)
        ranked = [c.entry_id for c in m.candidates]
        if not question.expect:
            result.off_topic += 1
            if m.outcome is Outcome.ANSWER:
                result.confidently_wrong += 1
                result.mistakes.append(f"off-topic answered: {question.text} -> {ranked[0]}")
            else:
                result.off_topic_rejected += 1
                result.off_topic_fallback += m.outcome is Outcome.FALLBACK
            continue
        result.in_scope += 1
        right_top1 = bool(ranked) and ranked[0] in question.expect
        result.top1 += right_top1
        result.top3 += any(r in question.expect for r in ranked[:3])
        if m.outcome is Outcome.ANSWER:
            if right_top1:
                result.answered_right += 1
            else:
                result.confidently_wrong += 1
                result.mistakes.append(f"wrong answer: {question.text} -> {ranked[0]} "
                                       f"(want {'/'.join(sorted(question.expect))})")
        elif m.outcome is Outcome.CLARIFY:
            result.clarified += 1
            if not any(r in question.expect for r in ranked[:3]):
                result.mistakes.append(f"clarify without it: {question.text} -> {ranked[:3]} "
                                       f"(want {'/'.join(sorted(question.expect))})")
        else:
            result.mistakes.append(f"fallback: {question.text} (want "
                                   f"{'/'.join(sorted(question.expect))}, best {ranked[:1]} "
                                   f"{m.score:.0f})")
    return result


def matcher_eval(questions: list[LabelledQuestion], matcher: Matcher) -> EvalResult:
    return evaluate(questions, matcher.match)
