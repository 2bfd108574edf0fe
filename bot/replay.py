"""Replaying recorded questions against an FAQ: what an edit would change, before /reload.

Each recorded question is asked again in the worker's own (masked) words, through the same
dialogue that answers workers, and compared with a baseline: what the bot answered at the time
(default), or another copy of the FAQ. Only direct answers count as answered; "did you mean"
and the fallback are "not answered".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.dialogue import Dialogue
from bot.evidence import Asked
from bot.review import clean
from faq.messages import MessageKey as K

MAX_LINES = 30  # lines shown per kind of change


class Change(StrEnum):
    NEWLY_ANSWERED = "newly-answered"
    CHANGED = "changed"
    NEWLY_LOST = "newly-lost"


HEADING = {Change.NEWLY_ANSWERED: K.REPLAY_NEWLY_ANSWERED, Change.CHANGED: K.REPLAY_CHANGED,
           Change.NEWLY_LOST: K.REPLAY_NEWLY_LOST}


@dataclass(frozen=True)
class Replayed:
    text: str  # the worker's own words, masked
    count: int  # times asked in these words (with the same baseline answer)
    before: str | None  # entry answered directly in the baseline (None: not answered)
    after: str | None
    picked: str | None = None  # the entry the workers picked for it, if any

    @property
    def change(self) -> Change | None:
        if self.before == self.after:
            return None
        if self.before is None:
            return Change.NEWLY_ANSWERED
        return Change.NEWLY_LOST if self.after is None else Change.CHANGED


def recorded(asked: Asked) -> str | None:
    """The baseline of the records: the entry the bot answered with at the time."""
    record = asked.record
    return record.entry_id if record.outcome == "answer" else None


def replay(asked: list[Asked], before: Callable[[Asked], str | None],
           after: Callable[[str], str | None]) -> list[Replayed]:
    """Every distinct wording (and baseline answer) asked again with `after`."""
    counts: Counter[tuple[str, str | None]] = Counter()
    picked: dict[str, str] = {}
    for item in asked:
        text = clean(item.record.text)
        if not text:
            continue
        counts[(text, before(item))] += 1
        if item.learnt_entry:
            picked[text] = item.learnt_entry
    return [Replayed(text, count, was, after(text), picked.get(text))
            for (text, was), count in counts.most_common()]


def replay_text(dialogue: Dialogue, replayed: list[Replayed], days: int, baseline: str) -> str:
    """The summary, then each kind of change with its wordings."""
    def total(select: Callable[[Replayed], bool]) -> int:
        return sum(r.count for r in replayed if select(r))

    with_pick = [r for r in replayed if r.picked]
    lines = [dialogue.msg(
        K.REPLAY_SUMMARY, days=str(days), baseline=baseline, count=str(total(lambda r: True)),
        distinct=str(len(replayed)), before=str(total(lambda r: r.before is not None)),
        after=str(total(lambda r: r.after is not None)),
        picked=str(sum(r.count for r in with_pick)),
        picked_before=str(total(lambda r: bool(r.picked) and r.before == r.picked)),
        picked_after=str(total(lambda r: bool(r.picked) and r.after == r.picked)))]
    for change in Change:
        changed = [r for r in replayed if r.change is change]
        if not changed:
            continue
        lines += ["", dialogue.msg(HEADING[change], count=str(sum(r.count for r in changed)))]
        lines += [_line(dialogue, r) for r in changed[:MAX_LINES]]
        if len(changed) > MAX_LINES:
            lines.append(dialogue.msg(K.REPLAY_MORE, count=str(len(changed) - MAX_LINES)))
    if not any(r.change for r in replayed):
        lines += ["", dialogue.msg(K.REPLAY_NO_CHANGE)]
    return "\n".join(lines)


def _line(dialogue: Dialogue, r: Replayed) -> str:
    unanswered = dialogue.msg(K.REPLAY_NOT_ANSWERED)
    note = ""
    if r.picked:
        key = K.REPLAY_PICKED_SAME if r.after == r.picked else K.REPLAY_PICKED_OTHER
        note = dialogue.msg(key, entry=r.picked)
    return dialogue.msg(K.REPLAY_LINE, text=r.text, count=str(r.count),
                        before=r.before or unanswered, after=r.after or unanswered, note=note)
