"""The placeholders content may use — {contacts} and {source_note} — and the one way they are
filled: the dialogue, `unionbot flow` and the layout checks all render through `Renderer`, so
what the check measures is what a worker reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.contacts import Contact, contacts_block
from faq.messages import Messages, fill
from faq.sources import Passage, SourceDoc, entry_document, source_note

PLACEHOLDERS = ("contacts", "source_note")
_NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    """Names in braces that nothing fills (a worker would see them raw), e.g. {contact}."""
    return sorted({name for name in _NAME.findall(text) if name not in PLACEHOLDERS})


@dataclass(frozen=True)
class Renderer:
    """Fills content placeholders from config (contacts, documents) and messages.yaml."""

    contacts: tuple[Contact, ...]
    docs: tuple[SourceDoc, ...]
    messages: Messages

    def values(self, passages: tuple[Passage, ...] = (), with_contacts: bool = True
               ) -> dict[str, str]:
        """{contacts} and the {source_note} of the document `passages` come from."""
        return {"contacts": contacts_block(self.contacts) if with_contacts else "",
                "source_note": source_note(entry_document(self.docs, passages), self.messages)}

    def fill(self, text: str, passages: tuple[Passage, ...] = (),
             with_contacts: bool = True) -> str:
        """`text` as a worker reads it; without contacts for the length rules, which leave
        config's own lines out."""
        return fill(text, self.values(passages, with_contacts))


def first_line(text: str) -> str:
    """The first non-empty line: all a worker sees before deciding to read on."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
