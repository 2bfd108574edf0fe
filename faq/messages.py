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
    ALSO_ASK = "also_ask"
    NOT_THIS = "not_this"
    SILENT_NOTE = "silent_note"
    SILENT_NOTE_SEE_ABOVE = "silent_note_see_above"
    SILENT_TOPIC = "silent_topic"
    NAMED_NOTE = "named_note"
    NAMED_NOTE_SEE_ABOVE = "named_note_see_above"
    ELSEWHERE = "elsewhere"
    EMPTY = "empty"
    NOT_TEXT = "not_text"
    TOO_LONG_NOTE = "too_long_note"
    FEEDBACK_YES = "feedback_yes"
    FEEDBACK_NO = "feedback_no"
    FEEDBACK_THANKS_YES = "feedback_thanks_yes"
    FEEDBACK_THANKS_NO = "feedback_thanks_no"
    SOURCE_BUTTON = "source_button"
    SOURCE_HEADER = "source_header"
    SOURCE_HEADER_UNDATED = "source_header_undated"
    SOURCE_PASSAGE = "source_passage"
    SOURCE_FROM_CONFIG = "source_from_config"
    SOURCE_BACK = "source_back"
    SOURCE_NOTE = "source_note"
    SOURCE_NOTE_UNDATED = "source_note_undated"
    MENU_BUTTON = "menu_button"
    TOPICS_BUTTON = "topics_button"
    CONTACTS_BUTTON = "contacts_button"
    RELATED_PREFIX = "related_prefix"
    START_FLOW_PREFIX = "start_flow_prefix"
    UNKNOWN_BUTTON = "unknown_button"
    CANCELLED = "cancelled"
    ERROR = "error"
    ASK_AGAIN = "ask_again"
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
    COMMAND_REVIEW = "command_review"
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
    STATS_PICKS = "stats_picks"
    STATS_SOURCE_AND_DELIVERY = "stats_source_and_delivery"
    STATS_FLOWS_HEADER = "stats_flows_header"
    STATS_FLOW_LINE = "stats_flow_line"
    STATS_DISLIKED_HEADER = "stats_disliked_header"
    STATS_DISLIKED_LINE = "stats_disliked_line"
    REVIEW_HEADER = "review_header"
    REVIEW_NONE = "review_none"
    REVIEW_RULE_DEFAULT = "review_rule_default"
    REVIEW_RULE_MIN = "review_rule_min"
    REVIEW_ALTERNATE = "review_alternate"
    REVIEW_ANSWER = "review_answer"
    REVIEW_NEW_ENTRY = "review_new_entry"
    REVIEW_SILENT = "review_silent"
    REVIEW_EVIDENCE = "review_evidence"
    REVIEW_EXAMPLE = "review_example"
    REVIEW_VARIANT = "review_variant"
    REVIEW_MORE = "review_more"
    REVIEW_HOWTO = "review_howto"
    REVIEW_ACCEPT_BUTTON = "review_accept_button"
    REVIEW_REJECT_BUTTON = "review_reject_button"
    REVIEW_ACCEPTED = "review_accepted"
    REVIEW_REFUSED = "review_refused"
    REVIEW_FAQ_BROKEN = "review_faq_broken"
    REVIEW_MARKED = "review_marked"
    REVIEW_REJECTED = "review_rejected"
    REVIEW_NOT_FOUND = "review_not_found"
    REVIEW_ALREADY_DECIDED = "review_already_decided"
    REVIEW_ALREADY_ANSWERED = "review_already_answered"
    VERDICT_ACCEPT = "verdict_accept"
    VERDICT_REJECT = "verdict_reject"
    REPLAY_SUMMARY = "replay_summary"
    REPLAY_BASELINE_RECORDED = "replay_baseline_recorded"
    REPLAY_BASELINE_FAQ = "replay_baseline_faq"
    REPLAY_NEWLY_ANSWERED = "replay_newly_answered"
    REPLAY_CHANGED = "replay_changed"
    REPLAY_NEWLY_LOST = "replay_newly_lost"
    REPLAY_LINE = "replay_line"
    REPLAY_NOT_ANSWERED = "replay_not_answered"
    REPLAY_PICKED_SAME = "replay_picked_same"
    REPLAY_PICKED_OTHER = "replay_picked_other"
    REPLAY_MORE = "replay_more"
    REPLAY_NO_CHANGE = "replay_no_change"


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
