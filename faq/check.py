"""Content checks behind `unionbot check` and `/reload`, each problem with file and line.

Shape problems (YAML, fields, duplicate ids) come from loading; this module adds what needs the
whole picture: links between entries, answer length, faithfulness to the source document, and
what the matcher would do with each phrasing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from faq.knowledge import FaqPaths, Knowledge
from faq.text import NUMBER
from faq.yamlfile import Problem

TELEGRAM_MESSAGE_LIMIT = 4096
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CheckConfig:
    min_alternates: int = 8
    max_answer_chars: int = 600
    max_button_label_chars: int = 20


def check_knowledge(knowledge: Knowledge, paths: FaqPaths, config: CheckConfig,
                    deep: bool = True, contacts: str = "") -> list[Problem]:
    """Every problem in the loaded content. `deep` adds the matcher-based checks."""
    problems: list[Problem] = []
    problems += check_entries(knowledge, config, contacts)
    problems += check_sources(knowledge, paths.source_document)
    if knowledge.content.flows:
        from faq.flows import check_flows

        problems += check_flows(knowledge.content, config)
    if deep:
        problems += check_confusions(knowledge)
    return problems


def check_entries(knowledge: Knowledge, config: CheckConfig, contacts: str) -> list[Problem]:
    content = knowledge.content
    problems = []
    seen_phrasings: dict[str, str] = {}
    for entry in content.entries.values():
        def at(message: str, entry=entry) -> Problem:
            return Problem(entry.file, entry.line, f"entry {entry.id}: {message}")

        if len(entry.alternates) < config.min_alternates:
            problems.append(at(f"has {len(entry.alternates)} alternates; at least "
                               f"{config.min_alternates} are needed for reliable matching"))
        for rid in entry.related:
            if rid == entry.id:
                problems.append(at("'related' links to itself"))
            elif rid not in content.entries:
                problems.append(at(f"'related' names unknown entry {rid!r}"))
        if entry.flow and content.flows is not None and entry.flow not in content.flows:
            problems.append(at(f"'flow' names unknown flow {entry.flow!r}"))
        rendered = entry.answer.replace("{contacts}", contacts)
        if len(rendered) > TELEGRAM_MESSAGE_LIMIT:
            problems.append(at(f"answer is {len(rendered)} characters, more than one Telegram "
                               f"message ({TELEGRAM_MESSAGE_LIMIT})"))
        elif len(entry.answer.replace("{contacts}", "")) > config.max_answer_chars:
            problems.append(at(f"answer is {len(entry.answer)} characters; keep it under "
                               f"{config.max_answer_chars} for a phone screen"))
        for phrasing in entry.phrasings:
            norm = knowledge.normalizer.normalize(phrasing)
            if not norm:
                problems.append(at(f"phrasing {phrasing!r} has nothing to match on"))
                continue
            other = seen_phrasings.setdefault(norm, entry.id)
            if other != entry.id:
                problems.append(at(f"phrasing {phrasing!r} is the same as one of entry {other}"))
    return problems


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def check_sources(knowledge: Knowledge, document: Path | None) -> list[Problem]:
    """Each source passage occurs in the document; each number in an answer occurs in its
    sources (so no amount, date or count is invented)."""
    problems = []
    doc_text = None
    if document is not None and document.is_file():
        doc_text = _squash(document.read_text(encoding="utf-8"))
    for entry in knowledge.content.entries.values():
        sources = "".join(_squash(s) for s in entry.source)
        if doc_text is not None:
            for passage in entry.source:
                if _squash(passage) not in doc_text:
                    problems.append(Problem(entry.file, entry.line,
                                            f"entry {entry.id}: source passage not found in the "
                                            f"document: {passage[:40]!r}…"))
        answer = entry.answer.replace("{contacts}", "")
        for number in sorted(set(NUMBER.findall(answer))):
            if number not in sources:
                problems.append(Problem(entry.file, entry.line,
                                        f"entry {entry.id}: the answer says {number!r} but its "
                                        f"source passages do not"))
    return problems


CONFUSED_SHARE = 0.3  # entries are "too alike" when this share of one's alternates go elsewhere


def check_confusions(knowledge: Knowledge) -> list[Problem]:
    """What the matcher would do with each alternate if it were not in the FAQ.

    An alternate that would then be answered with another entry is an error, one that would
    only put another entry first in "did you mean" a warning; and two entries are too alike
    when, that way, a large share of one's alternates land on the other."""
    matcher, normalizer = knowledge.matcher, knowledge.normalizer
    problems = []
    for entry in knowledge.content.entries.values():
        landed: Counter[str] = Counter()
        for phrasing in entry.alternates:
            query = normalizer.normalize(phrasing)
            decision = matcher.decide(query, matcher.rank(query, exclude=(entry.id, phrasing)))
            best = decision.best
            if best is None or best.entry_id == entry.id or decision.outcome == "fallback":
                continue
            landed[best.entry_id] += 1
            severity = "error" if decision.outcome == "answer" else "warning"
            what = "would be answered with" if severity == "error" else "puts first"
            problems.append(Problem(entry.file, entry.line,
                                    f"entry {entry.id}: alternate {phrasing!r} {what} entry "
                                    f"{best.entry_id} ({best.score:.0f})", severity))
        for other, count in landed.items():
            if entry.alternates and count / len(entry.alternates) >= CONFUSED_SHARE:
                problems.append(Problem(entry.file, entry.line,
                                        f"entry {entry.id} is so alike entry {other} that "
                                        f"{count} of its {len(entry.alternates)} alternates "
                                        f"land there: make them more distinct"))
    return problems
