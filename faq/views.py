"""A question as the ranker sees it, and what one match has computed about it.

One match looks at a message several ways (whole, clause by clause, without the words asking
what the report does not say); a `Memo` keeps each text's `View` and each (text, entry)'s best
phrasing, so no text is broken into units twice and no entry is scored twice against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class View:
    """A normalised question (or one stretch of it) as the scorer sees it."""

    units: frozenset[str]
    weights: dict[str, float]
    total: float
    code: str  # pinyin syllables, one character each (see Ranker.code)
    chars: tuple[tuple[str, float], ...]  # the character units and their weights
    pairs: tuple[tuple[str, str], ...]  # each character bigram with its pinyin bigram
    char_total: float = 0.0  # the characters' weight
    # entry id -> the question's units the entry has (any phrasing) and their weight, kept
    # because scoring the entry and the decision's evidence both need them (Ranker.overlap)
    overlaps: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)


@dataclass
class Memo:
    """What one match has computed: each text's view, each (text, entry)'s best phrasing,
    a long message's last clauses."""

    views: dict[str, View] = field(default_factory=dict)
    best: dict[tuple[str, str], tuple[float, str] | None] = field(default_factory=dict)
    clauses: dict[str, list[str]] = field(default_factory=dict)
