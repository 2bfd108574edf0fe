"""The entries' answers as a third witness: does the question name what an answer says?

A worker often asks about a detail only the answer holds (「王大姐是哪个单位的」, 「加工中心操作
工是几轴的」): no phrasing of the right entry uses those words, so both rankers miss it. Each
answer (placeholders such as {contacts} left out) is normalised like a phrasing and broken into
the same units; a unit found in many answers (the 「报道没有写」 boilerplate) counts for little.
For each candidate the decision gets the share of the question's weight its answer holds, and
the entries whose answers hold the most are added to the candidates (faq/matcher.py).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from faq.index import Prepared

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
RETRIEVE = 2  # entries added to the candidates for what their answers hold


def answer_text(answer: str) -> str:
    """An answer as matched: without placeholders, whose text comes from config."""
    return _PLACEHOLDER.sub(" ", answer)


class AnswerIndex:
    """Each entry's answer units, weighted by how few answers hold them (0-1)."""

    def __init__(self, prepared: Iterable[Prepared]) -> None:
        self._units: dict[str, frozenset[str]] = {}
        for p in prepared:
            self._units[p.entry_id] = self._units.get(p.entry_id, frozenset()) | p.units
        df: Counter[str] = Counter()
        for entry_units in self._units.values():
            df.update(entry_units)
        n = len(self._units)
        top = math.log((n + 1) / 0.5)
        by_count = {c: math.log((n + 1) / (c + 0.5)) / top for c in set(df.values())}
        self._rarity = {u: by_count[c] for u, c in df.items()}
        self._postings: dict[str, list[str]] = {}
        for eid, entry_units in self._units.items():
            for u in entry_units:
                posting = self._postings.get(u)
                if posting is None:
                    self._postings[u] = [eid]
                else:
                    posting.append(eid)

    def units_of(self, entry_id: str) -> frozenset[str]:
        return self._units.get(entry_id, frozenset())

    def cover(self, weights: dict[str, float], total: float, entry_id: str) -> float:
        """Share of a question's weight (its units' weights) the entry's answer holds."""
        held = self._units.get(entry_id)
        if not held or not total:
            return 0.0
        rarity = self._rarity
        return sum(weights[u] * rarity[u] for u in held.intersection(weights)) / total

    def best(self, weights: dict[str, float], skip: Iterable[str],
             limit: int = RETRIEVE) -> list[str]:
        """The entries (not in `skip`) whose answers hold the most of the question."""
        if not self._units:
            return []
        rough: dict[str, float] = defaultdict(float)
        for u, w in weights.items():
            for eid in self._postings.get(u, ()):
                rough[eid] += w * self._rarity[u]
        for eid in skip:
            rough.pop(eid, None)
        return heapq.nlargest(limit, rough, key=rough.__getitem__)
