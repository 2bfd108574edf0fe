"""The loaded knowledge: content plus the normaliser and matcher built from it.

A `Knowledge` is immutable once built; reloading builds a new one and swaps the reference, so a
broken file never disturbs the one that is serving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faq.content import Content, Entry, FaqPaths
from faq.content_cache import load_content_cached
from faq.matcher import Matcher, MatchSettings
from faq.silent import SilentFinder
from faq.text import DEFAULT_MAX_QUERY_CHARS, Normalizer, synonym_map
from faq.yamlfile import Problem


@dataclass(frozen=True)
class MatchConfig:
    settings: MatchSettings = field(default_factory=MatchSettings)
    fillers: tuple[str, ...] = ()
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS


@dataclass(frozen=True)
class Knowledge:
    content: Content
    normalizer: Normalizer
    matcher: Matcher

    @property
    def entries(self) -> dict[str, Entry]:
        return self.content.entries


def build_normalizer(groups: list[list[str]], match: MatchConfig) -> Normalizer:
    """A normaliser whose synonym table is itself folded like a question would be."""
    fold = Normalizer(max_chars=0).normalize
    return Normalizer(synonyms=synonym_map(groups, fold=fold), fillers=list(match.fillers),
                      max_chars=match.max_query_chars)


def build_matcher(content: Content, normalizer: Normalizer, match: MatchConfig) -> Matcher:
    phrasings = [(e.id, p) for e in content.entries.values() for p in e.phrasings]
    silent = SilentFinder.build(content.silent, normalizer.normalize, content.elsewhere)
    answers = [(e.id, e.answer) for e in content.entries.values()]
    return Matcher(phrasings, normalizer, match.settings, silent=silent, answers=answers)


def build_knowledge(content: Content, match: MatchConfig) -> Knowledge:
    normalizer = build_normalizer(content.synonym_groups, match)
    return Knowledge(content, normalizer, build_matcher(content, normalizer, match))


def load_knowledge(paths: FaqPaths, match: MatchConfig) -> tuple[Knowledge, list[Problem]]:
    """Read every FAQ file (or the cache of them) and build the matcher; problems come back
    alongside, never raised."""
    content, problems = load_content_cached(paths)
    return build_knowledge(content, match), problems
