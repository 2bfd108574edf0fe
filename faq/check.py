"""Content checks behind `unionbot check`, start-up and `/reload`, each problem with file and line.

Shape problems (YAML, fields, duplicate ids) come from loading; this module adds what needs the
whole picture: links between entries, answer length, faithfulness to the source document, the
flows, and what the matcher would do with each phrasing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from faq.content import Entry, FaqPaths
from faq.facts import squash, unsupported_numbers
from faq.flows.checks import check_flows
from faq.knowledge import Knowledge
from faq.matcher import Outcome
from faq.yamlfile import Problem

TELEGRAM_MESSAGE_LIMIT = 4096


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
    problems += check_sources(knowledge, paths)
    problems += check_flows(knowledge.content, config.max_button_label_chars)
    if deep:
        problems += check_confusions(knowledge)
    return problems


def _at(entry: Entry, message: str, severity: str = "error") -> Problem:
    return Problem(entry.file, entry.line, f"条目 {entry.id}：{message}", severity)


def check_entries(knowledge: Knowledge, config: CheckConfig, contacts: str) -> list[Problem]:
    content = knowledge.content
    problems = []
    seen_phrasings: dict[str, str] = {}
    for entry in content.entries.values():
        if len(entry.alternates) < config.min_alternates:
            problems.append(_at(entry, f"只有 {len(entry.alternates)} 种问法（alternates），"
                                       f"至少要 {config.min_alternates} 种才能可靠匹配"))
        for rid in entry.related:
            if rid == entry.id:
                problems.append(_at(entry, "related 链接了自己"))
            elif rid not in content.entries:
                problems.append(_at(entry, f"related 里的条目 {rid!r} 不存在"))
        if entry.flow and entry.flow not in content.flows:
            problems.append(_at(entry, f"flow 里的测评 {entry.flow!r} 不存在"))
        problems += _check_length(entry, config, contacts)
        for phrasing in entry.phrasings:
            norm = knowledge.normalizer.normalize(phrasing)
            if not norm:
                problems.append(_at(entry, f"问法 {phrasing!r} 里没有能用来匹配的字"))
                continue
            other = seen_phrasings.setdefault(norm, entry.id)
            if other != entry.id:
                problems.append(_at(entry, f"问法 {phrasing!r} 和条目 {other} 的一种问法一样"))
    return problems


def _check_length(entry: Entry, config: CheckConfig, contacts: str) -> list[Problem]:
    rendered = entry.answer.replace("{contacts}", contacts)
    if len(rendered) > TELEGRAM_MESSAGE_LIMIT:
        return [_at(entry, f"答案有 {len(rendered)} 个字，超过一条 Telegram 消息的上限 "
                           f"{TELEGRAM_MESSAGE_LIMIT}")]
    own = len(entry.answer.replace("{contacts}", ""))
    if own > config.max_answer_chars:
        return [_at(entry, f"答案有 {own} 个字，手机上请控制在 {config.max_answer_chars} 字以内")]
    return []


def check_sources(knowledge: Knowledge, paths: FaqPaths) -> list[Problem]:
    """Each source passage occurs in the document; each number in an answer occurs in its
    sources (so no amount, date or count is invented)."""
    problems = []
    document = paths.source_document
    doc_text = None
    if document is not None and document.is_file():
        doc_text = squash(document.read_text(encoding="utf-8"))
    for entry in knowledge.content.entries.values():
        if doc_text is not None:
            for passage in entry.source:
                if squash(passage) not in doc_text:
                    problems.append(_at(entry, f"原文（source）在报道里找不到：{passage[:40]!r}…"))
        answer = entry.answer.replace("{contacts}", "")
        for number in unsupported_numbers(answer, entry.source):
            problems.append(_at(entry, f"答案说了 {number!r}，但它的原文（source）里没有"))
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
            decision = matcher.decide(query, exclude=(entry.id, phrasing))
            best = decision.best
            if best is None or best.entry_id == entry.id or decision.outcome is Outcome.FALLBACK:
                continue
            landed[best.entry_id] += 1
            shown = {c.entry_id for c in decision.alternatives}
            if decision.outcome is Outcome.ANSWER and entry.id not in shown:
                problems.append(_at(entry, f"问法 {phrasing!r} 会被答成条目 {best.entry_id}"
                                           f"（{best.score:.0f} 分）"))
            elif decision.outcome is Outcome.ANSWER:
                problems.append(_at(entry, f"问法 {phrasing!r} 会被答成条目 {best.entry_id}，"
                                           f"本条只列在「也许您想问」里", "warning"))
            else:
                problems.append(_at(entry, f"问法 {phrasing!r} 在「您是想问」里会把条目 "
                                           f"{best.entry_id} 排在第一（{best.score:.0f} 分）",
                                    "warning"))
        for other, count in landed.items():
            if entry.alternates and count / len(entry.alternates) >= CONFUSED_SHARE:
                problems.append(_at(entry, f"和条目 {other} 太像了：{len(entry.alternates)} 种"
                                           f"问法里有 {count} 种落到那边，请把两条写得更有区别"))
    return problems
