"""What the records say happened after each question, and how each guided check went.

Reports are computed here in Python from `Store.questions(since)` and `Store.events(since)`,
so every backend gets them from two plain reads. That holds for a review window of days to
weeks (tens of thousands of rows); beyond that a backend would need to aggregate itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from bot.records import EventKind, QuestionRecord
from bot.storage import Store, StoredEvent, StoredQuestion

# 「不是这个」 under an answer (the `not-this` event), where the running version has it.
NOT_THIS: EventKind | None = next((k for k in EventKind if k.value == "not-this"), None)
DISOWNING = frozenset(k for k in (EventKind.FEEDBACK_NO, NOT_THIS) if k is not None)
FLOW_IDLE_SECONDS = 3600.0  # a flow untouched this long without a result was abandoned


@dataclass(frozen=True)
class Asked:
    """One recorded question and what its worker did next."""

    time: float
    worker: str
    record: QuestionRecord
    picked: str | None = None  # the last suggestion picked, unless the worker then 👎 it
    none_of_these: bool = False
    disowned: frozenset[str] = frozenset()  # entries answered 👎 or 「不是这个」
    confirmed: frozenset[str] = frozenset()  # entries answered 👍

    @property
    def learnt_entry(self) -> str | None:
        """The entry this wording was shown to mean by the worker's own pick."""
        record = self.record
        if self.picked and not (record.outcome == "answer" and record.entry_id == self.picked):
            return self.picked
        return None


def link(questions: list[StoredQuestion], events: list[StoredEvent]) -> list[Asked]:
    """Each question with the picks and feedback its buttons carried back (oldest first)."""
    by_question: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in events:
        if event.record.question_id:
            by_question[event.record.question_id].append(event)
    linked = []
    for question in questions:
        after = by_question.get(question.record.question_id, [])
        picks = [e.record.entry_id for e in after
                 if e.record.kind is EventKind.PICK and e.record.entry_id]
        disowned = frozenset(e.record.entry_id for e in after
                             if e.record.kind in DISOWNING and e.record.entry_id)
        confirmed = frozenset(e.record.entry_id for e in after
                              if e.record.kind is EventKind.FEEDBACK_YES and e.record.entry_id)
        picked = picks[-1] if picks and picks[-1] not in disowned else None
        none = any(e.record.kind is EventKind.NONE_OF_THESE for e in after)
        linked.append(Asked(question.time, question.worker, question.record, picked,
                            none and picked is None, disowned, confirmed))
    return linked


async def asked_since(store: Store, since: float) -> list[Asked]:
    """The questions asked since `since`, each linked with what followed it."""
    return link(await store.questions(since), await store.events(since))


class FlowOutcome(StrEnum):
    COMPLETED = "completed"  # reached a result
    CANCELLED = "cancelled"  # left with ✖️
    ABANDONED = "abandoned"  # no result, no cancel, and an hour without a tap
    IN_PROGRESS = "in-progress"  # touched within the last hour


@dataclass(frozen=True)
class FlowSession:
    worker: str
    flow_id: str
    started: float
    last: float
    outcome: FlowOutcome


FLOW_KINDS = frozenset({EventKind.FLOW_START, EventKind.FLOW_STEP, EventKind.FLOW_RESULT,
                        EventKind.FLOW_CANCEL})


def flow_sessions(events: list[StoredEvent], now: float,
                  idle: float = FLOW_IDLE_SECONDS) -> list[FlowSession]:
    """One session per start of a guided check by a worker: a start opens it (a restart
    inside it does not open another), a result completes it, ✖️ cancels it, and an hour
    without a tap (or the end of the records) leaves it abandoned."""
    sessions: list[FlowSession] = []
    open_: dict[tuple[str, str], tuple[float, float]] = {}  # (worker, flow) → (start, last)

    def close(key: tuple[str, str], outcome: FlowOutcome) -> None:
        started, last = open_.pop(key)
        sessions.append(FlowSession(key[0], key[1], started, last, outcome))

    for event in sorted(events, key=lambda e: e.time):
        kind, flow_id = event.record.kind, event.record.flow_id
        if kind not in FLOW_KINDS or not flow_id:
            continue
        key = (event.worker, flow_id)
        if key in open_ and event.time - open_[key][1] > idle:
            close(key, FlowOutcome.ABANDONED)
        if key not in open_:
            if kind is not EventKind.FLOW_START:
                continue  # a tap in a session that began before the records did
            open_[key] = (event.time, event.time)
        open_[key] = (open_[key][0], event.time)
        if kind is EventKind.FLOW_RESULT:
            close(key, FlowOutcome.COMPLETED)
        elif kind is EventKind.FLOW_CANCEL:
            close(key, FlowOutcome.CANCELLED)
    for key, (_, last) in list(open_.items()):
        close(key, FlowOutcome.ABANDONED if now - last > idle else FlowOutcome.IN_PROGRESS)
    return sessions
