"""The documents every fact must come from, and the passages entries quote from them.

config.yaml lists the documents (`faq.sources`: id, file, title, short name, date); an entry's
`source:` passages are plain strings, which belong to the first (default) document, or
`{doc: <id>, text: …}` for another. The check verifies each passage against its own document;
the 原文 reply and the `{source_note}` placeholder name the entry's document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from faq.facts import squash
from faq.messages import MessageKey, Messages
from faq.yamlfile import Problem

DEFAULT_SHORT = "这篇报道"


@dataclass(frozen=True)
class SourceDoc:
    """One source document as config.yaml declares it (`file`:`line` say where)."""

    id: str
    path: Path | None
    title: str = ""
    short: str = DEFAULT_SHORT
    date: str = ""
    file: str = "config.yaml"
    line: int = 0


@dataclass(frozen=True)
class Passage:
    """A verbatim passage of a source document; `doc` "" is the default (first) document."""

    text: str
    doc: str = ""
    line: int = 0


def document(docs: tuple[SourceDoc, ...], doc_id: str) -> SourceDoc | None:
    """The document `doc_id` names ("" for the default, the first listed)."""
    if not doc_id:
        return docs[0] if docs else None
    return next((d for d in docs if d.id == doc_id), None)


def entry_document(docs: tuple[SourceDoc, ...], passages: tuple[Passage, ...]) -> SourceDoc | None:
    """An entry's own document: that of its first passage, else the default."""
    return document(docs, passages[0].doc if passages else "")


def source_note(doc: SourceDoc | None, messages: Messages) -> str:
    """What {source_note} says, e.g. 据这篇报道（2017年）."""
    short = doc.short if doc else DEFAULT_SHORT
    if doc and doc.date:
        return messages.get(MessageKey.SOURCE_NOTE, short=short, date=doc.date)
    return messages.get(MessageKey.SOURCE_NOTE_UNDATED, short=short)


def read_documents(docs: tuple[SourceDoc, ...]) -> tuple[dict[str, str], list[Problem]]:
    """Each document's text without whitespace, by id; a missing file is one error at the line
    of config.yaml that names it."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for doc in docs:
        try:
            if doc.path is None:
                raise FileNotFoundError
            texts[doc.id] = squash(doc.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(Problem(doc.file, doc.line, f"来源报道 {doc.id} 的文件找不到"
                                    f"（{doc.path}）：答案无法和原文核对。请把文件放到这里，"
                                    "或改正 file:；只检查其他内容时可以用 unionbot check "
                                    "--no-source"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(doc.file, doc.line, f"来源报道 {doc.id} 的文件读不出来"
                                    f"（{doc.path}）：{exc}；请用 UTF-8 保存"))
    return texts, problems


@dataclass(frozen=True)
class PassageCheck:
    """Checks passages against the documents read by `read_documents`."""

    docs: tuple[SourceDoc, ...]
    texts: dict[str, str]

    def problems(self, passage: Passage) -> list[str]:
        """What is wrong with one passage (messages without the location)."""
        doc = document(self.docs, passage.doc)
        if doc is None:
            if not self.docs:
                return []  # reported once, at config.yaml
            known = "、".join(d.id for d in self.docs)
            return [f"source 里的 doc: {passage.doc!r} 不是 config.yaml 的 faq.sources 里的"
                    f"来源（有：{known}）"]
        text = self.texts.get(doc.id)
        if text is None or squash(passage.text) in text:
            return []  # a missing document is reported once, where config names it
        shown = f"{passage.text[:30]}…" if len(passage.text) > 30 else passage.text
        elsewhere = [d.id for d in self.docs if d.id != doc.id
                     and squash(passage.text) in self.texts.get(d.id, "")]
        if elsewhere:
            return [f"原文「{shown}」不在 {doc.id}（{doc.short}）里，而在 {elsewhere[0]} 里："
                    f"请在这一项写 doc: {elsewhere[0]}"]
        return [f"原文「{shown}」在来源报道 {doc.id} 里找不到（要一字不差地复制，"
                "标点也要一样）"]
