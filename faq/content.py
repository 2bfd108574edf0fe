"""The FAQ content: topic files of entries, synonym groups, the bot's messages and the flows.

`load_content` reads and validates the files' shape, collecting every problem with its file and
line instead of stopping at the first, and returns whatever was well-formed alongside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from faq.fields import DEFAULT_ORDER, display_name, is_text, yaml_files
from faq.flows.model import Flow
from faq.messages import MessageKey, Messages
from faq.silent import Elsewhere, SilentIntent, read_silent
from faq.sources import Passage, SourceDoc
from faq.yamlfile import Problem, YamlError, read_yaml

CONFIG_SOURCE = "config"  # `source: config`: the facts come from config.yaml (contacts)


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: a canonical question, its phrasings, the answer and its source passages."""

    id: str
    topic: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    source: tuple[Passage, ...]  # verbatim passages; empty when the facts come from config
    related: tuple[str, ...] = ()
    flow: str | None = None
    short_label: str | None = None  # the button label (`label:`); the check requires it
    names: tuple[str, ...] = ()  # what the entry is about, as the report calls it (faq/names.py)
    file: str = ""
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # field -> line

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)

    @property
    def phrasing_fields(self) -> tuple[tuple[str, str], ...]:
        """Each phrasing with the field it is written in (for the line of a problem)."""
        return (("question", self.question),
                *((f"alternates.{i}", a) for i, a in enumerate(self.alternates)))

    @property
    def label(self) -> str:
        return self.short_label or self.question

    @property
    def passages(self) -> tuple[str, ...]:
        """The passages' texts (what the facts check reads)."""
        return tuple(p.text for p in self.source)

    def line_of(self, field_name: str) -> int:
        """The line of one of the entry's fields, or of the entry where it has none."""
        return self.lines.get(field_name, self.line)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    entry_ids: tuple[str, ...]
    file: str = ""
    line: int = 0
    order: int = DEFAULT_ORDER


@dataclass
class Content:
    """Everything the bot knows, as loaded from the FAQ files."""

    topics: list[Topic] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)
    synonym_groups: list[list[str]] = field(default_factory=list)
    messages: Messages = field(default_factory=Messages)
    flows: dict[str, Flow] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    silent: list[SilentIntent] = field(default_factory=list)  # what the report does not say
    elsewhere: Elsewhere = field(default_factory=Elsewhere)  # places the report is not about
    # What could not be loaded, so that links into it are not reported a second time: ids of
    # entries and flows left out for a problem already reported, and the kinds ("entries",
    # "flows") of which a whole file could not be read.
    rejected: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)

    def unknown_entry(self, entry_id: str) -> bool:
        """Whether a link to `entry_id` is broken in its own right (not by another problem)."""
        return entry_id not in self.entries and entry_id not in self.rejected \
            and "entries" not in self.unreadable

    def unknown_flow(self, flow_id: str) -> bool:
        return flow_id not in self.flows and flow_id not in self.rejected \
            and "flows" not in self.unreadable

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def linked_passages(content: Content, entry_ids: tuple[str, ...]) -> tuple[Passage, ...]:
    """The passages of the entries a flow result links: its {source_note} names their
    document."""
    return tuple(p for eid in entry_ids if eid in content.entries
                 for p in content.entries[eid].source)


@dataclass(frozen=True)
class FaqPaths:
    entries: Path
    synonyms: Path | None = None
    flows: Path | None = None
    messages: Path | None = None
    sources: tuple[SourceDoc, ...] = ()  # the first is the default for plain passages
    silent: Path | None = None
    base: Path | None = None  # paths in messages are shown relative to this
    config: str = "config.yaml"  # where sources are declared, for messages


def load_content(paths: FaqPaths) -> tuple[Content, list[Problem]]:
    """Read all FAQ files; return the content and every problem found in their shape."""
    from faq.flows.loading import load_flows
    from faq.topics import read_topic_file

    content, problems = Content(), []
    files = yaml_files(paths.entries)
    if not files:
        problems.append(Problem(display_name(paths.entries, paths.base), 0, "没有找到问答文件"))
    seen: dict[str, tuple[str, int]] = {}
    for path in files:
        name = display_name(path, paths.base)
        content.files.append(name)
        try:
            doc = read_yaml(path, name)
        except YamlError as exc:
            problems.append(exc.problem)
            content.unreadable.add("entries")
            continue
        if not read_topic_file(doc, name, content, seen, problems):
            content.unreadable.add("entries")
    if paths.synonyms is not None:
        content.synonym_groups = _read_synonyms(paths.synonyms, paths.base, problems)
    if paths.messages is not None:
        content.messages = _read_messages(paths.messages, paths.base, problems)
    if paths.silent is not None:
        content.silent, content.elsewhere, silent_problems = read_silent(paths.silent,
                                                                         paths.base)
        problems += silent_problems
    if paths.flows is not None:
        loaded = load_flows(paths.flows, paths.base)
        content.flows = loaded.flows
        content.rejected |= loaded.rejected
        if loaded.unreadable:
            content.unreadable.add("flows")
        problems += loaded.problems
    content.topics.sort(key=lambda t: (t.order, t.id))
    return content, problems


def _read_synonyms(path: Path, base: Path | None, problems: list[Problem]) -> list[list[str]]:
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        problems.append(exc.problem)
        return []
    groups = doc.data.get("groups") if isinstance(doc.data, dict) else None
    if not isinstance(groups, list):
        problems.append(Problem(name, doc.line("groups"), "要写成 groups: 下面一组组的词"))
        return []
    good: list[list[str]] = []
    owner: dict[str, int] = {}
    for i, group in enumerate(groups):
        line = doc.line("groups", i)
        if not isinstance(group, list) or len(group) < 2 or not all(is_text(w) for w in group):
            problems.append(Problem(name, line, "每组至少两个词，标准词放第一个"))
            continue
        words = [str(w).strip() for w in group]
        for word in words[1:]:
            if len(word) == 1:
                problems.append(Problem(name, line, f"同义词「{word}」只有一个字：每个含「{word}」"
                                        "的词都会被替换（比如「证」会改掉「身份证」），请换成"
                                        "两个字以上的词", "warning"))
        for word in words:
            if word in owner and owner[word] != line:
                problems.append(Problem(name, line,
                                        f"{word!r} 已经在第 {owner[word]} 行的那组里了"))
            owner.setdefault(word, line)
        good.append(words)
    return good


def _read_messages(path: Path, base: Path | None, problems: list[Problem]) -> Messages:
    """messages.yaml; every key the code uses must be there (a worker would see the raw key)."""
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        problems.append(exc.problem)
        return Messages()
    if not isinstance(doc.data, dict):
        problems.append(Problem(name, 1, "要写成「名称: 文字」的映射"))
        return Messages()
    texts = {}
    for key, value in doc.data.items():
        if not is_text(value):
            problems.append(Problem(name, doc.line(key), f"消息 {key!r} 必须是文字"))
            continue
        texts[str(key)] = str(value).strip("\n")  # keep a deliberate trailing space
    messages = Messages(texts)
    for key in messages.missing():
        problems.append(Problem(name, 0, f"缺少消息 {key.value!r}：程序要用到它"))
    known = {k.value for k in MessageKey}
    for key in sorted(set(texts) - known):
        problems.append(Problem(name, doc.line(key), f"消息 {key!r} 程序用不到（拼错了吗？）",
                                "warning"))
    return messages
