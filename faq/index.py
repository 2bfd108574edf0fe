"""The prepared phrasings the matcher indexes, cached on disk by a hash of what made them.

Normalising each phrasing (OpenCC, synonyms) and breaking it into units and pinyin is most of
the time it takes to build the matcher (~0.2 s for the shipped FAQ), and `unionbot ask` builds
it on every start. The result depends only on the phrasings, the normaliser's tables and this
code, so it is kept in ~/.cache/unionbot/ under a hash of those; /reload with changed content
gets a new hash and builds afresh. A missing or unreadable cache only costs time.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from faq.cache import forget_old, read_cached, write_cached
from faq.text import Normalizer, to_pinyin
from faq.units import units

CACHE_VERSION = "1"  # bump when units() or the normaliser change what they produce


@dataclass(frozen=True)
class Prepared:
    """One phrasing as the rankers see it."""

    entry_id: str
    text: str  # as written
    norm: str
    units: frozenset[str]
    pinyin: tuple[str, ...]


def content_hash(phrasings: Sequence[tuple[str, str]], normalizer: Normalizer) -> str:
    """A hash of the phrasings and of every table that normalising them depends on."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for part in (sorted(normalizer.synonyms.items()), normalizer.fillers, normalizer.max_chars,
                 list(phrasings)):
        digest.update(json.dumps(part, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def prepare(phrasings: Sequence[tuple[str, str]], normalizer: Normalizer,
            use_cache: bool = True) -> list[Prepared]:
    """Normalise and break up every (entry id, phrasing); empty phrasings are left out."""
    name = f"index-{content_hash(phrasings, normalizer)}" if use_cache else ""
    rows = read_cached(name) if name else None
    if not isinstance(rows, list) or len(rows) != len(phrasings):
        rows = []
        for _, text in phrasings:
            norm = normalizer.normalize(text)
            rows.append((norm, tuple(sorted(units(norm))), tuple(to_pinyin(norm))))
        if name:
            write_cached(name, rows)
            forget_old("index", name)
    return [Prepared(eid, text, norm, frozenset(map(sys.intern, us)), tuple(py))
            for (eid, text), (norm, us, py) in zip(phrasings, rows, strict=True) if norm]
