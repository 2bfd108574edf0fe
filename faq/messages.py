"""The bot's own sentences (faq/data/messages.yaml), looked up by a key the code names.

Every key the code uses is a `MessageKey`, so the content check can prove that messages.yaml
has all of them: a worker never sees a raw key such as `feedback_thanks_no`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class MessageKey(StrEnum):
    WELCOME = "welcome"
    HELP = "help"
    MENU = "menu"
    TOPICS = "topics"
    TOPIC_ENTRIES = "topic_entries"
    CLARIFY = "clarify"
    NONE_OF_THESE = "none_of_these"
    FALLBACK = "fallback"
    NONE_FALLBACK = "none_fallback"
    EMPTY = "empty"
    NOT_TEXT = "not_text"
    TOO_LONG_NOTE = "too_long_note"
    FEEDBACK_YES = "feedback_yes"
    FEEDBACK_NO = "feedback_no"
    FEEDBACK_THANKS_YES = "feedback_thanks_yes"
    FEEDBACK_THANKS_NO = "feedback_thanks_no"
    MENU_BUTTON = "menu_button"
    TOPICS_BUTTON = "topics_button"
    CONTACTS_BUTTON = "contacts_button"
    RELATED_PREFIX = "related_prefix"
    START_FLOW_PREFIX = "start_flow_prefix"
    UNKNOWN_BUTTON = "unknown_button"
    CANCELLED = "cancelled"
    ERROR = "error"
    NO_TOKEN = "no_token"
    FLOW_BACK = "flow_back"
    FLOW_RESTART = "flow_restart"
    FLOW_CANCEL = "flow_cancel"
    FLOW_STALE = "flow_stale"
    FLOW_GONE = "flow_gone"
    FLOW_CANCELLED = "flow_cancelled"
    EDITED = "edited"
    SLOW_DOWN = "slow_down"
    COMMAND_START = "command_start"
    COMMAND_HELP = "command_help"
    COMMAND_MENU = "command_menu"
    COMMAND_TOPICS = "command_topics"
    COMMAND_CANCEL = "command_cancel"
    COMMAND_RELOAD = "command_reload"
    COMMAND_STATS = "command_stats"
    COMMAND_UNANSWERED = "command_unanswered"
    STAFF_ONLY = "staff_only"
    STAFF_PRIVATE_ONLY = "staff_private_only"
    DAYS_USAGE = "days_usage"
    RELOAD_OK = "reload_ok"
    RELOAD_FAILED = "reload_failed"
    RELOAD_MORE = "reload_more"
    STATS = "stats"
    STATS_TOP_LINE = "stats_top_line"
    STATS_TOP_NONE = "stats_top_none"
    UNANSWERED_HEADER = "unanswered_header"
    UNANSWERED_LINE = "unanswered_line"
    UNANSWERED_VARIANT = "unanswered_variant"
    UNANSWERED_NONE = "unanswered_none"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each {name} in `text` by its value; other braces stay as they are."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


@dataclass(frozen=True)
class Messages:
    """messages.yaml as loaded; `missing` lists the code's keys the file lacks."""

    texts: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: MessageKey, **values: str) -> str:
        """The text for `key` with {name} placeholders filled from `values`."""
        return fill(self.texts.get(key.value, ""), values)

    def missing(self) -> list[MessageKey]:
        return [key for key in MessageKey if not self.texts.get(key.value, "").strip()]
