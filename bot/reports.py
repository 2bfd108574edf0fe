"""Staff reports (the /stats and /unanswered texts, and `unionbot stats`/`unanswered`), worded
by messages.yaml so staff read them in the same language as the rest of the bot."""

from __future__ import annotations

import time

from bot.dialogue import Dialogue
from bot.storage import Stats, UnansweredGroup
from faq.yamlfile import Problem

DAY = 86400.0
MAX_PROBLEMS_SHOWN = 20


def since(days: int, now: float | None = None) -> float:
    """The start of a period of `days` days ending now."""
    return (time.time() if now is None else now) - days * DAY


def parse_days(args: list[str] | None, default: int = 7) -> int | None:
    """The optional day count of /stats and /unanswered; None when it is not a positive number."""
    if not args:
        return default
    text = args[0].strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 3650 else None


def _percent(stats: Stats, count: int) -> str:
    return f"{stats.share(count):.0%}"


def stats_text(dialogue: Dialogue, stats: Stats, days: int) -> str:
    entries = dialogue.knowledge.entries
    top = "\n".join(
        dialogue.msg("stats_top_line", n=str(i), label=entries[eid].label if eid in entries
                     else eid, count=str(count))
        for i, (eid, count) in enumerate(stats.top_entries, 1)) or dialogue.msg("stats_top_none")
    return dialogue.msg(
        "stats", days=str(days), questions=str(stats.questions), workers=str(stats.workers),
        answered=str(stats.answered), answered_pct=_percent(stats, stats.answered),
        clarified=str(stats.clarified), clarified_pct=_percent(stats, stats.clarified),
        fallback=str(stats.fallback), fallback_pct=_percent(stats, stats.fallback),
        yes=str(stats.feedback_yes), no=str(stats.feedback_no), top=top)


def unanswered_text(dialogue: Dialogue, groups: list[UnansweredGroup], days: int) -> str:
    if not groups:
        return dialogue.msg("unanswered_none", days=str(days))
    lines = [dialogue.msg("unanswered_header", days=str(days))]
    for i, group in enumerate(groups, 1):
        lines.append(dialogue.msg("unanswered_line", n=str(i), question=group.text,
                                  count=str(group.count)))
        lines += [dialogue.msg("unanswered_variant", question=v) for v in group.variants]
    return "\n".join(lines)


def reload_text(dialogue: Dialogue, problems: list[Problem]) -> str:
    if not problems:
        content = dialogue.knowledge.content
        return dialogue.msg("reload_ok", entries=str(len(content.entries)),
                            flows=str(len(content.flows)))
    shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    if more > 0:
        shown += "\n" + dialogue.msg("reload_more", count=str(more))
    return dialogue.msg("reload_failed", count=str(len(problems)), problems=shown)
