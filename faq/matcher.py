"""Matching a worker's question against the FAQ, designed for short unspaced Chinese.

Three steps, each in its own module:
- rank (faq/ranking.py): the phrasings most like the question, by rare-unit coverage and pinyin;
- weigh (faq/classifier.py, faq/decision.py): a second, differently built ranker gives its
  opinion, and a fitted logistic model turns the signals into a confidence per candidate;
- choose (faq/decision.py): answer, answer with "also maybe", "did you mean", or fall back.
A question that asks what the report does not say (faq/silent.py) is flagged, so the reply can
give what the report does say and then the contacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from faq.answers import AnswerIndex, answer_text
from faq.classifier import UnitClassifier
from faq.decision import (
    Candidate,
    DecisionModel,
    Evidence,
    Match,
    Outcome,
    choose,
    considered,
    features,
    load_model,
)
from faq.index import Prepared, prepare
from faq.names import NameIndex
from faq.ranking import RESCORE_ENTRIES, MatchSettings, Ranker
from faq.silent import SilentFinder
from faq.silent_routing import Asked, shown
from faq.silent_routing import route as route_silent
from faq.text import Normalizer
from faq.units import tokens, units
from faq.views import Memo

__all__ = ["Candidate", "Match", "MatchSettings", "Matcher", "Outcome", "tokens", "units"]

# Long messages: where a clause ends (punctuation, spaces, symbols, emoji), how long a message
# must be (normalised characters) to be looked at clause by clause, and which clauses count.
_CLAUSE_END = re.compile(r"[^\w\u3400-\u4dbf\u4e00-\u9fff]+")
LONG_QUERY = 24
MIN_CLAUSE = 3  # shorter clauses (嗯, 好的) are left out
MAX_CLAUSES = 3  # the last three: the question usually comes last
RESCUE_ENTRIES = 3  # the whole message's best entries, whose phrasings meet each clause


class Matcher:
    """The FAQ's phrasings indexed for both rankers, and the decision over their evidence."""

    def __init__(self, phrasings: Iterable[tuple[str, str]], normalizer: Normalizer,
                 settings: MatchSettings | None = None, model: DecisionModel | None = None,
                 silent: SilentFinder | None = None, use_cache: bool = True,
                 answers: Iterable[tuple[str, str]] = (), names: NameIndex | None = None):
        """`phrasings` and `answers` are (entry id, text); answers (faq/answers.py) and the
        entries' names (faq/names.py) are optional."""
        self.normalizer = normalizer
        self.settings = settings or MatchSettings()
        answers = list(answers)
        prepared = prepare(list(phrasings), normalizer, use_cache)
        self._norms = {p.text: p.norm for p in prepared}
        whole = replace(normalizer, max_chars=0)  # an answer is matched whole
        self.answers = AnswerIndex(prepare([(eid, answer_text(text)) for eid, text in answers],
                                           whole, use_cache))
        self.ranker = Ranker(prepared, self.settings)
        self.classifier = UnitClassifier((p.entry_id, p.units) for p in prepared)
        self.model = model or load_model()
        self.silent = silent or SilentFinder()
        self.names = names or NameIndex((), normalizer.normalize)
        # What each entry says itself, to tell what a silent question asks that it does not:
        # its normalised phrasings, joined, and its answer.
        answer_of = dict(answers)
        self._said = {eid: ("\n".join(p.norm for p in self.ranker.phrasings(eid)),
                            answer_of.get(eid, "")) for eid in {p.entry_id for p in prepared}}
        # The places outside Hebei each entry names itself (in its phrasings or its answer).
        self._names_place = {eid: {place for place in self.silent.places if place in text}
                             for eid, text in _texts_by_entry(prepared, answers).items()}

    @property
    def normal_forms(self) -> frozenset[str]:
        """Every FAQ phrasing as normalised for the index (empty ones are not indexed)."""
        return frozenset(self._norms.values())

    def normalized(self, phrasing: str) -> str:
        """An FAQ phrasing as normalised for the index (read from its cache), or any text."""
        return self._norms.get(phrasing) or self.normalizer.normalize(phrasing)

    @property
    def entry_count(self) -> int:
        return self.ranker.entry_count

    def rank(self, query: str, limit: int = 5, exclude: tuple[str, str] | None = None,
             exclude_entry: str | None = None, parts: tuple[str, ...] = (),
             among: tuple[str, ...] = (), memo: Memo | None = None) -> list[Candidate]:
        """The first ranker's best entries for a normalised query (see Ranker.rank)."""
        return self.ranker.rank(query, limit, exclude, exclude_entry, parts, among, memo)

    def match(self, text: str) -> Match:
        """Normalise a raw question and decide what to do with it."""
        query = self.normalizer.normalize(text)
        if not query:
            return Match(Outcome.FALLBACK, "", ())
        memo = Memo()
        decision = self.decide(query, text=text, memo=memo)
        if decision.outcome is not Outcome.ANSWER and len(query) > LONG_QUERY:
            decision = self._last_clause(decision, query, text, memo)
        asked = self.silent.find(self._asking_part(query, text, memo))
        if asked:  # flag what the report does not say (faq/silent_routing.py)
            decision = route_silent(self, decision, query, asked, memo)
        return self._named(self._elsewhere(decision, query), query, asked)

    def _elsewhere(self, decision: Match, query: str) -> Match:
        """A question about a place outside Hebei falls back, naming the place, unless the
        entry it would get names that place itself."""
        place = self.outside_hebei(query, decision.best.entry_id if decision.best else None)
        return Match(Outcome.FALLBACK, query, (), elsewhere=place) if place else decision

    def outside_hebei(self, query: str, entry_id: str | None) -> str:
        """The place outside Hebei a normalised question is about, unless the entry it would
        get names that place itself ("" when none)."""
        place = self.silent.place(query)
        return "" if entry_id is not None and place in self._names_place.get(entry_id, ()) \
            else place

    def _last_clause(self, decision: Match, query: str, text: str, memo: Memo) -> Match:
        """A long message that would not be answered, weighed on its end alone: the last
        clause, then (only if that is not answered) the last two together; workers tell their
        story first and ask last. An answer found there comes with 「不是这个？」, since it
        rests on part of the message."""
        clauses = self.clauses(text, memo)
        for end in dict.fromkeys(("".join(clauses[-1:]), "".join(clauses[-2:]))):
            if not end or end == query:
                continue
            found = self.decide(end, memo=memo)
            if found.outcome is Outcome.ANSWER:
                return replace(found, query=query, confirm=not found.alternatives)
        return decision

    def decide(self, query: str, exclude: tuple[str, str] | None = None,
               text: str = "", memo: Memo | None = None) -> Match:
        """Rank a normalised query, weigh each candidate and choose what to do.

        `text` (the raw message) lets a long message be looked at clause by clause; `exclude`
        (entry id, phrasing) decides as if that phrasing were not in the FAQ (content checks);
        `memo` shares views and scores between the passes of one match."""
        candidates = [replace(c, confidence=round(self.model.probability(inputs), 4))
                      for c, inputs in self.weigh(query, exclude, text, memo)]
        outcome, shown, confirm = choose(candidates, self.model.thresholds,
                                         self.settings.max_suggestions)
        return Match(outcome, query, shown, confirm)

    def weigh(self, query: str, exclude: tuple[str, str] | None = None,
              text: str = "", memo: Memo | None = None
              ) -> list[tuple[Candidate, dict[str, float]]]:
        """The candidates worth a confidence, each with the decision model's inputs."""
        memo = memo if memo is not None else Memo()
        ranked = self.rank(query, limit=RESCORE_ENTRIES, exclude=exclude, memo=memo)
        if not ranked:
            return []
        view = self.ranker.view(query, memo)
        extra = self.answers.best(view.weights, (c.entry_id for c in ranked))
        if extra:
            ranked += self.rank(query, len(extra), exclude, among=tuple(extra), memo=memo)
            ranked.sort(key=lambda c: c.score, reverse=True)
        evidence, unknown = self.evidence(query, ranked, exclude, text, memo)
        inputs = features(evidence, unknown, len(query))
        return [(ranked[i], inputs[i]) for i in considered(evidence)]

    def evidence(self, query: str, ranked: list[Candidate], exclude: tuple[str, str] | None,
                 text: str, memo: Memo) -> tuple[list[Evidence], float]:
        """What both rankers say about each ranked candidate, and the question's unknown share."""
        view = self.ranker.view(query, memo)
        leave_out = None
        if exclude is not None:
            held = [p for p in self.ranker.phrasings(exclude[0]) if p.text == exclude[1]]
            leave_out = (exclude[0], held[0].units if held else frozenset[str]())
        ids = [c.entry_id for c in ranked]
        likelihood = self.classifier.mean_log_likelihoods(view.units, ids, leave_out)
        clause = self.clause_scores(query, text, ids[:RESCUE_ENTRIES], memo)
        evidence = [Evidence(c.entry_id, c.score, c.phrasing, self.ranker.cover(view, c.entry_id),
                             *self.ranker.characters(view, c.entry_id),
                             likelihood.get(c.entry_id, -30.0), clause.get(c.entry_id, 0.0),
                             self.answers.cover(view.weights, view.total, c.entry_id),
                             self.ranker.strange(view, c.entry_id,
                                                 self.answers.units_of(c.entry_id)))
                    for c in ranked]
        return evidence, 1.0 - self.ranker.known_share(view)

    def clause_scores(self, query: str, text: str, among: list[str],
                      memo: Memo) -> dict[str, float]:
        """For a long message, each entry's best score against its last clauses: a question
        asked in one clause of a long story is then still seen."""
        if len(query) <= LONG_QUERY or not text:
            return {}
        parts = self.parts(text, memo)
        if not parts:
            return {}
        ranked = self.rank(query, limit=len(among), parts=parts, among=tuple(among), memo=memo)
        return {c.entry_id: c.score for c in ranked}

    def _named(self, decision: Match, query: str, asked: list[Asked]) -> Match:
        """A question that would fall back but names one entry's programme (faq/names.py) is
        answered with that entry and 「不是这个？」, flagged with what the report does not say
        of it: the worker named what they ask about, and the rest of the question is often
        words no FAQ phrasing holds. The entry must be among the candidates weighed, at the
        `named` confidence or more (a name in passing, 「裕华路现在堵车吗」, is not enough);
        when it is not, the first candidate serves if it is of the named entry's topic (the
        name says the programme, the matcher which of its entries: 「创业扶持有年龄限制不」)."""
        if decision.outcome is not Outcome.FALLBACK or decision.elsewhere or not self.names:
            return decision
        named = self.names.named(query)
        if named is None:
            return decision
        floor = self.model.thresholds.named
        weighed = [c for c in decision.candidates if c.confidence >= floor]
        candidate = next((c for c in weighed if c.entry_id == named.entry_id), None) or next(
            (c for c in weighed[:1] if self.names.same_topic(named.entry_id, c.entry_id)), None)
        if candidate is None:
            return decision
        return Match(Outcome.ANSWER, query, (candidate,), confirm=True,
                     silent=shown(self.unsaid(asked, candidate.entry_id)), named=named.name)

    def unsaid(self, asked: list[Asked], entry_id: str) -> list[Asked]:
        """What a question asks that the entry does not speak to itself."""
        said = self._said.get(entry_id, ("", ""))
        return [(i, hits) for i, hits in asked if not SilentFinder.speaks_to(i, hits, *said)]

    def _asking_part(self, query: str, text: str, memo: Memo) -> str:
        """Where a message asks: a long one's last two clauses, since the story before them
        uses the same words in passing (「打电话说」, 「准备个材料」, 「今年的技能大赛」)."""
        if len(query) <= LONG_QUERY:
            return query
        return "".join(self.clauses(text, memo)[-2:]) or query

    def parts(self, text: str, memo: Memo | None = None) -> tuple[str, ...]:
        """The last few clauses of a long message, normalised, and the last two together
        (clauses end at punctuation, spaces and emoji)."""
        clauses = self.clauses(text, memo)
        return tuple(dict.fromkeys([*clauses, "".join(clauses[-2:])])) if len(clauses) > 1 \
            else ()

    def clauses(self, text: str, memo: Memo | None = None) -> list[str]:
        """The last MAX_CLAUSES clauses of a message, normalised, in order.

        Only the stretch the whole message is normalised from is split (`Normalizer.tail`),
        and clauses are normalised from the last one back until enough are found, so a
        message of thousands of one-character clauses costs no more than a short one.
        `memo` keeps them for the match's other passes."""
        if memo is not None and text in memo.clauses:
            return memo.clauses[text]
        clauses: list[str] = []
        for raw in reversed(_CLAUSE_END.split(self.normalizer.tail(text or ""))):
            clause = self.normalizer.normalize(raw)
            if len(clause) >= MIN_CLAUSE:
                clauses.append(clause)
                if len(clauses) == MAX_CLAUSES:
                    break
        clauses.reverse()
        if memo is not None:
            memo.clauses[text] = clauses
        return clauses


def _texts_by_entry(prepared: Iterable[Prepared], answers: Iterable[tuple[str, str]]
                    ) -> dict[str, str]:
    """Each entry's phrasings (as written and normalised) and answer, as one text."""
    texts: dict[str, list[str]] = {}
    for p in prepared:
        texts.setdefault(p.entry_id, []).extend((p.text, p.norm))
    for eid, answer in answers:
        texts.setdefault(eid, []).append(answer)
    return {eid: "\n".join(parts) for eid, parts in texts.items()}
