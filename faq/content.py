"""The FAQ content: topic files of entries, the synonym groups and the bot's messages.

`load_content` reads and validates the YAML files' shape, collecting every problem with its file
and line instead of stopping at the first, and returns whatever entries were well-formed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.yamlfile import Problem, YamlDoc, YamlError, read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 40  # ids travel in 64-byte Telegram callback data
CONFIG_SOURCE = "config"
DEFAULT_ORDER = 100  # topics and flows without an `order:` come after those with one
ENTRY_FIELDS = {"id", "question", "alternates", "answer", "source", "related", "flow", "label"}


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: a canonical question, its phrasings, the answer and its source passages."""

    id: str
    topic: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    source: tuple[str, ...]  # verbatim passages; empty when the facts come from config
    related: tuple[str, ...] = ()
    flow: str | None = None
    short_label: str | None = None  # optional short button label (`label:`)
    file: str = ""
    line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)

    @property
    def label(self) -> str:
        return self.short_label or self.question


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
    messages: dict[str, str] = field(default_factory=dict)
    flows: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def yaml_files(path: Path) -> list[Path]:
    """A directory's *.yaml/*.yml files in name order, or the one file given."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    return [path]


def display_name(path: Path, base: Path | None) -> str:
    """A short path for messages: relative to `base` where possible."""
    try:
        return str(path.resolve().relative_to(base.resolve())) if base else str(path)
    except ValueError:
        return str(path)


def load_content(
    entries_path: Path,
    synonyms_path: Path | None,
    messages_path: Path | None,
    base: Path | None = None,
) -> tuple[Content, list[Problem]]:
    """Read all FAQ files; return the content and every problem found in their shape."""
    content, problems = Content(), []
    files = yaml_files(entries_path)
    if not files:
        problems.append(Problem(display_name(entries_path, base), 0, "no FAQ files found"))
    seen: dict[str, tuple[str, int]] = {}
    for path in files:
        name = display_name(path, base)
        content.files.append(name)
        try:
            doc = read_yaml(path, name)
        except YamlError as exc:
            problems.append(exc.problem)
            continue
        _read_topic_file(doc, name, content, seen, problems)
    if synonyms_path is not None:
        content.synonym_groups = _read_synonyms(synonyms_path, base, problems)
    if messages_path is not None:
        content.messages = _read_messages(messages_path, base, problems)
    content.topics.sort(key=lambda t: (t.order, t.id))
    return content, problems


def read_order(value: Any, line: int, name: str, problems: list[Problem]) -> int:
    """The optional `order:` of a topic or flow (menus list smaller numbers first)."""
    if value is None:
        return DEFAULT_ORDER
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    problems.append(Problem(name, line, f"'order' must be a whole number (got {value!r})"))
    return DEFAULT_ORDER


def _read_topic_file(doc: YamlDoc, name: str, content: Content,
                     seen: dict[str, tuple[str, int]], problems: list[Problem]) -> None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "expected a mapping with 'topic' and 'entries'"))
        return
    topic = data.get("topic")
    if not isinstance(topic, dict) or not is_text(topic.get("id")) \
            or not is_text(topic.get("title")):
        problems.append(Problem(name, doc.line("topic"),
                                "'topic' needs an 'id' and a 'title' (text)"))
        return
    topic_id = str(topic["id"])
    if not ID_PATTERN.match(topic_id):
        problems.append(Problem(name, doc.line("topic", "id"),
                                f"topic id {topic_id!r} must be lowercase letters, digits, dashes"))
    if content.topic(topic_id):
        problems.append(Problem(name, doc.line("topic", "id"),
                                f"topic id {topic_id!r} is used by another file too"))
    items = data.get("entries")
    if not isinstance(items, list) or not items:
        problems.append(Problem(name, doc.line("entries"), "'entries' must be a non-empty list"))
        return
    ids = []
    for index, item in enumerate(items):
        entry = _read_entry(doc, name, topic_id, index, item, problems)
        if entry is None:
            continue
        if entry.id in seen:
            other, line = seen[entry.id]
            problems.append(Problem(name, entry.line,
                                    f"duplicate id {entry.id!r} (also at {other}:{line})"))
            continue
        seen[entry.id] = (name, entry.line)
        content.entries[entry.id] = entry
        ids.append(entry.id)
    order = read_order(topic.get("order"), doc.line("topic", "order"), name, problems)
    content.topics.append(Topic(topic_id, str(topic["title"]).strip(), tuple(ids), name,
                                doc.line("topic"), order))


def _read_entry(doc: YamlDoc, name: str, topic_id: str, index: int, item: Any,
                problems: list[Problem]) -> Entry | None:
    key = ("entries", index)
    line = doc.line(*key)
    if not isinstance(item, dict):
        problems.append(Problem(name, line, "each entry must be a mapping"))
        return None
    before = len(problems)

    def bad(field_name: str, message: str) -> None:
        problems.append(Problem(name, doc.line(*key, field_name), message))

    for unknown in sorted(set(map(str, item)) - ENTRY_FIELDS):
        bad(unknown, f"unknown field {unknown!r} (allowed: {', '.join(sorted(ENTRY_FIELDS))})")
    entry_id = item.get("id")
    if not is_text(entry_id):
        bad("id", "entry needs an 'id'")
        entry_id = f"<entry {index + 1}>"
    elif not ID_PATTERN.match(str(entry_id)) or len(str(entry_id)) > MAX_ID_LENGTH:
        bad("id", f"id {entry_id!r} must be lowercase letters, digits and dashes, "
                  f"at most {MAX_ID_LENGTH} characters")
    for required in ("question", "answer"):
        if not is_text(item.get(required)):
            bad(required, f"entry {entry_id}: '{required}' must be non-empty text")
    alternates = item.get("alternates", [])
    if not isinstance(alternates, list) or not all(is_text(a) for a in alternates):
        bad("alternates", f"entry {entry_id}: 'alternates' must be a list of non-empty texts")
        alternates = []
    source = item.get("source")
    if source == CONFIG_SOURCE:
        sources: list[str] = []
    elif is_text(source):
        sources = [str(source)]
    elif isinstance(source, list) and source and all(is_text(s) for s in source):
        sources = [str(s) for s in source]
    else:
        bad("source", f"entry {entry_id}: 'source' must quote the document (text or list), "
                      f"or be '{CONFIG_SOURCE}' for facts from config.yaml")
        sources = []
    related = item.get("related", [])
    if isinstance(related, str):
        related = [related]
    if not isinstance(related, list) or not all(is_text(r) for r in related):
        bad("related", f"entry {entry_id}: 'related' must be a list of entry ids")
        related = []
    flow = item.get("flow")
    if flow is not None and not is_text(flow):
        bad("flow", f"entry {entry_id}: 'flow' must be a flow id")
        flow = None
    label = item.get("label")
    if label is not None and not is_text(label):
        bad("label", f"entry {entry_id}: 'label' must be text")
        label = None
    if len(problems) > before:
        return None
    return Entry(
        id=str(entry_id), topic=topic_id, question=str(item["question"]).strip(),
        alternates=tuple(str(a).strip() for a in alternates), answer=str(item["answer"]).strip(),
        source=tuple(s.strip() for s in sources), related=tuple(str(r) for r in related),
        flow=str(flow) if flow else None, short_label=str(label).strip() if label else None,
        file=name, line=line,
    )


def _read_synonyms(path: Path, base: Path | None, problems: list[Problem]) -> list[list[str]]:
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        problems.append(exc.problem)
        return []
    groups = doc.data.get("groups") if isinstance(doc.data, dict) else None
    if not isinstance(groups, list):
        problems.append(Problem(name, doc.line("groups"), "expected 'groups:' with a list of "
                                                          "word lists"))
        return []
    good, owner = [], {}
    for i, group in enumerate(groups):
        line = doc.line("groups", i)
        if not isinstance(group, list) or len(group) < 2 or not all(is_text(w) for w in group):
            problems.append(Problem(name, line, "each group must list at least two words, the "
                                                "standard word first"))
            continue
        words = [str(w).strip() for w in group]
        for word in words:
            if word in owner and owner[word] != line:
                problems.append(Problem(name, line, f"{word!r} is already in the group at line "
                                                    f"{owner[word]}"))
            owner.setdefault(word, line)
        good.append(words)
    return good


def _read_messages(path: Path, base: Path | None, problems: list[Problem]) -> dict[str, str]:
    name = display_name(path, base)
    try:
        doc = read_yaml(path, name)
    except YamlError as exc:
        problems.append(exc.problem)
        return {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(name, 1, "expected a mapping of message name to text"))
        return {}
    messages = {}
    for key, value in doc.data.items():
        if not is_text(value):
            problems.append(Problem(name, doc.line(key), f"message {key!r} must be text"))
            continue
        messages[str(key)] = str(value).strip("\n")  # keep a deliberate trailing space
    return messages


def is_text(value: Any) -> bool:
    """A scalar with something in it (YAML may give numbers where text was meant)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) \
        and str(value).strip() != ""
