"""The review queue and decisions as staff read them (command line and Telegram alike), worded
by messages.yaml; on Telegram each suggestion gets ✅/❌ buttons through the one codec."""

from __future__ import annotations

import time

from bot.dialogue import Dialogue
from bot.payload import Action, Payload
from bot.records import Verdict
from bot.replies import Reply, ReplyKind
from bot.review import DEFAULT_MIN_COUNTS, Suggestion, SuggestionKind
from bot.review_actions import Outcome, Result
from faq.messages import MessageKey as K

MAX_VARIANTS = 3  # similar wordings shown under an example
TITLE = {SuggestionKind.ALTERNATE: K.REVIEW_ALTERNATE,
         SuggestionKind.REVIEW_ANSWER: K.REVIEW_ANSWER,
         SuggestionKind.NEW_ENTRY: K.REVIEW_NEW_ENTRY}
RESULT = {Result.ACCEPTED: K.REVIEW_ACCEPTED, Result.REFUSED: K.REVIEW_REFUSED,
          Result.FAQ_BROKEN: K.REVIEW_FAQ_BROKEN,
          Result.MARKED: K.REVIEW_MARKED, Result.REJECTED: K.REVIEW_REJECTED,
          Result.NOT_FOUND: K.REVIEW_NOT_FOUND, Result.ALREADY_DECIDED: K.REVIEW_ALREADY_DECIDED,
          Result.ALREADY_ANSWERED: K.REVIEW_ALREADY_ANSWERED}
VERDICT = {Verdict.ACCEPT: K.VERDICT_ACCEPT, Verdict.REJECT: K.VERDICT_REJECT}


def when(timestamp: float) -> str:
    """A short local time: month-day hour:minute."""
    return time.strftime("%m-%d %H:%M", time.localtime(timestamp))


def entry_label(dialogue: Dialogue, entry_id: str | None) -> str:
    entry = dialogue.knowledge.entries.get(entry_id or "")
    return entry.question if entry else (entry_id or "")


def suggestion_text(dialogue: Dialogue, n: int, s: Suggestion) -> str:
    """One suggestion: what to do, how much evidence, the example and similar wordings."""
    title = K.REVIEW_SILENT if s.unsaid else TITLE[s.kind]
    lines = [dialogue.msg(title, n=str(n), id=s.id, entry=s.entry_id or "",
                          label=entry_label(dialogue, s.entry_id), what=s.unsaid),
             dialogue.msg(K.REVIEW_EVIDENCE, count=str(s.count), workers=str(s.workers),
                          last=when(s.last_seen)),
             dialogue.msg(K.REVIEW_EXAMPLE, text=s.text)]
    lines += [dialogue.msg(K.REVIEW_VARIANT, text=v) for v in s.variants[:MAX_VARIANTS]]
    return "\n".join(lines)


def rule_text(dialogue: Dialogue, min_count: int | None) -> str:
    """How many workers a suggestion needs to be listed."""
    if min_count is not None:
        return dialogue.msg(K.REVIEW_RULE_MIN, min_count=str(min_count))
    return dialogue.msg(K.REVIEW_RULE_DEFAULT,
                        tapped=str(DEFAULT_MIN_COUNTS[SuggestionKind.ALTERNATE]),
                        unanswered=str(DEFAULT_MIN_COUNTS[SuggestionKind.NEW_ENTRY]))


def queue_text(dialogue: Dialogue, suggestions: list[Suggestion], days: int,
               min_count: int | None, limit: int | None = None) -> str:
    """The queue, the first `limit` suggestions of it (all when None)."""
    rule = rule_text(dialogue, min_count)
    if not suggestions:
        return dialogue.msg(K.REVIEW_NONE, days=str(days), rule=rule)
    shown = suggestions if limit is None else suggestions[:limit]
    parts = [dialogue.msg(K.REVIEW_HEADER, days=str(days), rule=rule,
                          count=str(len(suggestions)))]
    parts += [suggestion_text(dialogue, n, s) for n, s in enumerate(shown, 1)]
    if len(shown) < len(suggestions):
        parts.append(dialogue.msg(K.REVIEW_MORE, count=str(len(suggestions) - len(shown))))
    return "\n\n".join(parts)


def queue_reply(dialogue: Dialogue, suggestions: list[Suggestion], days: int,
                min_count: int | None, limit: int) -> Reply:
    """/review: the first suggestions, each with ✅ (accept) and ❌ (reject) buttons."""
    rows = tuple(
        (dialogue.button(dialogue.msg(K.REVIEW_ACCEPT_BUTTON, n=str(n)),
                         Payload(action=Action.REVIEW_ACCEPT, target=s.id)),
         dialogue.button(dialogue.msg(K.REVIEW_REJECT_BUTTON, n=str(n)),
                         Payload(action=Action.REVIEW_REJECT, target=s.id)))
        for n, s in enumerate(suggestions[:limit], 1))
    return Reply(kind=ReplyKind.INFO, buttons=rows,
                 text=queue_text(dialogue, suggestions, days, min_count, limit))


def outcome_text(dialogue: Dialogue, outcome: Outcome) -> str:
    """What became of a decision, in a sentence or two."""
    s = outcome.suggestion
    problems = "\n".join(str(p) for p in outcome.problems)
    verdict = dialogue.msg(VERDICT[outcome.earlier]) if outcome.earlier else ""
    return dialogue.msg(RESULT[outcome.result], id=outcome.suggestion_id,
                        text=s.text if s else "", entry=(s.entry_id or "") if s else "",
                        file=outcome.file, line=str(outcome.line), problems=problems,
                        verdict=verdict)
