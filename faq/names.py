"""The names an entry is about (its `names:`: a programme, an honour, a person, as the report
calls them), and finding them in a question.

A worker who names a programme and asks something around it (「大工匠有奖金吗」, 「送教入企是
咋个送法」) is plainly asking about that programme, even when the rest of the question is
words the FAQ has never seen and the matcher is unsure. Staff list the names; the matcher then
answers such a question with the named entry, says what the report does not say, and offers
「不是这个？」 (faq/matcher.py `_named`). Names are the report's own words, checked to appear
in the entry's text, and one name belongs to one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from faq.content import Content, Entry
from faq.text import to_pinyin
from faq.yamlfile import Problem

MIN_NAME_CHARS = 2  # normalised; one character names nothing
MIN_SOUND_CHARS = 3  # names this long are also found by sound (创业付持 for 创业扶持)


@dataclass(frozen=True)
class Named:
    """The entry a question names, and the name as staff wrote it."""

    entry_id: str
    name: str


class NameIndex:
    """Normalised names, longest first, each with its entry; and each entry's topic."""

    def __init__(self, names: Iterable[tuple[str, str]], normalize: Callable[[str], str],
                 topic_of: Mapping[str, str] | None = None):
        """`names` are (entry id, name) pairs; `topic_of` maps entry ids to topic ids."""
        found = [(normalize(name), Named(entry_id, name)) for entry_id, name in names]
        self._names = sorted(((norm, _sound(norm), named) for norm, named in found
                              if len(norm) >= MIN_NAME_CHARS), key=lambda x: -len(x[0]))
        self._topic_of = dict(topic_of or {})

    def same_topic(self, entry_id: str, other: str) -> bool:
        """Whether two entries are of one topic (an entry is of its own)."""
        topic = self._topic_of.get(entry_id)
        return entry_id == other or (topic is not None and topic == self._topic_of.get(other))

    def __bool__(self) -> bool:
        return bool(self._names)

    def named(self, query: str) -> Named | None:
        """The entry whose name the normalised question holds: the longest name found
        (「河北大工匠」 before 「大工匠」, which is part of it); None when no name is found or
        the question names two entries (「无息借款跟贴息贷款有啥区别」 asks about both)."""
        found: list[tuple[str, Named]] = []
        sound = _sound(query)
        for norm, norm_sound, named in self._names:
            if any(norm in longer for longer, _ in found):
                continue
            if norm in query or (len(norm) >= MIN_SOUND_CHARS and norm_sound in sound):
                found.append((norm, named))
        return found[0][1] if len({n.entry_id for _, n in found}) == 1 else None


def _sound(text: str) -> str:
    """A text as its syllables, each with a space before and after (so 「 fu chi 」 is found
    only as whole syllables: not in 「 wan ding 」 for 「an ding」)."""
    return " " + "".join(s + " " for s in to_pinyin(text))


def check_names(content: Content, normalize: Callable[[str], str]) -> list[Problem]:
    """Each name appears in its entry's own text (phrasings, answer or source), is not too
    short once normalised, and belongs to one entry only."""
    problems = []
    owner: dict[str, str] = {}
    for entry in content.entries.values():
        text = normalize("\n".join((*entry.phrasings, entry.answer, *entry.passages)))
        for name in entry.names:
            norm = normalize(name)
            if len(norm) < MIN_NAME_CHARS:
                problems.append(_at(entry, f"名字（names）{name!r} 太短，至少要 "
                                           f"{MIN_NAME_CHARS} 个字"))
                continue
            if norm not in text:
                problems.append(_at(entry, f"名字（names）{name!r} 在本条的问法、答案和原文里"
                                           "都没有出现：名字要用报道里的叫法"))
            other = owner.setdefault(norm, entry.id)
            if other != entry.id:
                problems.append(_at(entry, f"名字（names）{name!r} 在条目 {other} 里也写了，"
                                           "一个名字只能属于一条"))
    return problems


def _at(entry: Entry, message: str) -> Problem:
    return Problem(entry.file, entry.line_of("names"), f"条目 {entry.id}：{message}")
