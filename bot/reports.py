"""Staff reports (the /stats and /unanswered texts, and `unionbot stats`/`unanswered`), worded
by messages.yaml so staff read them in the same language as the rest of the bot."""

from __future__ import annotations

from bot.dialogue import Dialogue
from bot.evidence import FlowOutcome
from bot.storage import Stats, UnansweredGroup
from bot.usage import Usage
from faq.messages import MessageKey as K
from faq.yamlfile import Problem

MAX_PROBLEMS_SHOWN = 20
MAX_DISLIKED = 5  # entries listed under 👎 in /stats


def _percent(stats: Stats, count: int) -> str:
    return f"{stats.share(count):.0%}"


def stats_text(dialogue: Dialogue, stats: Stats, days: int, usage: Usage | None = None) -> str:
    """/stats: counts and shares, top entries, and (given `usage`) picks, flows and 👎."""
    text = _counts_text(dialogue, stats, days)
    return text if usage is None else text.rstrip("\n") + "\n" + usage_text(dialogue, usage)


def _counts_text(dialogue: Dialogue, stats: Stats, days: int) -> str:
    entries = dialogue.knowledge.entries
    top = "\n".join(
        dialogue.msg(K.STATS_TOP_LINE, n=str(i), label=entries[eid].label if eid in entries
                     else eid, count=str(count))
        for i, (eid, count) in enumerate(stats.top_entries, 1)) or dialogue.msg(K.STATS_TOP_NONE)
    return dialogue.msg(
        K.STATS, days=str(days), questions=str(stats.questions), workers=str(stats.workers),
        answered=str(stats.answered), answered_pct=_percent(stats, stats.answered),
        clarified=str(stats.clarified), clarified_pct=_percent(stats, stats.clarified),
        fallback=str(stats.fallback), fallback_pct=_percent(stats, stats.fallback),
        yes=str(stats.feedback_yes), no=str(stats.feedback_no), top=top)


def usage_text(dialogue: Dialogue, usage: Usage) -> str:
    """Pick rate after "did you mean", each guided check's use, and the most 👎 entries."""
    lines = [dialogue.msg(K.STATS_PICKS, picked=str(usage.picked),
                          clarified=str(usage.clarified), rate=f"{usage.pick_rate:.0%}",
                          none=str(usage.none_of_these)),
             dialogue.msg(K.STATS_SOURCE_AND_DELIVERY, source=str(usage.source_views),
                          failed=str(usage.delivery_failed)),
             dialogue.msg(K.STATS_FLOWS_HEADER)]
    flows = dialogue.knowledge.content.flows
    for flow_id, flow in sorted(usage.flows.items()):
        lines.append(dialogue.msg(
            K.STATS_FLOW_LINE, title=flows[flow_id].title if flow_id in flows else flow_id,
            started=str(flow.started), completed=str(flow.count(FlowOutcome.COMPLETED)),
            cancelled=str(flow.count(FlowOutcome.CANCELLED)),
            abandoned=str(flow.count(FlowOutcome.ABANDONED)),
            in_progress=str(flow.count(FlowOutcome.IN_PROGRESS))))
    if not usage.flows:
        lines.append(dialogue.msg(K.STATS_TOP_NONE))
    lines.append(dialogue.msg(K.STATS_DISLIKED_HEADER))
    disliked = sorted((e for e in usage.entries.values() if e.no),
                      key=lambda e: (-e.no, e.entry_id))[:MAX_DISLIKED]
    entries = dialogue.knowledge.entries
    lines += [dialogue.msg(K.STATS_DISLIKED_LINE,
                           label=entries[e.entry_id].label if e.entry_id in entries
                           else e.entry_id, no=str(e.no), yes=str(e.yes),
                           answered=str(e.answered), picked=str(e.picked))
              for e in disliked] or [dialogue.msg(K.STATS_TOP_NONE)]
    return "\n".join(lines)


def unanswered_text(dialogue: Dialogue, groups: list[UnansweredGroup], days: int) -> str:
    if not groups:
        return dialogue.msg(K.UNANSWERED_NONE, days=str(days))
    lines = [dialogue.msg(K.UNANSWERED_HEADER, days=str(days))]
    for i, group in enumerate(groups, 1):
        lines.append(dialogue.msg(K.UNANSWERED_LINE, n=str(i), question=group.text,
                                  count=str(group.count)))
        lines += [dialogue.msg(K.UNANSWERED_VARIANT, question=v) for v in group.variants]
    return "\n".join(lines)


def reload_text(dialogue: Dialogue, problems: list[Problem]) -> str:
    if not problems:
        content = dialogue.knowledge.content
        return dialogue.msg(K.RELOAD_OK, entries=str(len(content.entries)),
                            flows=str(len(content.flows)))
    shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    if more > 0:
        shown += "\n" + dialogue.msg(K.RELOAD_MORE, count=str(more))
    return dialogue.msg(K.RELOAD_FAILED, count=str(len(problems)), problems=shown)
