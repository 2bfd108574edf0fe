"""The loaded knowledge: content plus the normaliser and matcher built from it.

A `Knowledge` is immutable once built; reloading builds a new one and swaps the reference, so a
broken file never disturbs the one that is serving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faq.content import Content, Entry, FaqPaths, Topic
from faq.content_cache import load_content_keyed
from faq.decision import Candidate, Match, Outcome
from faq.matcher import Matcher, MatchSettings
from faq.names import NameIndex
from faq.silent import SilentFinder
from faq.text import DEFAULT_MAX_QUERY_CHARS, Normalizer, synonym_map
from faq.yamlfile import Problem


@dataclass(frozen=True)
class MatchConfig:
    settings: MatchSettings = field(default_factory=MatchSettings)
    fillers: tuple[str, ...] = ()
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS


# A question about what the report does not say that no entry answers surely enough is still
# plainly about one programme when the matcher's candidates agree on its topic (「劳动竞赛获奖
# 了有奖金吗」: three competition entries, none sure): the worker is told the report does not
# say it and offered that topic's entries instead of the whole menu. Set by hand on the worker
# sets: under 0.2 the first candidate is as often another matter (「石家庄公交卡在哪办」 leans
# to the craftsman posters on bus shelters at 0.16).
TOPIC_FLOOR = 0.2  # the first candidate's confidence
TOPIC_SHARE = 0.9  # of the candidates' summed confidence, held by the first one's topic
TOPIC_MIN = 2  # entries of that topic among the candidates: one entry alone is no topic


@dataclass(frozen=True)
class TopicHint:
    """The topic a question falls in, and its entries among the candidates (likeliest first)."""

    topic: Topic
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Knowledge:
    content: Content
    normalizer: Normalizer
    matcher: Matcher
    # The hash of the files the content was read from and the code that read them, when it is
    # known to name exactly this content (faq/content_cache.py): what is derived from the
    # content alone, like the checks' verdict, may be kept under it.
    content_key: str | None = None

    @property
    def entries(self) -> dict[str, Entry]:
        return self.content.entries

    def topic_hint(self, match: Match) -> TopicHint | None:
        """The topic of a silent question that falls back, when its candidates agree on one."""
        if match.outcome is not Outcome.FALLBACK or not match.silent or match.best is None \
                or match.best.confidence < TOPIC_FLOOR:
            return None
        topic = self.content.topic(self.entries[match.best.entry_id].topic)
        if topic is None:
            return None
        within = tuple(c for c in match.candidates if self.entries[c.entry_id].topic == topic.id)
        held = sum(c.confidence for c in within)
        if len(within) < TOPIC_MIN or held < TOPIC_SHARE * sum(c.confidence
                                                               for c in match.candidates):
            return None
        return TopicHint(topic, within)


def build_normalizer(groups: list[list[str]], match: MatchConfig) -> Normalizer:
    """A normaliser whose synonym table is itself folded like a question would be."""
    fold = Normalizer(max_chars=0).normalize
    return Normalizer(synonyms=synonym_map(groups, fold=fold), fillers=list(match.fillers),
                      max_chars=match.max_query_chars)


def build_matcher(content: Content, normalizer: Normalizer, match: MatchConfig) -> Matcher:
    phrasings = [(e.id, p) for e in content.entries.values() for p in e.phrasings]
    silent = SilentFinder.build(content.silent, normalizer.normalize, content.elsewhere)
    answers = [(e.id, e.answer) for e in content.entries.values()]
    names = NameIndex(((e.id, name) for e in content.entries.values() for name in e.names),
                      normalizer.normalize, {e.id: e.topic for e in content.entries.values()})
    return Matcher(phrasings, normalizer, match.settings, silent=silent, answers=answers,
                   names=names)


def build_knowledge(content: Content, match: MatchConfig, content_key: str | None = None
                    ) -> Knowledge:
    normalizer = build_normalizer(content.synonym_groups, match)
    return Knowledge(content, normalizer, build_matcher(content, normalizer, match), content_key)


def load_knowledge(paths: FaqPaths, match: MatchConfig) -> tuple[Knowledge, list[Problem]]:
    """Read every FAQ file (or the cache of them) and build the matcher; problems come back
    alongside, never raised."""
    content, problems, key = load_content_keyed(paths)
    return build_knowledge(content, match, key), problems
