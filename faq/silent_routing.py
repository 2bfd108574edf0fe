"""What a question gets when it asks what the report does not say (faq/data/silent.yaml).

The intents found in a question (faq/silent.py) are weighed against the entry the matcher
would give: an entry whose own phrasings or answer speak to what is asked needs no note; for
any other the reply is that programme's answer, then what the report does not say, then the
contacts. The words asking for it are often unknown to the FAQ and only drag the confidence
down, so a question that would not be answered is weighed once more without them
(「无息借款在哪办」 → 「无息借款」); the rules below say when either weighing is trusted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from faq.decision import Match, Outcome
from faq.silent import FoundIntent, SilentFinder
from faq.views import Memo

if TYPE_CHECKING:
    from faq.matcher import Matcher

Asked = tuple[FoundIntent, tuple[str, ...]]  # an intent a question asks for, and its words
# Confidences this close are a tie: the first weighing of a silent question cannot tell them apart.
TIE = 0.05
MIN_REST = 2  # what is left without the asking words is weighed if it is a name (吴明) or more


def route(matcher: Matcher, decision: Match, query: str, asked: list[Asked],
          memo: Memo) -> Match:
    """The decision for a question asking `asked`, flagged with what the report does not say."""
    if decision.best is None:
        return decision
    unsaid = matcher.unsaid(asked, decision.best.entry_id)
    if not unsaid:
        return _asked_of_another(matcher, decision, query, asked, memo)
    if decision.outcome is not Outcome.ANSWER:
        decision = _weigh_unsaid(matcher, decision, query, asked, unsaid, memo)
        if decision.best is not None:  # the entry may have changed
            unsaid = matcher.unsaid(asked, decision.best.entry_id)
    return _flagged(decision, unsaid)


def _flagged(decision: Match, unsaid: list[Asked]) -> Match:
    """The decision saying what the report does not say (the intents' names, as shown)."""
    return replace(decision, silent=shown(unsaid))


def shown(unsaid: list[Asked]) -> str:
    """What the report does not say, as the worker and staff see it: the intents' names."""
    return "、".join(i.name for i, _ in unsaid)


def _without_asking(matcher: Matcher, query: str, asked: list[Asked], memo: Memo) -> Match | None:
    """The question weighed again without the words that ask (not the words of a detail,
    which are part of what is asked: 「担保人」); None when too little is left."""
    rest = SilentFinder.strip(query, (w for i, hits in asked if not i.detail for w in hits))
    return matcher.decide(rest, memo=memo) if len(rest) >= MIN_REST else None


def _weigh_unsaid(matcher: Matcher, decision: Match, query: str, asked: list[Asked],
                  unsaid: list[Asked], memo: Memo) -> Match:
    """Answer a silent question the decision would not answer, when its entry is clear.

    The worker gets the programme's answer, the note and the contacts: as a plain answer when
    the question without its asking words is confidently the entry the first weighing put
    first, or one it could not tell from the first (a tie: 「转岗培训怎么报名 电话多少」 had the
    training base, transfer training and the contacts all at 0.26); with 「不是这个？」 when the
    entry is only plausible (≥ the `silent` cut-off) and either both weighings agree on it or
    the first is the surer (taking the words out can leave a vaguer question: 「劳模工作室咋申报」
    → 「工作室」). Otherwise the question stays as decided, flagged, so "did you mean" says it."""
    best = decision.best
    assert best is not None
    stripped = None
    if any(not i.detail for i, _ in unsaid):
        stripped = _without_asking(matcher, query, asked, memo)
    second = stripped if stripped is not None else decision  # only details: nothing taken out
    second_best = second.best.entry_id if second.best is not None else None
    tied = {c.entry_id for c in decision.candidates if c.confidence >= best.confidence - TIE}
    if second.outcome is Outcome.ANSWER and second_best in tied:
        return replace(second, query=query)
    same = second_best == best.entry_id
    surer = max(decision, second, key=lambda m: m.confidence)
    if (same or surer is decision) and surer.confidence >= matcher.model.thresholds.silent:
        return Match(Outcome.ANSWER, query, surer.candidates[:1], confirm=True)
    return decision


def _asked_of_another(matcher: Matcher, decision: Match, query: str, asked: list[Asked],
                      memo: Memo) -> Match:
    """The entry first speaks to what is asked, but only through the asking words: 「吴明电话
    多少」 leans to the union's phone numbers for 「电话」, and 「吴明」 alone is confidently his
    studio. Then the studio's answer, the note and the contacts serve the worker better than the
    phone numbers alone; it takes a confident second weighing (no 「不是这个？」), as a vague rest
    (「创业扶持申请」 for 「创业付持申请条件」) would lead away from the right entry."""
    if decision.outcome is Outcome.ANSWER or decision.best is None:
        return decision
    second = _without_asking(matcher, query, asked, memo)
    if second is None or second.outcome is not Outcome.ANSWER or second.confirm \
            or second.best is None or second.best.entry_id == decision.best.entry_id:
        return decision
    unsaid = matcher.unsaid(asked, second.best.entry_id)
    if not unsaid:
        return decision
    return _flagged(replace(second, query=query), unsaid)
