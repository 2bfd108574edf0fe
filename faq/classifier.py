"""A second opinion on the ranking: naive Bayes over the same character and pinyin units.

The matcher (faq/matcher.py) scores a question against each phrasing on its own and keeps an
entry's best; this classifier pools all of an entry's phrasings into one distribution of units
and asks which entry most likely produced the question. Built differently, it errs differently:
when the two agree on the first entry the answer is much more often right than when they do not,
and that agreement is one of the signals the calibrated decision (faq/decision.py) weighs.

It is trained by counting (no iterations), so it is rebuilt with the index at load and /reload
in milliseconds, and it only ever scores the few entries the matcher retrieved, so its cost does
not grow with the size of the FAQ.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable
from itertools import repeat

ALPHA = 0.1  # additive smoothing, chosen on the dev set (0.05-0.3 rank alike)


class UnitClassifier:
    """Multinomial naive Bayes over unit sets, one class per entry."""

    def __init__(self, examples: Iterable[tuple[str, Collection[str]]]) -> None:
        # Each entry's unit sets are counted on first use (`_bag`): start-up only needs the
        # totals and the vocabulary's size.
        self._examples: dict[str, list[Collection[str]]] = {}
        vocabulary: set[str] = set()
        for entry_id, entry_units in examples:
            self._examples.setdefault(entry_id, []).append(entry_units)
            vocabulary.update(entry_units)
        self._counts: dict[str, Counter[str]] = {}
        self._size = max(1, len(vocabulary))
        self._unseen = math.log(ALPHA)
        self._totals = {eid: sum(map(len, sets)) for eid, sets in self._examples.items()}
        self._log_den = {eid: math.log(total + ALPHA * self._size)
                         for eid, total in self._totals.items()}
        # log(count + ALPHA) of each unit of the entries scored so far (made on first use, so a
        # large FAQ pays only for the entries questions reach): scoring is then lookups only
        self._log_counts: dict[str, dict[str, float]] = {}

    def mean_log_likelihoods(self, query_units: Collection[str],
                             among: Iterable[str],
                             leave_out: tuple[str, Iterable[str]] | None = None
                             ) -> dict[str, float]:
        """Each entry's log-likelihood of the question per unit (comparable across questions).

        `leave_out` (entry id, units of one phrasing) scores as if that phrasing had not been
        counted: the content checks ask what a phrasing would match without itself."""
        n = max(1, len(query_units))
        removed: Counter[str] = Counter()
        removed_entry = ""
        if leave_out is not None:
            removed_entry, removed_units = leave_out
            removed.update(removed_units)
        out: dict[str, float] = {}
        for eid in among:
            bag = self._bag(eid)
            if bag is None:
                continue
            less = removed if eid == removed_entry else None
            if not less:
                logs = self._log_counts.get(eid)
                if logs is None:
                    logs = self._log_counts[eid] = {u: math.log(k + ALPHA) for u, k in bag.items()}
                out[eid] = sum(map(logs.get, query_units, repeat(self._unseen))) / n \
                    - self._log_den[eid]
                continue
            total = self._totals[eid] - sum(less.values())
            den = math.log(max(0, total) + ALPHA * self._size)
            total_ll = 0.0
            for unit in query_units:
                count = bag.get(unit, 0) - less[unit]
                total_ll += math.log(count + ALPHA) if count > 0 else self._unseen
            out[eid] = total_ll / n - den
        return out

    def _bag(self, entry_id: str) -> Counter[str] | None:
        """How often each unit occurs in the entry's phrasings (counted on first use)."""
        bag = self._counts.get(entry_id)
        if bag is None and entry_id in self._examples:
            bag = self._counts[entry_id] = Counter()
            for entry_units in self._examples[entry_id]:
                bag.update(entry_units)
        return bag
