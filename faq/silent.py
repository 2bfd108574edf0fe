"""What the report does not say: questions about how to apply, a phone number, this year's
amount… (faq/data/silent.yaml, edited by staff).

A worker who asks how to apply for a programme the report describes should get what the report
does say about it, then plainly that it does not say how to apply, and the contacts. Each
intent in the file has a name (shown to the worker) and the words that ask for it. An entry
whose own phrasings use one of those words already speaks to that intent (e.g. the entry on how
to apply), so a question it answers is not flagged.

The report is about Hebei alone: a question about another province or city (`elsewhere:` in the
same file) is told so and sent to the contacts, unless the entry it matches names that place
itself (北京冬奥会) or the question names Hebei (`home:` words, e.g. 河北, 京津冀, 石家庄) after
it: the place named last is the one asked about. 「我在北京打工，回河北创业」 asks about Hebei;
「我是河北人，在北京上班，北京的创业补贴有多少」 asks about Beijing.
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
class Elsewhere:
    places: tuple[str, ...] = ()  # provinces and cities outside Hebei, as staff wrote them
    home: tuple[str, ...] = ()  # words naming Hebei or a place in it (河北, 京津冀, 石家庄)


def _folded(words: Iterable[str], fold: Callable[[str], str]) -> tuple[str, ...]:
    """Words normalised like questions are, longest first (so the longest one is found)."""
    return tuple(sorted({w for w in map(fold, words) if w}, key=len, reverse=True))


@dataclass(frozen=True)
class SilentFinder:
    """The intents with their words normalised like questions are."""

    intents: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, normalised words)
    places: tuple[str, ...] = ()  # outside Hebei, normalised
    home: tuple[str, ...] = ()  # naming Hebei or a place in it, normalised

    @classmethod
    def build(cls, intents: Iterable[SilentIntent], fold: Callable[[str], str],
              elsewhere: Elsewhere | None = None) -> SilentFinder:
        built = []
        for intent in intents:
            words = _folded(intent.words, fold)
            if words:
                built.append((intent.name, words))
        elsewhere = elsewhere or Elsewhere()
        return cls(tuple(built), _folded(elsewhere.places, fold), _folded(elsewhere.home, fold))

    def place(self, query: str) -> str:
        """The place outside Hebei a normalised question is about, or "" (none, or the
        question names Hebei after it: workers tell where they come from first and ask last)."""
        home = max((query.rfind(word) for word in self.home), default=-1)
        for word in self.home:  # 北京 in 河北京津冀 is no place
            query = query.replace(word, "\0" * len(word))
        where, place = max(((query.rfind(p), p) for p in self.places), default=(-1, ""))
        return place if where > home else ""

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


def read_silent(path: Path, base: Path | None
                ) -> tuple[list[SilentIntent], Elsewhere, list[Problem]]:
    """silent.yaml: `intents: [{name: …, words: [...]}, …]` and, optionally, `elsewhere:` and
    `home:` (lists of words); problems with file and line."""
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        return [], Elsewhere(), [exc.problem]
    data = doc.data if isinstance(doc.data, dict) else {}
    items = data.get("intents")
    if not isinstance(items, list):
        return [], Elsewhere(), [Problem(name, doc.line("intents"),
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
    lists = {}
    for key in ("elsewhere", "home"):
        words = data.get(key) or []
        if not isinstance(words, list) or not all(map(is_text, words)):
            problems.append(Problem(name, doc.line(key), f"{key} 要写成一串地名，如 [上海, 广东]"))
            words = []
        lists[key] = tuple(str(w).strip() for w in words)
    return intents, Elsewhere(lists["elsewhere"], lists["home"]), problems
