"""Matching a worker's question against the FAQ, designed for short unspaced Chinese.

Each phrasing (canonical question or alternate) is broken into units: characters, character
bigrams and pinyin-syllable bigrams, so a sound-alike typo (接款 for 借款) still shares the pinyin
bigram "jie kuan". Units are weighted by how rare they are across entries, and units the FAQ has
never seen weigh the most: a question about 拖欠工资 is mostly "unknown" and so scores low, which
is what lets off-topic messages fall back instead of being answered confidently.

Candidates come from an entry-level inverted index over the rarer units; the best entries' phrasings
are scored with an
F-measure of coverage in both directions plus rapidfuzz's ratio of pinyin-syllable sequences (its
scorers take token lists, which sidesteps their whitespace tokenisation of unspaced Chinese).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from faq.text import Normalizer, to_pinyin

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+|.")
# Long messages: where a clause ends (punctuation, spaces, symbols, emoji), how long a message
# must be (normalised characters) to be looked at clause by clause, and which clauses count.
_CLAUSE_END = re.compile(r"[^\w\u3400-\u4dbf\u4e00-\u9fff]+")
LONG_QUERY = 24
MIN_CLAUSE = 3  # shorter clauses (嗯, 好的) are left out
MAX_CLAUSES = 4  # the last four: the question usually comes last
RESCUE_ENTRIES = 5  # the whole message's best entries, whose phrasings meet each clause

# Relative weight of each unit kind, on top of its rarity.
KIND_WEIGHT = {"u": 0.6, "b": 1.0, "p": 0.8}
# Candidate retrieval skips units found in more than this share of entries (but at least
# MIN_RETRIEVAL_DF); the best RESCORE_ENTRIES entries are scored phrasing by phrasing.
RETRIEVAL_DF_SHARE = 0.05
MIN_RETRIEVAL_DF = 50
RESCORE_ENTRIES = 10


@dataclass(frozen=True)
class MatchSettings:
    answer_threshold: float = 42.0
    clarify_threshold: float = 33.0
    margin: float = 9.0
    max_suggestions: int = 3
    # How the score is made (tuned on the dev set by benchmarks/tune.py). The core is an
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


class Outcome(StrEnum):
    """What the matcher decided to do with a question."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float
    phrasing: str


@dataclass(frozen=True)
class Match:
    """What the matcher decided for one question."""

    outcome: Outcome
    query: str  # the normalised question
    candidates: tuple[Candidate, ...]  # best first, one per entry

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def entry_id(self) -> str | None:
        return self.candidates[0].entry_id if self.outcome is Outcome.ANSWER else None

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0


def tokens(text: str) -> list[str]:
    """Characters of a normalised text, with digit runs and Latin words kept whole."""
    return _TOKEN.findall(text)


def units(text: str) -> set[str]:
    """The matching units of a normalised text."""
    toks = tokens(text)
    syllables = to_pinyin("".join(t if len(t) == 1 else "\x00" for t in toks))
    syllables = [s if s != "\x00" else t for s, t in zip(syllables, toks, strict=True)]
    out = {"u" + t for t in toks}
    out.update("b" + a + b for a, b in zip(toks, toks[1:], strict=False))
    out.update("p" + a + " " + b for a, b in zip(syllables, syllables[1:], strict=False))
    return out


@dataclass
class _Phrasing:
    entry_id: str
    text: str  # as written
    norm: str
    units: frozenset[str]
    pinyin: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class _View:
    """A normalised question (or one stretch of it) as the scorer sees it."""

    units: set[str]
    weights: dict[str, float]
    total: float
    pinyin: tuple[str, ...]


class Matcher:
    """An index of FAQ phrasings and the three-way decision answer / clarify / fallback."""

    def __init__(self, phrasings: Iterable[tuple[str, str]], normalizer: Normalizer,
                 settings: MatchSettings | None = None):
        self.normalizer = normalizer
        self.settings = settings or MatchSettings()
        raw = [(eid, text, normalizer.normalize(text)) for eid, text in phrasings]
        raw = [(eid, text, norm) for eid, text, norm in raw if norm]
        unit_sets = [units(norm) for _, _, norm in raw]
        entry_df: dict[str, set[str]] = defaultdict(set)
        for (eid, _, _), us in zip(raw, unit_sets, strict=True):
            for u in us:
                entry_df[u].add(eid)
        self.entry_count = len({eid for eid, _, _ in raw}) or 1
        self._idf = {u: self._weight(u, len(ids)) for u, ids in entry_df.items()}
        self._entry_phrasings: dict[str, list[_Phrasing]] = defaultdict(list)
        self._entry_units: dict[str, set[str]] = defaultdict(set)
        for (eid, text, norm), us in zip(raw, unit_sets, strict=True):
            self._entry_phrasings[eid].append(_Phrasing(
                eid, text, norm, frozenset(us), tuple(to_pinyin(norm)),
                sum(self._idf[u] for u in us)))
            self._entry_units[eid].update(us)
        self._entry_ids = list(self._entry_phrasings)
        self._entry_postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, eid in enumerate(self._entry_ids):
            for u in self._entry_units[eid]:
                self._entry_postings[u].append(entry_index)
        # Units shared by more entries than this are too common to help find candidates
        # (they still count in the scores).
        self._max_df = max(MIN_RETRIEVAL_DF, int(self.entry_count * RETRIEVAL_DF_SHARE))

    def _weight(self, unit: str, df: int) -> float:
        return KIND_WEIGHT[unit[0]] * math.log((self.entry_count + 1) / (df + 0.5))

    def unit_weight(self, unit: str) -> float:
        """Weight of a unit; units the FAQ never uses weigh the most."""
        return self._idf.get(unit) or self._weight(unit, 0)

    def _view(self, text: str) -> _View:
        q_units = units(text)
        weights = {u: self.unit_weight(u) for u in q_units}
        return _View(q_units, weights, sum(weights.values()), tuple(to_pinyin(text)))

    def rank(self, query: str, limit: int = 5, exclude: tuple[str, str] | None = None,
             exclude_entry: str | None = None, parts: tuple[str, ...] = (),
             among: tuple[str, ...] = ()) -> list[Candidate]:
        """Best-scoring entries for a normalised query, one candidate per entry.

        With `parts` (stretches of a long message), each entry scores its best over the parts
        instead of over the whole; `among` limits scoring to those entries (no retrieval).
        `exclude` leaves out one (entry id, phrasing text); `exclude_entry` a whole entry: both
        serve the content checks that ask "what would this match without itself?"."""
        if not query:
            return []
        whole = self._view(query)
        views = [self._view(part) for part in parts] if parts else [whole]
        by_entry: dict[str, Candidate] = {}
        for eid in among or self._retrieve(whole):
            if eid == exclude_entry or len(by_entry) == RESCORE_ENTRIES:
                continue
            best: Candidate | None = None
            for view in views:
                entry_units = view.units & self._entry_units[eid]
                if not entry_units:
                    continue
                entry_cover = sum(view.weights[u] for u in entry_units) / view.total
                for phrasing in self._entry_phrasings[eid]:
                    if exclude and (eid, phrasing.text) == exclude:
                        continue
                    shared = sum(view.weights[u] for u in entry_units & phrasing.units)
                    score = self._score(shared, view.total, phrasing, view.pinyin, entry_cover)
                    if best is None or score > best.score:
                        best = Candidate(eid, round(score, 1), phrasing.text)
            if best is not None:
                by_entry[eid] = best
        ranked = sorted(by_entry.values(), key=lambda c: c.score, reverse=True)
        return ranked[:limit]

    def _retrieve(self, whole: _View) -> list[str]:
        """The entries sharing the most weight with the question, over its rarer units."""
        rough: dict[int, float] = defaultdict(float)
        for u in whole.units:
            posting = self._entry_postings.get(u)
            if posting and len(posting) <= self._max_df:
                w = whole.weights[u]
                for entry_index in posting:
                    rough[entry_index] += w
        best = heapq.nlargest(RESCORE_ENTRIES + 1, rough, key=rough.__getitem__)
        return [self._entry_ids[i] for i in best]

    def _score(self, shared: float, q_total: float, phrasing: _Phrasing,
               q_pinyin: tuple[str, ...], entry_cover: float) -> float:
        s = self.settings
        denominator = min(q_total, s.query_span * phrasing.weight)
        recall = min(1.0, shared / denominator) if denominator else 0.0
        precision = min(1.0, shared / phrasing.weight) if phrasing.weight else 0.0
        b2 = s.beta * s.beta
        fmeasure = (1 + b2) * precision * recall / (b2 * precision + recall) if shared else 0.0
        align = fuzz.ratio(q_pinyin, phrasing.pinyin) / 100
        total = s.weight_fmeasure + s.weight_align + s.weight_entry
        return 100 * (s.weight_fmeasure * fmeasure + s.weight_align * align
                      + s.weight_entry * entry_cover) / total

    def decide(self, query: str, ranked: list[Candidate]) -> Match:
        """Turn ranked candidates into answer / clarify / fallback by the configured cut-offs."""
        s = self.settings
        top = ranked[0].score if ranked else 0.0
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top >= s.answer_threshold and top - runner_up >= s.margin:
            return Match(Outcome.ANSWER, query, tuple(ranked[:1]))
        if top >= s.clarify_threshold:
            close = [c for c in ranked if c.score >= s.clarify_threshold]
            return Match(Outcome.CLARIFY, query, tuple(close[: s.max_suggestions]))
        return Match(Outcome.FALLBACK, query, tuple(ranked[: s.max_suggestions]))

    def match(self, text: str) -> Match:
        """Normalise a raw question and decide what to do with it.

        A long message that would fall back gets a second look clause by clause: a question
        asked in one clause of a long story can then be offered as "did you mean" (never
        answered outright, since a clause alone is weaker evidence than the whole)."""
        query = self.normalizer.normalize(text)
        limit = max(RESCUE_ENTRIES, self.settings.max_suggestions)
        ranked = self.rank(query, limit=limit)
        decision = self.decide(query, ranked)
        if decision.outcome is not Outcome.FALLBACK or len(query) <= LONG_QUERY:
            return decision
        parts = self.parts(text)
        if not parts:
            return decision
        among = tuple(c.entry_id for c in ranked[:RESCUE_ENTRIES])
        second = self.decide(query, self.rank(query, limit=limit, parts=parts, among=among))
        if second.outcome is Outcome.FALLBACK:
            return decision
        # Offer the clauses' best, and the whole message's best beside them.
        merged: dict[str, Candidate] = {}
        for candidate in (*second.candidates[:2], *decision.candidates[:1], *second.candidates):
            merged.setdefault(candidate.entry_id, candidate)
        suggestions = tuple(merged.values())[: self.settings.max_suggestions]
        return Match(Outcome.CLARIFY, query, suggestions)

    def parts(self, text: str) -> tuple[str, ...]:
        """The last few clauses of a long message, normalised, alone and in neighbouring
        pairs (clauses end at punctuation, spaces and emoji).

        Only the stretch the whole message is normalised from is split (`Normalizer.tail`),
        and clauses are normalised from the last one back until enough are found, so a
        message of thousands of one-character clauses costs no more than a short one."""
        clauses: list[str] = []
        for raw in reversed(_CLAUSE_END.split(self.normalizer.tail(text or ""))):
            clause = self.normalizer.normalize(raw)
            if len(clause) >= MIN_CLAUSE:
                clauses.append(clause)
                if len(clauses) == MAX_CLAUSES:
                    break
        clauses.reverse()
        pairs = [a + b for a, b in zip(clauses, clauses[1:], strict=False)]
        return tuple(dict.fromkeys(clauses + pairs)) if len(clauses) > 1 else ()
