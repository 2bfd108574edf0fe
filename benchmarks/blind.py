"""Scoring replies on the blind set by the facts a right answer must contain (REPORTING ONLY).

    python benchmarks/blind.py [--config PATH]

tests/data/blind_set.yaml was written from the source report alone and is frozen: run it to
report, never to tune (no alternates, synonyms, thresholds or model changes because of it).
Its cases are `{id, kind: in_scope|silent|off_topic, q, facts: [[keyword, ...], ...]}`; a reply
is right when every group has a keyword in the reply text. Both sides are compared after NFKC
with all whitespace removed, and a keyword also counts when it occurs after the normaliser's
amount folding of both texts (十万 → 10万, 三年 → 3年).

Only the dialogue's public surface is used (`ask`, `answer`, `knowledge.matcher.match`), so the
same file scores an older checkout too (run it with that checkout first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "data" / "blind_set.yaml"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # in_scope | silent | off_topic
    q: str
    facts: tuple[tuple[str, ...], ...]


def load_cases(path: Path = BLIND) -> list[Case]:
    import yaml

    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return [Case(str(c["id"]), str(c["kind"]), str(c["q"]),
                 tuple(tuple(str(k) for k in group) for group in c.get("facts") or ()))
            for c in data.get("cases", [])]


def _flat(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def _fold(text: str) -> str:
    from faq.text import _fold_amounts  # the normaliser's own amount folding

    return _fold_amounts(text)


def has_facts(text: str, facts: tuple[tuple[str, ...], ...]) -> bool:
    """Every group of keywords has one in the text (plain or amount-folded)."""
    if not facts:
        return False
    flat = _flat(text)
    folded = _fold(flat)
    return all(any(_flat(k) in flat or _fold(_flat(k)) in folded for k in group)
               for group in facts)


class Answers:
    """Each entry's answer as the dialogue renders it (facts are looked for in this text)."""

    def __init__(self, dialogue: Any) -> None:
        self.dialogue = dialogue
        self._texts: dict[str, str] = {}

    def text(self, entry_id: str) -> str:
        if entry_id not in self._texts:
            entry = self.dialogue.knowledge.entries[entry_id]
            self._texts[entry_id] = self.dialogue.answer(entry).text
        return self._texts[entry_id]

    def right_entries(self, facts: tuple[tuple[str, ...], ...]) -> frozenset[str]:
        """The entries whose answer holds every group of facts (a facts label as entry ids)."""
        return frozenset(e for e in self.dialogue.knowledge.entries if has_facts(self.text(e),
                                                                                 facts))


def routed(case: Case, answered: bool, text: str, contact_values: list[str]) -> bool:
    """A silent case is routed: the reply gives the contacts and, when the label names any of
    what the report does say, is an answer holding it (no label: the contacts alone)."""
    contacts = any(v in text for v in contact_values)
    return contacts and (not case.facts or (answered and has_facts(text, case.facts)))


def judge(dialogue: Any, case: Case, contact_values: list[str], answers: Answers) -> Counter[str]:
    """What one case counts towards (see `figures`)."""
    counts: Counter[str] = Counter([case.kind])
    reply = dialogue.ask(case.q)
    kind = reply.kind.value
    suggestions = list(getattr(reply, "suggestions", ()) or ())
    if kind == "clarify" and len(suggestions) < 2:
        counts["single_option_dym"] += 1
    contacts = any(v in reply.text for v in contact_values)
    if case.kind == "off_topic":
        counts["off_not_answered"] += not reply.answered
        counts["off_fallback"] += kind == "fallback"
        return counts
    right_text = has_facts(reply.text, case.facts)
    if case.kind == "silent":
        counts["silent_contacts_any"] += contacts
        counts["silent_routed"] += routed(case, reply.answered, reply.text, contact_values)
        return counts
    ranked = dialogue.knowledge.matcher.match(case.q).candidates
    counts["first_right"] += bool(ranked) and has_facts(answers.text(ranked[0].entry_id),
                                                        case.facts)
    if reply.answered:
        counts["direct_right" if right_text else "answered_wrong"] += 1
        counts["told_silent"] += bool(getattr(reply, "silent", ""))
    elif kind == "clarify":
        first = suggestions[0].entry_id if suggestions else None
        counts["dym_right_first"] += first is not None and has_facts(answers.text(first),
                                                                     case.facts)
        counts["dym"] += 1
    else:
        counts["fallback"] += 1
    return counts


def figures(counts: Counter[str]) -> dict[str, float]:
    """Percentages of each kind's cases (and the count of single-option "did you mean")."""
    def pct(key: str, of: str) -> float:
        return 100.0 * counts[key] / counts[of] if counts[of] else 0.0

    return {
        "in_scope": counts["in_scope"], "silent": counts["silent"],
        "off_topic": counts["off_topic"],
        "direct_right": pct("direct_right", "in_scope"),
        "answered_wrong": pct("answered_wrong", "in_scope"),
        "dym_right_first": pct("dym_right_first", "in_scope"),
        "dym": pct("dym", "in_scope"),
        "fallback": pct("fallback", "in_scope"),
        "told_silent": pct("told_silent", "in_scope"),
        "first_right": pct("first_right", "in_scope"),
        "off_not_answered": pct("off_not_answered", "off_topic"),
        "off_fallback": pct("off_fallback", "off_topic"),
        "silent_routed": pct("silent_routed", "silent"),
        "silent_contacts_any": pct("silent_contacts_any", "silent"),
        "single_option_dym": counts["single_option_dym"],
    }


def score(dialogue: Any, cases: list[Case], contact_values: list[str]) -> dict[str, float]:
    """The figures for one dialogue over a set of cases."""
    answers = Answers(dialogue)
    counts: Counter[str] = Counter()
    for case in cases:
        counts.update(judge(dialogue, case, contact_values, answers))
    return figures(counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--cases", default=str(BLIND), help="another set in the same format")
    args = parser.parse_args()
    from bot.config import load_config
    from bot.loading import open_dialogue

    config = load_config(args.config)
    dialogue = open_dialogue(config)
    values = [c.value for c in config.contacts]
    for key, value in score(dialogue, load_cases(Path(args.cases)), values).items():
        print(f"{key:>22}: {value:.1f}")


if __name__ == "__main__":
    main()
