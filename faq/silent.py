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

import re
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
    # Units after a number that give what is asked (元 for 10万元): an answer holding one
    # speaks to the intent, so 「最多借多少钱」 is not told the report lacks the amount.
    answered_by: tuple[str, ...] = ()
    # The words are details of the programme (担保, 证书), not a way of asking: the question
    # is not weighed again without them (「创业担保贷款」 is not 「创业贷款」).
    detail: bool = False


@dataclass(frozen=True)
class FoundIntent:
    """One intent with its words normalised like questions are."""

    name: str
    words: tuple[str, ...]
    answered_by: re.Pattern[str] | None = None
    detail: bool = False


def _number_with(units: Iterable[str]) -> re.Pattern[str] | None:
    """A number followed by one of the units (2017年, 10万元, 1.5亿元), or None (no units)."""
    units = [re.escape(u) for u in units if u]
    return re.compile(r"\d[\d.,]*[万亿]?(?:" + "|".join(units) + ")") if units else None


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

    intents: tuple[FoundIntent, ...] = ()
    places: tuple[str, ...] = ()  # outside Hebei, normalised
    home: tuple[str, ...] = ()  # naming Hebei or a place in it, normalised

    @classmethod
    def build(cls, intents: Iterable[SilentIntent], fold: Callable[[str], str],
              elsewhere: Elsewhere | None = None) -> SilentFinder:
        built = []
        for intent in intents:
            words = _folded(intent.words, fold)
            if words:
                built.append(FoundIntent(intent.name, words, _number_with(intent.answered_by),
                                         intent.detail))
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

    def find(self, query: str) -> list[tuple[FoundIntent, tuple[str, ...]]]:
        """The intents a normalised question asks for, with the words that ask for each."""
        found = []
        for intent in self.intents:
            hits = tuple(w for w in intent.words if w in query)
            if hits:
                found.append((intent, hits))
        return found

    @staticmethod
    def strip(query: str, words: Iterable[str]) -> str:
        """The question without the words that ask what the report does not say."""
        for word in sorted(words, key=len, reverse=True):
            query = query.replace(word, "")
        return query

    @staticmethod
    def speaks_to(intent: FoundIntent, hits: Iterable[str], phrasings: str, answer: str) -> bool:
        """Whether an entry says itself what a question asks with `hits`: its answer gives a
        number with a unit that answers it, or its normalised phrasings (joined) use the
        intent's words, any of them for a way of asking, each word asked for a detail."""
        if intent.answered_by is not None and intent.answered_by.search(answer):
            return True
        if intent.detail:
            return all(w in phrasings for w in hits)
        return any(w in phrasings for w in intent.words)


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
        intent = _read_intent(item, line)
        if isinstance(intent, str):
            problems.append(Problem(name, line, intent))
        else:
            intents.append(intent)
    lists = {}
    for key in ("elsewhere", "home"):
        places = _words(data.get(key) or [])
        if places is None:
            problems.append(Problem(name, doc.line(key), f"{key} 要写成一串地名，如 [上海, 广东]"))
        lists[key] = places or ()
    return intents, Elsewhere(lists["elsewhere"], lists["home"]), problems


def _words(value: object) -> tuple[str, ...] | None:
    """A list of words as staff wrote them, or None when it is not one."""
    if not isinstance(value, list) or not all(map(is_text, value)):
        return None
    return tuple(str(w).strip() for w in value)


def _read_intent(item: object, line: int) -> SilentIntent | str:
    """One item under `intents:`, or what is wrong with it (in staff's words)."""
    words = _words(item.get("words")) if isinstance(item, dict) else None
    if not isinstance(item, dict) or not is_text(item.get("name")) or not words:
        return "每项要有 name（报道没写的是什么）和 words（问这件事的词）"
    answered_by = _words(item.get("answered_by", []))
    if answered_by is None:
        return "answered_by 要写成一串单位，如 [元]（答案里有「数字+元」就算报道写了）"
    detail = item.get("detail", False)
    if not isinstance(detail, bool):
        return "detail 只能写 true 或 false"
    return SilentIntent(str(item["name"]).strip(), words, line, answered_by, detail)
