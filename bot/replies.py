"""What the dialogue core hands a channel: text, rows of buttons, and what to record.

Channel-free: a button is a label and an encoded payload (bot/payload.py); a channel renders a
reply as it can (Telegram: HTML text and an inline keyboard; the console: numbered choices).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.records import EventRecord, QuestionRecord


class ReplyKind(StrEnum):
    ANSWER = "answer"  # an entry's answer (typed question or button)
    CLARIFY = "clarify"  # "did you mean": several candidates
    FALLBACK = "fallback"  # cannot answer: contacts and topics
    MENU = "menu"  # a menu that may replace the previous one in place
    FLOW = "flow"  # a guided check's step or result
    FEEDBACK = "feedback"  # thanks for 👍/👎
    SOURCE = "source"  # the verbatim passages behind an answer
    INFO = "info"  # help, contacts, notices


@dataclass(frozen=True, kw_only=True)
class Button:
    label: str
    payload: str


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    entry_id: str
    label: str
    score: float


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What the bot says back, independent of the channel."""

    kind: ReplyKind
    text: str
    buttons: Rows = ()
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()  # "did you mean", or "also maybe" under an answer
    query: str = ""  # the normalised question
    question_id: str | None = None
    records: tuple[QuestionRecord | EventRecord, ...] = ()  # what the core stores
    silent: str = ""  # what the question asked that the report does not say

    @property
    def answered(self) -> bool:
        return self.kind is ReplyKind.ANSWER

    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]
