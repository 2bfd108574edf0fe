"""The first ranker: an index of FAQ phrasings, scored for one question.

Each phrasing (canonical question or alternate) is broken into units (faq/units.py): characters,
character bigrams and pinyin-syllable bigrams. Units are weighted by how rare they are across
entries, and units the FAQ has never seen weigh the most: a question about 拖欠工资 is mostly
"unknown" and so scores low, which is what lets off-topic messages fall back instead of being
answered confidently.

Candidates come from an entry-level inverted index over the rarer units; the best entries'
phrasings are scored with an F-measure of coverage in both directions plus rapidfuzz's ratio of
pinyin-syllable sequences (each syllable coded as one character, so rapidfuzz compares plain
strings, which sidesteps its whitespace tokenisation of unspaced Chinese). What to do with the
ranking is decided in faq/decision.py.

A question is scored through its `View`; one match shares views and scores in a `Memo`
(both in faq/views.py).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import cast

from rapidfuzz import fuzz, process

from faq.decision import Candidate
from faq.index import Prepared
from faq.text import to_pinyin
from faq.units import units_and_pairs
from faq.views import Memo, View

# Relative weight of each unit kind, on top of its rarity.
KIND_WEIGHT = {"u": 0.6, "b": 1.0, "p": 0.8}
# Candidate retrieval skips units found in more than this share of entries (but at least
# MIN_RETRIEVAL_DF); the best RESCORE_ENTRIES entries are scored phrasing by phrasing.
RETRIEVAL_DF_SHARE = 0.05
MIN_RETRIEVAL_DF = 50
RESCORE_ENTRIES = 10
# Retrieval reads the question's units rarest first and stops after this many postings: the
# rare units decide which entries come first, and a long message on a large FAQ would
# otherwise walk tens of thousands of postings (the shipped FAQ never reaches it).
RETRIEVAL_BUDGET = 3000
_UNKNOWN_SYLLABLE = "\uf8ff"  # a syllable no phrasing has: it never matches, like any such


@dataclass(frozen=True)
class MatchSettings:
    max_suggestions: int = 3  # "did you mean" lists at most this many
    # How the score is made (weights chosen on the dev set). The core is an
    # F-measure of two coverages: how much of the question's weight the phrasing explains
    # (recall, weighted beta times more) and how much of the phrasing the question contains
    # (precision). An F-measure, not a sum, so a two-character phrasing such as 「帮助」 cannot
    # win a long question just by being wholly inside it. Added to it: rapidfuzz's ratio of the
    # two pinyin sequences (order and sound), and the recall pooled over all of an entry's
    # phrasings.
    beta: float = 1.0
    weight_fmeasure: float = 0.6
    weight_align: float = 0.2
    weight_entry: float = 0.45
    # A long message tells a story before it asks: beyond this many times the phrasing's own
    # weight, extra words no longer count against it (an off-topic story still shares little).
    query_span: float = 2.0


@dataclass(slots=True)
class _Phrasing:
    entry_id: str
    text: str  # as written
    norm: str
    units: frozenset[str]
    code: str  # pinyin syllables, one character each
    weight: float


class Ranker:
    """Scores questions against prepared phrasings (see faq/index.py)."""

    def __init__(self, prepared: Sequence[Prepared], settings: MatchSettings):
        """Built on every start and /reload (~20 ms for the shipped FAQ): the loops that run
        once per unit or syllable are left to C (set.update, Counter, dict.fromkeys, map)."""
        self.settings = settings
        self._entry_units: dict[str, set[str]] = defaultdict(set)
        for p in prepared:
            self._entry_units[p.entry_id].update(p.units)
        entry_df: Counter[str] = Counter(chain.from_iterable(self._entry_units.values()))
        self.entry_count = len(self._entry_units) or 1
        by_kind_df = {(kind, df): self._weight(kind, df)  # few distinct (kind, df) pairs
                      for kind, df in {(u[0], df) for u, df in entry_df.items()}}
        self._idf = {u: by_kind_df[u[0], df] for u, df in entry_df.items()}
        syllables = dict.fromkeys(chain.from_iterable(p.pinyin for p in prepared))
        self._syllables = {s: chr(0xF0000 + i) for i, s in enumerate(syllables)}
        self._entry_phrasings: dict[str, list[_Phrasing]] = defaultdict(list)
        idf, code = self._idf, self._syllables.__getitem__  # every syllable here has its code
        for p in prepared:
            self._entry_phrasings[p.entry_id].append(_Phrasing(
                p.entry_id, p.text, p.norm, p.units, "".join(map(code, p.pinyin)),
                sum(map(idf.__getitem__, p.units))))
        self._entry_ids = list(self._entry_phrasings)
        # each entry's phrasings' pinyin codes, listed once (rapidfuzz takes them per call)
        self._entry_codes = {eid: [p.code for p in ps] for eid, ps in self._entry_phrasings.items()}
        self._entry_postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, eid in enumerate(self._entry_ids):
            for u in self._entry_units[eid]:
                self._entry_postings[u].append(entry_index)
        # Units shared by more entries than this are too common to help find candidates
        # (they still count in the scores).
        self._max_df = max(MIN_RETRIEVAL_DF, int(self.entry_count * RETRIEVAL_DF_SHARE))
        self._unknown = {kind: self._weight(kind, 0) for kind in KIND_WEIGHT}
        self._unknown_char = self._unknown["u"]
        self._b2 = settings.beta * settings.beta
        self._scale = 100 / (settings.weight_fmeasure + settings.weight_align
                             + settings.weight_entry)

    def _weight(self, unit: str, df: int) -> float:
        return KIND_WEIGHT[unit[0]] * math.log((self.entry_count + 1) / (df + 0.5))

    def unit_weight(self, unit: str) -> float:
        """Weight of a unit; units the FAQ never uses weigh the most."""
        return self._idf.get(unit) or self._unknown[unit[0]]

    def code(self, syllables: Sequence[str]) -> str:
        """Pinyin syllables as a string of one character each, for rapidfuzz."""
        get = self._syllables.get
        return "".join(get(s, _UNKNOWN_SYLLABLE) for s in syllables)

    def view(self, text: str, memo: Memo | None = None) -> View:
        found = memo.views.get(text) if memo is not None else None
        if found is None:
            found_units, pairs = units_and_pairs(text)
            q_units = frozenset(found_units)
            weights = {u: self.unit_weight(u) for u in q_units}
            chars = tuple((u, w) for u, w in weights.items() if u[0] == "u")
            found = View(q_units, weights, sum(weights.values()), self.code(to_pinyin(text)),
                         chars, tuple(pairs), sum(w for _, w in chars))
            if memo is not None:
                memo.views[text] = found
        return found

    def rank(self, query: str, limit: int = 5, exclude: tuple[str, str] | None = None,
             exclude_entry: str | None = None, parts: tuple[str, ...] = (),
             among: tuple[str, ...] = (), memo: Memo | None = None) -> list[Candidate]:
        """Best-scoring entries for a normalised query, one candidate per entry.

        With `parts` (stretches of a long message), each entry scores its best over the parts
        instead of over the whole; `among` limits scoring to those entries (no retrieval).
        `exclude` leaves out one (entry id, phrasing text); `exclude_entry` a whole entry: both
        serve the content checks that ask "what would this match without itself?"."""
        if not query:
            return []
        memo = memo if memo is not None else Memo()
        texts = parts or (query,)
        views = [(text, self.view(text, memo)) for text in texts]
        by_entry: list[Candidate] = []
        for eid in among or self._retrieve(self.view(query, memo)):
            if eid == exclude_entry or len(by_entry) == RESCORE_ENTRIES:
                continue
            best: tuple[float, str] | None = None
            for text, view in views:
                key = (text, eid)
                if key not in memo.best:
                    memo.best[key] = self._best_phrasing(view, eid, exclude)
                found = memo.best[key]
                if found is not None and (best is None or found[0] > best[0]):
                    best = found
            if best is not None:
                by_entry.append(Candidate(eid, round(best[0], 1), best[1]))
        by_entry.sort(key=lambda c: c.score, reverse=True)
        return by_entry[:limit]

    def _best_phrasing(self, view: View, eid: str,
                       exclude: tuple[str, str] | None) -> tuple[float, str] | None:
        """An entry's best phrasing for a view (score, phrasing), or None if none shares a unit.

        The score (see MatchSettings) is written out here rather than in a function of its
        own: it runs for every phrasing of every candidate, and a call costs a third of it.
        The pinyin ratios of all the entry's phrasings come from one `process.extract` call,
        which prepares the question once (the same values as `fuzz.ratio`, ~3x faster)."""
        entry_units, entry_weight = self.overlap(view, eid)
        if not entry_units:
            return None
        s, weights, total = self.settings, view.weights, view.total
        b2, span = self._b2, s.query_span
        w_f, w_a = s.weight_fmeasure * self._scale, s.weight_align * self._scale / 100
        base = s.weight_entry * self._scale * entry_weight / total
        phrasings = self._entry_phrasings[eid]
        aligned = [0.0] * len(phrasings)
        for _, value, i in process.extract(view.code, self._entry_codes[eid],
                                           scorer=fuzz.ratio, limit=None):
            aligned[i] = value
        best: tuple[float, str] | None = None
        for p, align in zip(phrasings, aligned, strict=True):
            if exclude and (eid, p.text) == exclude:
                continue
            shared = sum(map(weights.__getitem__, entry_units & p.units))
            fmeasure = 0.0
            if shared and p.weight:
                recall = min(1.0, shared / min(total, span * p.weight))
                precision = min(1.0, shared / p.weight)
                fmeasure = (1 + b2) * precision * recall / (b2 * precision + recall)
            score = w_f * fmeasure + w_a * align + base
            if best is None or score > best[0]:
                best = (score, p.text)
        return best

    def _retrieve(self, whole: View) -> list[str]:
        """The entries sharing the most weight with the question, over its rarer units.

        Sums go into a list indexed by entry (a dict keyed by entry costs ~3x as much on a
        large FAQ); `touched` keeps the order entries were first reached, so ties are broken
        exactly as a dict in insertion order would break them."""
        rough: list[float | None] = [None] * len(self._entry_ids)
        touched: list[int] = []
        reached = touched.append
        postings, budget = self._entry_postings, RETRIEVAL_BUDGET
        for u, w in sorted(whole.weights.items(), key=itemgetter(1), reverse=True):
            posting = postings.get(u)
            if posting and len(posting) <= self._max_df:
                for entry_index in posting:
                    so_far = rough[entry_index]
                    if so_far is None:
                        reached(entry_index)
                        rough[entry_index] = w
                    else:
                        rough[entry_index] = so_far + w
                budget -= len(posting)
                if budget <= 0:
                    break
        # sorted() calls the key in C: faster than heapq.nlargest's Python loop here
        sums = cast("list[float]", rough)  # every touched entry has its sum
        best = sorted(touched, key=sums.__getitem__, reverse=True)[:RESCORE_ENTRIES + 1]
        return [self._entry_ids[i] for i in best]

    def known_share(self, view: View) -> float:
        """Share of a question's weight in units the FAQ uses at all."""
        known = sum(w for u, w in view.weights.items() if u in self._idf)
        return known / view.total if view.total else 0.0

    def overlap(self, view: View, entry_id: str) -> tuple[frozenset[str], float]:
        """The question's units an entry has (all phrasings) and their weight (kept in the view)."""
        found = view.overlaps.get(entry_id)
        if found is None:
            shared = view.units & self._entry_units.get(entry_id, set())
            found = view.overlaps[entry_id] = (shared, sum(map(view.weights.__getitem__, shared)))
        return found

    def cover(self, view: View, entry_id: str) -> float:
        """Share of a question's weight that an entry's units (all phrasings) explain."""
        return self.overlap(view, entry_id)[1] / view.total if view.total else 0.0

    def characters(self, view: View, entry_id: str) -> tuple[float, float]:
        """How an entry covers the question's characters: the share of their weight it has,
        and the weight of the rarest one it lacks (0-1; a lone unknown word such as 分数线 in
        「大学录取分数线」 is what marks many off-topic questions)."""
        entry_units = self.overlap(view, entry_id)[0]  # the same answers for the question's units
        total = view.char_total
        if not total:
            return 0.0, 0.0
        covered = sum(w for u, w in view.chars if u in entry_units)
        missing = max((w for u, w in view.chars if u not in entry_units), default=0.0)
        return covered / total, missing / self._unknown_char

    def strange(self, view: View, entry_id: str, also: frozenset[str]) -> float:
        """The share of the question's two-character stretches the entry (its phrasings, and
        `also`, its answer's units) has neither as characters nor as sounds: a place, a firm
        or a thing it never speaks of (广东, 房价), where a typo (接款) still sounds right."""
        known = self.overlap(view, entry_id)[0]  # each pair's two units are question units
        count = sum(1 for b, p in view.pairs
                    if b not in known and p not in known and b not in also and p not in also)
        return count / len(view.pairs) if view.pairs else 0.0

    def phrasings(self, entry_id: str) -> list[_Phrasing]:
        return self._entry_phrasings.get(entry_id, [])
