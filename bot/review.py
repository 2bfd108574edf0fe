"""Learning suggestions from what workers asked and picked: the queue staff review.

Three kinds, each from the worker's own signal:
- a wording the worker confirmed by picking an entry from "did you mean" → add it to that
  entry's alternates (the only kind with an automatic edit, see bot/review_actions.py);
- an answer the worker rejected (👎 or 「不是这个」) → staff should review that answer;
- a question that fell back, or got 「都不是」 → a candidate new entry or synonym.

Evidence is kept per normalised wording under a short stable key (kind letter + 6 base32
characters of a hash of kind, entry and wording); similar wordings of one kind and entry are
grouped, and a group's id is its leading wording's key. Staff decisions are stored per key
(bot/records.py ReviewDecision), so a decided wording never comes back.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.evidence import Asked
from bot.storage.base import GROUP_SIMILARITY, cluster_similar

MAX_ALTERNATE_CHARS = 60  # longer messages are stories, not phrasings to add
_MASKED = re.compile(r"\*{3,}")  # masked personal numbers (bot/privacy.py)


class SuggestionKind(StrEnum):
    ALTERNATE = "alternate"  # add the wording as an alternate of the entry
    REVIEW_ANSWER = "review-answer"  # workers said the entry's answer was not what they meant
    NEW_ENTRY = "new-entry"  # unanswered: a candidate new entry or synonym


# Workers behind a suggestion before it is shown, unless `--min-count` says otherwise: a
# worker's own tap (a pick, 👎) already confirms what it means, so one is enough; a question
# that fell back confirms nothing, so it waits until two workers have asked alike.
DEFAULT_MIN_COUNTS = {SuggestionKind.ALTERNATE: 1, SuggestionKind.REVIEW_ANSWER: 1,
                      SuggestionKind.NEW_ENTRY: 2}
LETTER = {SuggestionKind.ALTERNATE: "a", SuggestionKind.REVIEW_ANSWER: "r",
          SuggestionKind.NEW_ENTRY: "n"}
ID_PATTERN = re.compile(r"^[arn][a-z2-7]{6}$")


def wording_key(kind: SuggestionKind, entry_id: str | None, query: str) -> str:
    """The stable short id of one wording's evidence (and of a suggestion it leads)."""
    digest = hashlib.sha256(f"{kind.value}|{entry_id or ''}|{query}".encode()).digest()
    return LETTER[kind] + base64.b32encode(digest).decode("ascii").lower()[:6]


@dataclass
class Wording:
    """The evidence for one normalised wording, for one kind and entry."""

    key: str
    kind: SuggestionKind
    entry_id: str | None
    query: str
    texts: Counter[str] = field(default_factory=Counter)  # the workers' own words
    workers: set[str] = field(default_factory=set)
    last_seen: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def text(self) -> str:
        """The own words most often used for it (the first such, on a tie)."""
        return self.texts.most_common(1)[0][0]

    def add(self, asked: Asked) -> None:
        self.texts[clean(asked.record.text)] += 1
        self.workers.add(asked.worker)
        self.last_seen = max(self.last_seen, asked.time)


@dataclass(frozen=True)
class Suggestion:
    """Similar wordings of one kind and entry; `id` is its leading wording's key."""

    kind: SuggestionKind
    entry_id: str | None
    wordings: tuple[Wording, ...]  # the leading (most frequent) wording first
    # An unanswered wording the FAQ now answers with what the report does not say (the intents'
    # names): the worker was told so and given the contacts; no entry can be written for it.
    unsaid: str = ""

    @property
    def id(self) -> str:
        return self.wordings[0].key

    @property
    def text(self) -> str:
        """The example shown, and for an alternate the wording that accepting adds."""
        return self.wordings[0].text

    @property
    def count(self) -> int:
        return sum(w.count for w in self.wordings)

    @property
    def workers(self) -> int:
        return len(set().union(*(w.workers for w in self.wordings)))

    @property
    def last_seen(self) -> float:
        return max(w.last_seen for w in self.wordings)

    @property
    def variants(self) -> tuple[str, ...]:
        """Other own words in the group, most frequent first (the example left out)."""
        counts: Counter[str] = Counter()
        for wording in self.wordings:
            counts.update(wording.texts)
        return tuple(t for t, _ in counts.most_common() if t != self.text)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(w.key for w in self.wordings)


def clean(text: str) -> str:
    """Own words on one line, spaces collapsed."""
    return " ".join(text.split())


def addable(text: str) -> bool:
    """Whether own words can become an alternate: short, and no masked number in them."""
    text = clean(text)
    return 0 < len(text) <= MAX_ALTERNATE_CHARS and not _MASKED.search(text)


def signals(asked: Asked) -> list[tuple[SuggestionKind, str | None]]:
    """What one question teaches: (kind, entry) pairs."""
    found: list[tuple[SuggestionKind, str | None]] = []
    learnt = asked.learnt_entry
    if learnt and addable(asked.record.text):
        found.append((SuggestionKind.ALTERNATE, learnt))
    found += [(SuggestionKind.REVIEW_ANSWER, e) for e in sorted(asked.disowned)]
    unanswered = asked.record.outcome == "fallback" and not asked.picked
    if unanswered or asked.none_of_these:
        found.append((SuggestionKind.NEW_ENTRY, None))
    return found


def collect(asked: Iterable[Asked]) -> dict[str, Wording]:
    """Every wording's evidence, by key."""
    wordings: dict[str, Wording] = {}
    for item in asked:
        query = item.record.query or clean(item.record.text)
        for kind, entry_id in signals(item):
            key = wording_key(kind, entry_id, query)
            if key not in wordings:
                wordings[key] = Wording(key, kind, entry_id, query)
            wordings[key].add(item)
    return wordings


def handled(wording: Wording, answers: Callable[[str], str | None]) -> bool:
    """Whether the FAQ as it is now already does what the wording asks for: answers it with
    the picked entry (an alternate), or answers it at all (an unanswered question)."""
    if wording.kind is SuggestionKind.ALTERNATE:
        return answers(wording.text) == wording.entry_id
    if wording.kind is SuggestionKind.NEW_ENTRY:
        return answers(wording.text) is not None
    return False


def group(wordings: Iterable[Wording], similarity: float = GROUP_SIMILARITY
          ) -> list[Suggestion]:
    """Suggestions: wordings of one kind and entry, similar ones together."""
    by_target: dict[tuple[SuggestionKind, str | None], list[Wording]] = {}
    for wording in wordings:
        by_target.setdefault((wording.kind, wording.entry_id), []).append(wording)
    suggestions = []
    for (kind, entry_id), members in by_target.items():
        by_query = {w.query: w for w in members}
        counts = Counter({w.query: w.count for w in members})
        for cluster in cluster_similar(counts, similarity):
            suggestions.append(Suggestion(kind, entry_id, tuple(by_query[q] for q in cluster)))
    return suggestions


def min_workers(kind: SuggestionKind, min_count: int | None) -> int:
    return DEFAULT_MIN_COUNTS[kind] if min_count is None else min_count


def queue(wordings: Iterable[Wording], decided: set[str], answers: Callable[[str], str | None],
          min_count: int | None = None) -> list[Suggestion]:
    """The open suggestions backed by at least `min_count` workers (None: the defaults per
    kind): grouped by entry, the entry with the newest evidence first, the newest first."""
    open_ = [w for w in wordings if w.key not in decided and not handled(w, answers)]
    found = [s for s in group(open_) if s.workers >= min_workers(s.kind, min_count)]
    newest: dict[tuple[SuggestionKind, str | None], float] = {}
    for s in found:
        target = (s.kind, s.entry_id) if s.entry_id else (s.kind, s.id)
        newest[target] = max(newest.get(target, 0.0), s.last_seen)

    def order(s: Suggestion) -> tuple[float, str, str, float, str]:
        target = (s.kind, s.entry_id) if s.entry_id else (s.kind, s.id)
        return (-newest[target], s.entry_id or "", s.kind.value, -s.last_seen, s.id)

    return sorted(found, key=order)


def find(wordings: dict[str, Wording], suggestion_id: str) -> Suggestion | None:
    """The suggestion led by the wording `suggestion_id`, with the similar wordings grouped
    with it now (whatever the window it was shown in)."""
    wording = wordings.get(suggestion_id)
    if wording is None:
        return None
    same = [w for w in wordings.values() if (w.kind, w.entry_id) == (wording.kind,
                                                                      wording.entry_id)]
    for suggestion in group(same):
        if wording.key in suggestion.keys:
            others = tuple(w for w in suggestion.wordings if w.key != wording.key)
            return Suggestion(wording.kind, wording.entry_id, (wording, *others))
    return Suggestion(wording.kind, wording.entry_id, (wording,))  # pragma: no cover
