"""Reading one topic file (faq/data/entries/*.yaml): a topic and its entries, every shape
problem reported at the line of the field it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faq.content import CONFIG_SOURCE, Content, Entry, Topic
from faq.fields import (
    id_rule,
    is_text,
    read_order,
    unknown_field_message,
    unknown_fields,
    valid_id,
)
from faq.sources import Passage
from faq.yamlfile import PathKey, Problem, YamlDoc

ENTRY_FIELDS = {"id", "question", "alternates", "answer", "source", "related", "flow",
                "label", "names"}
PASSAGE_FIELDS = {"doc", "text"}


def read_topic_file(doc: YamlDoc, name: str, content: Content,
                    seen: dict[str, tuple[str, int]], problems: list[Problem]) -> bool:
    """Add the file's topic and entries to `content`; `seen` maps entry ids to where they were
    first defined, across files. False when the file's entries could not be read at all."""
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "主题文件要写成含 topic 和 entries 的映射"))
        return False
    topic = data.get("topic")
    if not isinstance(topic, dict) or not is_text(topic.get("id")) \
            or not is_text(topic.get("title")):
        problems.append(Problem(name, doc.line("topic"), "topic 要有 id 和 title（文字）"))
        return False
    topic_id = str(topic["id"])
    if not valid_id(topic_id):
        problems.append(Problem(name, doc.line("topic", "id"),
                                f"主题 id {topic_id!r} {id_rule()}"))
    if content.topic(topic_id):
        problems.append(Problem(name, doc.line("topic", "id"),
                                f"主题 id {topic_id!r} 在别的文件里也用了"))
    items = data.get("entries")
    if not isinstance(items, list) or not items:
        problems.append(Problem(name, doc.line("entries"), "entries 必须是非空的列表"))
        return False
    ids = []
    for index, item in enumerate(items):
        reader = _EntryReader(doc, name, ("entries", index), problems)
        entry = reader.read(topic_id, item)
        if entry is None:
            content.rejected.add(reader.entry_id)
            continue
        if entry.id in seen:
            other, line = seen[entry.id]
            problems.append(Problem(name, doc.line("entries", index, "id"),
                                    f"id {entry.id!r} 重复了（{other}:{line} 也有）"))
            continue
        seen[entry.id] = (name, entry.line)
        content.entries[entry.id] = entry
        ids.append(entry.id)
    order = read_order(topic.get("order"), doc.line("topic", "order"), name, problems)
    content.topics.append(Topic(topic_id, str(topic["title"]).strip(), tuple(ids), name,
                                doc.line("topic"), order))
    return True


@dataclass
class _EntryReader:
    doc: YamlDoc
    name: str
    key: PathKey
    problems: list[Problem]
    entry_id: str = "?"

    def bad(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.name, self.doc.line(*self.key, field_name),
                                     f"条目 {self.entry_id}：{message}"))

    def read(self, topic_id: str, item: Any) -> Entry | None:
        if not isinstance(item, dict):
            self.problems.append(Problem(self.name, self.doc.line(*self.key),
                                         "每个条目都要写成映射（id、question、answer ……）"))
            return None
        before = len(self.problems)
        entry_id = item.get("id")
        if valid_id(entry_id):
            self.entry_id = str(entry_id)
        elif not is_text(entry_id):
            self.bad("id", "缺少 id")
        else:
            self.bad("id", f"id {entry_id!r} {id_rule()}")
        for unknown in unknown_fields(item, ENTRY_FIELDS):
            self.bad(unknown, unknown_field_message(unknown, ENTRY_FIELDS))
        for required in ("question", "answer"):
            if not is_text(item.get(required)):
                self.bad(required, f"{required} 不能为空")
        alternates = self._texts(item, "alternates", "alternates 必须是一组非空的问法")
        sources = self._sources(item.get("source"))
        related = self._texts(item, "related", "related 必须是条目 id 的列表")
        flow = self._optional_text(item, "flow", "flow 必须是一个测评的 id")
        label = self._optional_text(item, "label", "label 必须是文字")
        names = self._texts(item, "names", "names 必须是一组名字（报道里的叫法）")
        if len(self.problems) > before:
            return None
        lines = self._lines(item)
        return Entry(
            id=self.entry_id, topic=topic_id, question=str(item["question"]).strip(),
            alternates=tuple(alternates), answer=str(item["answer"]).strip(),
            source=tuple(sources), related=tuple(related), flow=flow, short_label=label,
            names=tuple(names), file=self.name, line=self.doc.line(*self.key), lines=lines)

    def _lines(self, item: dict[Any, Any]) -> dict[str, int]:
        """The line of each field, and of each alternate as `alternates.<index>`."""
        lines = {str(k): self.doc.line(*self.key, str(k)) for k in item}
        alternates = item.get("alternates")
        for i in range(len(alternates) if isinstance(alternates, list) else 0):
            lines[f"alternates.{i}"] = self.doc.line(*self.key, "alternates", i)
        return lines

    def _texts(self, item: dict[Any, Any], field_name: str, message: str) -> list[str]:
        value = item.get(field_name, [])
        if isinstance(value, str) and field_name in ("related", "names"):
            value = [value]
        if not isinstance(value, list) or not all(is_text(v) for v in value):
            self.bad(field_name, message)
            return []
        return [str(v).strip() for v in value]

    def _optional_text(self, item: dict[Any, Any], field_name: str, message: str) -> str | None:
        value = item.get(field_name)
        if value is None:
            return None
        if not is_text(value):
            self.bad(field_name, message)
            return None
        return str(value).strip()

    def _sources(self, source: Any) -> list[Passage]:
        """`source:` — `config`, one passage, or a list of passages, each a string (of the
        default document) or `{doc: <id>, text: …}`."""
        if source == CONFIG_SOURCE:
            return []
        listed = isinstance(source, list)
        items = source if listed else [source]
        if not items or not all(is_text(s) or isinstance(s, dict) for s in items):
            self.bad("source", f"source 要引用报道原文（一段文字或一个列表），或者写 "
                               f"{CONFIG_SOURCE}（内容来自 config.yaml）")
            return []
        passages = [self._passage(item, (i,) if listed else ()) for i, item in enumerate(items)]
        return [p for p in passages if p is not None]

    def _passage(self, item: Any, index: PathKey) -> Passage | None:
        """One passage; a mapping must be exactly {doc: …, text: …}."""
        line = self.doc.line(*self.key, "source", *index)
        if is_text(item):
            return Passage(str(item).strip(), "", line)
        doc, text = item.get("doc"), item.get("text")
        unknown = unknown_fields(item, PASSAGE_FIELDS)
        if unknown or not is_text(doc) or not is_text(text):
            extra = f"（{unknown_field_message(unknown[0], PASSAGE_FIELDS)}）" if unknown else ""
            self.problems.append(Problem(self.name, line, f"条目 {self.entry_id}：source 里引用别的"
                                         "来源时，这一项要有 doc（config.yaml 里来源的 id）和 "
                                         f"text（原文）两项{extra}"))
            return None
        return Passage(str(text).strip(), str(doc).strip(), line)
