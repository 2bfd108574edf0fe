"""How each entry and guided check was used: the part of /stats (and `export stats`) that
needs questions and events joined, computed in Python from the store's two plain reads."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.evidence import DISOWNING, Asked, FlowOutcome, flow_sessions, link
from bot.records import EventKind
from bot.storage import Store, StoredEvent


@dataclass
class EntryUsage:
    entry_id: str
    answered: int = 0  # answered directly
    offered: int = 0  # among the "did you mean" suggestions
    picked: int = 0  # picked from them
    yes: int = 0  # 👍
    no: int = 0  # 👎 or 「不是这个」

    @property
    def pick_rate(self) -> float:
        return self.picked / self.offered if self.offered else 0.0


@dataclass
class FlowUsage:
    flow_id: str
    outcomes: dict[FlowOutcome, int] = field(default_factory=dict)

    @property
    def started(self) -> int:
        return sum(self.outcomes.values())

    def count(self, outcome: FlowOutcome) -> int:
        return self.outcomes.get(outcome, 0)


@dataclass
class Usage:
    clarified: int = 0  # questions answered with "did you mean"
    picked: int = 0  # of those, how many had a suggestion picked
    none_of_these: int = 0
    source_views: int = 0  # 📄 原文 pressed
    delivery_failed: int = 0  # replies Telegram would not take after the retries
    entries: dict[str, EntryUsage] = field(default_factory=dict)
    flows: dict[str, FlowUsage] = field(default_factory=dict)

    @property
    def pick_rate(self) -> float:
        return self.picked / self.clarified if self.clarified else 0.0

    def entry(self, entry_id: str) -> EntryUsage:
        return self.entries.setdefault(entry_id, EntryUsage(entry_id))


def measure(asked: list[Asked], events: list[StoredEvent], now: float) -> Usage:
    usage = Usage()
    picked_questions = {e.record.question_id for e in events
                        if e.record.kind is EventKind.PICK and e.record.question_id}
    for item in asked:
        record = item.record
        if record.outcome == "answer" and record.entry_id:
            usage.entry(record.entry_id).answered += 1
        if record.outcome == "clarify":
            usage.clarified += 1
            usage.picked += record.question_id in picked_questions
            usage.none_of_these += item.none_of_these
            for candidate in record.candidates:
                usage.entry(candidate).offered += 1
    for event in events:
        kind, target = event.record.kind, event.record.entry_id
        usage.source_views += kind is EventKind.SOURCE_VIEW
        usage.delivery_failed += kind is EventKind.DELIVERY_FAILED
        if not target:
            continue
        if kind is EventKind.PICK:
            usage.entry(target).picked += 1
        elif kind is EventKind.FEEDBACK_YES:
            usage.entry(target).yes += 1
        elif kind in DISOWNING:
            usage.entry(target).no += 1
    for session in flow_sessions(events, now):
        flow = usage.flows.setdefault(session.flow_id, FlowUsage(session.flow_id))
        flow.outcomes[session.outcome] = flow.count(session.outcome) + 1
    return usage


async def usage_since(store: Store, since: float, now: float | None = None) -> Usage:
    """Entry and flow use from the records since `since`."""
    questions, events = await store.questions(since), await store.events(since)
    return measure(link(questions, events), events, time.time() if now is None else now)
