"""Content checks behind `unionbot check`, start-up and `/reload`, each problem with file and line.

Shape problems (YAML, fields, duplicate ids) come from loading; this module adds what needs the
whole picture: links between entries, answer length, the source passages and the quantities
they back (faq/sources.py, faq/facts.py), the phone layout (faq/layout.py), the flows, and —
`deep` — what the matcher would do with each phrasing. A link into an entry or flow that
failed to load is not reported again: that problem is already on the list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from faq.contacts import Contact
from faq.content import Content, Entry, FaqPaths
from faq.facts import unsupported_quantities
from faq.flows.checks import check_flows
from faq.knowledge import Knowledge
from faq.layout import CheckConfig, check_layout
from faq.matcher import Outcome
from faq.names import check_names
from faq.placeholders import Renderer
from faq.sources import PassageCheck, read_documents
from faq.yamlfile import Problem

TELEGRAM_MESSAGE_LIMIT = 4096


def check_knowledge(knowledge: Knowledge, paths: FaqPaths, config: CheckConfig,
                    deep: bool = True, contacts: tuple[Contact, ...] = (),
                    verify_sources: bool = True) -> list[Problem]:
    """Every problem in the loaded content. `deep` adds the matcher-based checks;
    `verify_sources` False skips comparing passages with the documents (`--no-source`)."""
    content = knowledge.content
    renderer = Renderer(contacts, paths.sources, content.messages)
    problems: list[Problem] = []
    problems += check_entries(knowledge, config, renderer)
    problems += check_names(content, replace(knowledge.normalizer, max_chars=0).normalize)
    problems += check_sources(content, paths, verify_sources)
    problems += check_layout(content, config.layout, renderer)
    problems += check_flows(content, config.max_button_label_chars)
    if deep:
        problems += check_confusions(knowledge)
    return problems


def _at(entry: Entry, field: str, message: str, severity: str = "error") -> Problem:
    return Problem(entry.file, entry.line_of(field), f"条目 {entry.id}：{message}", severity)


def check_entries(knowledge: Knowledge, config: CheckConfig, renderer: Renderer
                  ) -> list[Problem]:
    content = knowledge.content
    problems = []
    seen_phrasings: dict[str, str] = {}
    for entry in content.entries.values():
        if len(entry.alternates) < config.min_alternates:
            problems.append(_at(entry, "alternates",
                                f"只有 {len(entry.alternates)} 种问法（alternates），"
                                f"至少要 {config.min_alternates} 种才能可靠匹配"))
        problems += _links(entry, content)
        problems += _check_length(entry, config, renderer)
        for field, phrasing in entry.phrasing_fields:
            norm = knowledge.matcher.normalized(phrasing)
            if not norm:
                problems.append(_at(entry, field, f"问法 {phrasing!r} 里没有能用来匹配的字"))
                continue
            other = seen_phrasings.setdefault(norm, entry.id)
            if other != entry.id:
                problems.append(_at(entry, field, f"问法 {phrasing!r} 和条目 {other} 的一种问法"
                                                  "一样"))
    return problems


def _links(entry: Entry, content: Content) -> list[Problem]:
    problems = []
    for rid in entry.related:
        if rid == entry.id:
            problems.append(_at(entry, "related", "related 链接了自己"))
        elif content.unknown_entry(rid):
            problems.append(_at(entry, "related", f"related 里的条目 {rid!r} 不存在"))
    if entry.flow and content.unknown_flow(entry.flow):
        problems.append(_at(entry, "flow", f"flow 里的测评 {entry.flow!r} 不存在"))
    return problems


def _check_length(entry: Entry, config: CheckConfig, renderer: Renderer) -> list[Problem]:
    rendered = renderer.fill(entry.answer, entry.source)
    if len(rendered) > TELEGRAM_MESSAGE_LIMIT:
        return [_at(entry, "answer", f"答案有 {len(rendered)} 个字，超过一条 Telegram 消息的"
                                     f"上限 {TELEGRAM_MESSAGE_LIMIT}")]
    own = len(renderer.fill(entry.answer, entry.source, with_contacts=False))
    if own > config.max_answer_chars:
        return [_at(entry, "answer", f"答案有 {own} 个字，手机上请控制在 "
                                     f"{config.max_answer_chars} 字以内")]
    return []


def check_sources(content: Content, paths: FaqPaths, verify: bool = True) -> list[Problem]:
    """Each passage occurs verbatim in its own document (unless `verify` is off), and each
    quantity in an answer or label occurs in the entry's own passages."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    if verify and not paths.sources:
        problems.append(Problem(paths.config, 0, "没有设置来源报道（faq.sources）：答案里的"
                                                 "事实无从核对"))
    elif verify:
        texts, problems = read_documents(paths.sources)
    passages = PassageCheck(paths.sources, texts)
    for entry in content.entries.values():
        for passage in entry.source:
            for message in passages.problems(passage):
                problems.append(Problem(entry.file, passage.line, f"条目 {entry.id}：{message}"))
        for field, text in (("answer", entry.answer), ("label", entry.short_label or "")):
            what = "答案" if field == "answer" else "按钮名字（label）"
            for quantity in unsupported_quantities(text, entry.passages):
                problems.append(_at(entry, field, f"{what}里的「{quantity.text}」在本条目的原文"
                                                  "（source）里找不到：数量要和原文一样"
                                                  "（写成阿拉伯数字或汉字都可以）"))
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
        for field, phrasing in entry.phrasing_fields[1:]:
            query = normalizer.normalize(phrasing)
            decision = matcher.decide(query, exclude=(entry.id, phrasing))
            best = decision.best
            if best is None or best.entry_id == entry.id or decision.outcome is Outcome.FALLBACK:
                continue
            landed[best.entry_id] += 1
            shown = {c.entry_id for c in decision.alternatives}
            if decision.outcome is Outcome.ANSWER and entry.id not in shown:
                problems.append(_at(entry, field, f"问法 {phrasing!r} 会被答成条目 "
                                                  f"{best.entry_id}（{best.score:.0f} 分）"))
            elif decision.outcome is Outcome.ANSWER:
                problems.append(_at(entry, field, f"问法 {phrasing!r} 会被答成条目 "
                                                  f"{best.entry_id}，本条只列在「也许您想问」里",
                                    "warning"))
            else:
                problems.append(_at(entry, field, f"问法 {phrasing!r} 在「您是想问」里会把条目 "
                                                  f"{best.entry_id} 排在第一（{best.score:.0f} "
                                                  "分）", "warning"))
        for other, count in landed.items():
            if entry.alternates and count / len(entry.alternates) >= CONFUSED_SHARE:
                problems.append(_at(entry, "alternates",
                                    f"和条目 {other} 太像了：{len(entry.alternates)} 种问法里有 "
                                    f"{count} 种落到那边，请把两条写得更有区别"))
    return problems
