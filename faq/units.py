"""The units both rankers compare: characters, character bigrams and pinyin-syllable bigrams.

A sound-alike typo (接款 for 借款) still shares the pinyin bigram "jie kuan" with the right word.
"""

from __future__ import annotations

import re

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
    toks, syllables = _split(text)
    out = {"u" + t for t in toks}
    out.update("b" + a + b for a, b in zip(toks, toks[1:], strict=False))
    out.update("p" + a + " " + b for a, b in zip(syllables, syllables[1:], strict=False))
    return out


def bigram_pairs(text: str) -> list[tuple[str, str]]:
    """Each character bigram unit with the pinyin bigram unit of the same two tokens."""
    toks, syllables = _split(text)
    return [("b" + toks[i] + toks[i + 1], "p" + syllables[i] + " " + syllables[i + 1])
            for i in range(len(toks) - 1)]
