"""Hostile and very long messages: normalisation and matching stay linear and unchanged.

Before, the amount pattern retried from every digit of a run, and ran on the whole message:
one 4,096-digit message took ~0.5 s, 100,000 digits ~5 minutes.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from bot.dialogue import Dialogue
from faq.evaluate import load_question_set
from faq.knowledge import Knowledge
from faq.matcher import _CLAUSE_END, MAX_CLAUSES, MIN_CLAUSE, Matcher
from faq.text import Normalizer, _fold_amounts, cn_to_int

DATA = Path(__file__).resolve().parent / "data"

# The patterns as they were: quadratic on long runs, the reference for what they should do.
OLD_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=[万千元年个月名家项人岁块])")
OLD_LATIN_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(w|k)(?![a-z])")

HOSTILE = {
    "4,096 digits": "7" * 4096,
    "100,000 digits": "1" * 100_000,
    "100,000 '1.' pairs": "1." * 100_000,
    "50,000 emoji": "😀" * 50_000,
    "50,000 mixed digits and w": "".join(random.Random(5).choice("12w") for _ in range(50_000)),
    "100,000 十": "十" * 100_000,
    "100,000 '1 ' clauses": "1 " * 100_000,
    "100,000 '十万，' clauses": "十万，" * 33_334,
}


def old_fold_amounts(text: str) -> str:
    text = OLD_LATIN_AMOUNT.sub(lambda m: m.group(1) + ("万" if m.group(2) == "w" else "千"),
                                text)

    def cn(match: re.Match[str]) -> str:
        value = cn_to_int(match.group(0))
        return match.group(0) if value is None else str(value)

    return OLD_CN_NUMBER.sub(cn, text)


def test_linear_amount_patterns_fold_exactly_as_before() -> None:
    rng = random.Random(1)
    alphabet = list("0123456789..wwkkax十千万元三两百零年 ") + ["１", "٣"]
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
               for _ in range(20_000)]
    samples += ["三千五千", "1.5.5w", "十十十万", "两千", "3.w", "12kg", "5k够吗", "一千二百元"]
    differ = [s for s in samples if _fold_amounts(s) != old_fold_amounts(s)]
    assert differ == []


@pytest.fixture(scope="module")
def knowledge(shipped_dialogue: Dialogue) -> Knowledge:
    return shipped_dialogue.knowledge


def long_messages(count: int, seed: int) -> list[str]:
    """Long messages made of real questions, as a worker telling a story might send."""
    questions = [q.text for name in ("dev_set.yaml", "test_set.yaml")
                 for q in load_question_set(DATA / name)]
    rng = random.Random(seed)
    return ["，".join(rng.choice(questions) for _ in range(rng.randint(10, 200)))
            for _ in range(count)]


def test_cut_before_normalising_changes_nothing_on_long_messages(knowledge: Knowledge) -> None:
    bounded = knowledge.normalizer
    unbounded = Normalizer(bounded.synonyms, bounded.fillers, max_chars=0)
    messages = long_messages(400, seed=2)
    window = len(bounded.tail("x" * 10_000))
    assert sum(len(m) > 2 * window for m in messages) > 200  # most are cut, many twice over
    differ = [m for m in messages
              if bounded.normalize(m) != unbounded.normalize(m)[-bounded.max_chars:]]
    assert differ == []


def old_parts(matcher: Matcher, text: str) -> tuple[str, ...]:
    """Matcher.parts as it was: every clause of the whole message normalised."""
    clauses = [matcher.normalizer.normalize(c) for c in _CLAUSE_END.split(text)]
    clauses = [c for c in clauses if len(c) >= MIN_CLAUSE][-MAX_CLAUSES:]
    return tuple(dict.fromkeys([*clauses, "".join(clauses[-2:])])) if len(clauses) > 1 else ()


def test_parts_of_long_messages_are_as_before(knowledge: Knowledge) -> None:
    matcher = knowledge.matcher
    messages = long_messages(300, seed=3)
    assert sum(len(m) > 2 * len(matcher.normalizer.tail(m)) for m in messages) > 150
    assert [m for m in messages if matcher.parts(m) != old_parts(matcher, m)] == []


def test_long_input_is_matched_on_its_end(knowledge: Knowledge) -> None:
    story = "我们厂去年效益不好，" * 400 + "师傅你好，下岗了想开个小店工会能借多少钱？"
    assert knowledge.matcher.match(story).best is not None
    assert knowledge.normalizer.normalize(story).endswith("下岗了想创业工会能借多少钱")


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_normalises_and_matches(knowledge: Knowledge, text: str) -> None:
    normalizer, matcher = knowledge.normalizer, knowledge.matcher
    query = normalizer.normalize(text)
    assert len(query) <= normalizer.max_chars
    assert query == normalizer.normalize(normalizer.tail(text))
    match = matcher.match(text)
    assert match.query == query and match.outcome in ("answer", "clarify", "fallback")
    assert len(matcher.parts(text)) <= 3 + 1


def test_hostile_input_folds_as_expected(knowledge: Knowledge) -> None:
    normalizer = knowledge.normalizer
    assert normalizer.normalize("1" * 100_000) == "1" * normalizer.max_chars
    assert normalizer.normalize("😀" * 50_000) == ""
    assert normalizer.normalize("1." * 100_000) == ("1." * 100)[-normalizer.max_chars - 1:-1]
    assert normalizer.normalize("3" * 5000 + "w") == "3" * (normalizer.max_chars - 1) + "万"


@pytest.mark.parametrize("max_chars", [150, 0], ids=["with the cut", "patterns alone"])
def test_100k_digits_take_well_under_a_second(knowledge: Knowledge, max_chars: int) -> None:
    """Regression guard only (it took ~5 minutes): with max_chars 0 nothing is cut, so this
    times the patterns themselves on the whole run."""
    base = knowledge.normalizer
    normalizer = Normalizer(base.synonyms, base.fillers, max_chars=max_chars)
    matcher = Matcher([("x", "无息借款")], normalizer)
    text = "1" * 50_000 + "1.5w" + "1" * 50_000
    started = time.perf_counter()
    query = normalizer.normalize(text)
    matcher.match(text)
    elapsed = time.perf_counter() - started
    assert query.endswith(("1.5万" + "1" * 50_000) if not max_chars else "1" * max_chars)
    assert elapsed < 1.0, f"{elapsed:.2f} s"
