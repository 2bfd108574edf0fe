"""What the bot records, decided by the dialogue core for every channel alike.

A record never holds a Telegram id, name or username: the store adds the worker only as a salted
HMAC (`worker_hash`), and the question's own words are kept with personal numbers masked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from faq.flows.engine import FlowEvent

QUESTION_ID_CHARS = 12  # base32: 60 random bits, unique across replicas without coordination


class EventKind(StrEnum):
    PICK = "pick"  # a suggested entry was chosen for a question
    NONE_OF_THESE = "none-of-these"
    NOT_THIS = "not-this"  # 「不是这个？」 under an answer
    FEEDBACK_YES = "feedback-yes"
    FEEDBACK_NO = "feedback-no"
    SOURCE_VIEW = "source-view"  # 📄 原文 pressed under an answer
    FLOW_START = FlowEvent.START.value
    FLOW_STEP = FlowEvent.STEP.value
    FLOW_RESULT = FlowEvent.RESULT.value
    FLOW_CANCEL = FlowEvent.CANCEL.value
    FLOW_STALE = FlowEvent.STALE.value
    STALE_BUTTON = "stale-button"
    DELIVERY_FAILED = "delivery-failed"


FEEDBACK_KINDS = (EventKind.FEEDBACK_YES, EventKind.FEEDBACK_NO)


class Verdict(StrEnum):
    """A staff decision on a learning suggestion (bot/review.py)."""

    ACCEPT = "accept"  # added to the FAQ, or (for suggestions without an edit) handled
    REJECT = "reject"  # not to be suggested again


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    question_id: str
    text: str  # the worker's wording, personal numbers masked
    query: str  # the normalised question
    outcome: str  # answer | clarify | fallback
    entry_id: str | None
    score: float
    candidates: tuple[str, ...] = ()  # entry ids shown, best first


@dataclass(frozen=True, kw_only=True)
class EventRecord:
    kind: EventKind
    question_id: str | None = None
    entry_id: str | None = None
    flow_id: str | None = None
    node: str | None = None


def new_question_id() -> str:
    return base64.b32encode(secrets.token_bytes(8)).decode("ascii").lower()[:QUESTION_ID_CHARS]


def worker_hash(salt: bytes, user_id: int | str | None) -> str:
    """A stable pseudonym for a channel's user: HMAC-SHA256 with the salt, 16 hex digits."""
    if user_id is None:
        return "-"
    return hmac.new(salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class ReviewDecision:
    """What staff decided about one wording of a suggestion. `key` is a hash of the suggestion
    kind, entry and normalised wording, so the decision holds none of the worker's words."""

    key: str
    verdict: Verdict
    time: float = 0.0
