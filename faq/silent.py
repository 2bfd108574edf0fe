"""What the report does not say: questions about how to apply, a phone number, this year's
amount… (faq/data/silent.yaml, edited by staff).

A worker who asks how to apply for a programme the report describes should get what the report
does say about it, then plainly that it does not say how to apply, and the contacts. Each
intent in the file has a name (shown to the worker) and the words that ask for it. An entry
whose own phrasings use one of those words already speaks to that intent (e.g. the entry on how
to apply), so a question it answers is not flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from faq.fields import display_name, is_text
from faq.yamlfile import Problem, YamlError, read_yaml


@dataclass(frozen=True)
class SilentIntent:
    name: str  # what the report does not say, as the worker reads it (e.g. 具体怎么申请)
    words: tuple[str, ...]  # as staff wrote them
    line: int = 0


@dataclass(frozen=True)
class SilentFinder:
    """The intents with their words normalised like questions are."""

    intents: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, normalised words)

    @classmethod
    def build(cls, intents: Iterable[SilentIntent], fold: Callable[[str], str]) -> SilentFinder:
        built = []
        for intent in intents:
            words = tuple(sorted({w for w in map(fold, intent.words) if w}, key=len,
                                 reverse=True))
            if words:
                built.append((intent.name, words))
        return cls(tuple(built))

    def find(self, query: str) -> list[tuple[str, tuple[str, ...]]]:
        """The intents a normalised question asks for, with the words that ask for each."""
        found = []
        for name, words in self.intents:
            hits = tuple(w for w in words if w in query)
            if hits:
                found.append((name, hits))
        return found

    @staticmethod
    def strip(query: str, words: Iterable[str]) -> str:
        """The question without the words that ask what the report does not say."""
        for word in sorted(words, key=len, reverse=True):
            query = query.replace(word, "")
        return query

    def spoken_to(self, phrasings: Iterable[str]) -> set[str]:
        """The intents an entry speaks to itself: its normalised phrasings use their words."""
        text = "\n".join(phrasings)
        return {name for name, words in self.intents if any(w in text for w in words)}


def read_silent(path: Path, base: Path | None) -> tuple[list[SilentIntent], list[Problem]]:
    """silent.yaml: `intents: [{name: …, words: [...]}, …]`; problems with file and line."""
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        return [], [exc.problem]
    items = doc.data.get("intents") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return [], [Problem(name, doc.line("intents"),
                            "要写成 intents: 下面一项项的 name 和 words")]
    intents, problems = [], []
    for i, item in enumerate(items):
        line = doc.line("intents", i)
        words = item.get("words") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not is_text(item.get("name")) \
                or not isinstance(words, list) or not words or not all(map(is_text, words)):
            problems.append(Problem(name, line,
                                    "每项要有 name（报道没写的是什么）和 words（问这件事的词）"))
            continue
        intents.append(SilentIntent(str(item["name"]).strip(),
                                    tuple(str(w).strip() for w in words), line))
    return intents, problems
