"""The units both rankers compare: characters, character bigrams and pinyin-syllable bigrams.

A sound-alike typo (接款 for 借款) still shares the pinyin bigram "jie kuan" with the right word.

Units are interned: a 10,000-entry FAQ holds each unit once instead of once per phrasing, and
a set or dict lookup of a question's unit then finds the index's copy by identity, without
reading the other string from memory (most of the cost of matching on a large FAQ).
"""

from __future__ import annotations

import re
import sys

from faq.text import to_pinyin

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+|.")


def tokens(text: str) -> list[str]:
    """Characters of a normalised text, with digit runs and Latin words kept whole."""
    return _TOKEN.findall(text)


def _split(text: str) -> tuple[list[str], list[str]]:
    """Tokens and their syllables (a digit run or Latin word is its own syllable)."""
    toks = tokens(text)
    syllables = to_pinyin("".join(t if len(t) == 1 else "\x00" for t in toks))
    return toks, [s if s != "\x00" else t for s, t in zip(syllables, toks, strict=True)]


def units(text: str) -> set[str]:
    """The matching units of a normalised text."""
    return _units(*_split(text))


def units_and_pairs(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The units of a text and each character bigram unit with the pinyin bigram unit of the
    same two tokens (a question's view needs both: one split)."""
    toks, syllables = _split(text)
    return _units(toks, syllables), _pairs(toks, syllables)


def _units(toks: list[str], syllables: list[str]) -> set[str]:
    intern = sys.intern
    out = {intern("u" + t) for t in toks}
    out.update(intern("b" + a + b) for a, b in zip(toks, toks[1:], strict=False))
    out.update(intern("p" + a + " " + b) for a, b in zip(syllables, syllables[1:], strict=False))
    return out


def _pairs(toks: list[str], syllables: list[str]) -> list[tuple[str, str]]:
    intern = sys.intern
    return [(intern("b" + toks[i] + toks[i + 1]),
             intern("p" + syllables[i] + " " + syllables[i + 1])) for i in range(len(toks) - 1)]
