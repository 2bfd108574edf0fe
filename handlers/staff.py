"""Staff commands, for the user ids in config/UNIONBOT_ADMIN_IDS only: /reload, /stats,
/unanswered, /review (and its ✅/❌ buttons, checked for staff again when pressed). Reports hold
workers' words, so they are given only in a private chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import reports
from bot.days import parse_days, since
from bot.payload import Action, is_staff_payload
from bot.records import Verdict
from bot.replies import Reply, ReplyKind
from bot.review_actions import decide, review_queue
from bot.review_text import outcome_text, queue_reply
from bot.service import Service
from bot.storage import Store
from bot.usage import usage_since
from faq.messages import MessageKey as K
from handlers.context import channel, is_private
from handlers.render import send

STAFF_COMMANDS = ("reload", "stats", "unanswered", "review")
REVIEW_SHOWN = 5  # suggestions per /review message, each with its ✅/❌ buttons
log = logging.getLogger(__name__)


async def _staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Service | None:
    """The service if the sender is staff; otherwise refuse politely and return None."""
    found = channel(context)
    if not found.is_staff(update.effective_user):
        await _say(update, context, found.service.dialogue.msg(K.STAFF_ONLY))
        return None
    if not is_private(update):
        await _say(update, context, found.service.dialogue.msg(K.STAFF_PRIVATE_ONLY))
        return None
    return found.service


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    if update.effective_chat is not None:
        await send(context, update.effective_chat.id, Reply(kind=ReplyKind.INFO, text=text))


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read and validate the FAQ and flows; on any error the old content keeps serving."""
    service = await _staff(update, context)
    if service is None:
        return
    problems = await service.reload()
    await _say(update, context, reports.reload_text(service.dialogue, problems))


async def _staff_report(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        command: str) -> tuple[Service, Store, int] | None:
    """For a report command: the staff member's service, the records and the day count (kindly
    refused when the sender is not staff, there are no records or the days are not a number)."""
    service = await _staff(update, context)
    if service is None or service.store is None:
        return None
    days = parse_days(context.args)
    if days is None:
        await _say(update, context, service.dialogue.msg(K.DAYS_USAGE, command=command))
        return None
    return service, service.store, days


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [days]: questions, outcome shares, feedback and top entries."""
    found = await _staff_report(update, context, "/stats")
    if found is None:
        return
    service, store, days = found
    start = since(days)
    stats = await store.stats(start)
    usage = await usage_since(store, start)
    await _say(update, context, reports.stats_text(service.dialogue, stats, days, usage))


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days]: fallen-back questions grouped by similarity, most frequent first."""
    found = await _staff_report(update, context, "/unanswered")
    if found is None:
        return
    service, store, days = found
    groups = await store.unanswered(since(days), limit=15)
    await _say(update, context, reports.unanswered_text(service.dialogue, groups, days))


async def on_review(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/review [days]: the newest learning suggestions, each with ✅ accept and ❌ reject."""
    report = await _staff_report(update, context, "/review")
    if report is None or update.effective_chat is None:
        return
    service, store, days = report
    found = await review_queue(store, service.dialogue.config, days)
    await send(context, update.effective_chat.id,
               queue_reply(service.dialogue, found, days, None, REVIEW_SHOWN))


async def on_review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✅/❌ under /review: acted on only if the presser is staff, in a private chat."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except TelegramError as exc:
        log.info("could not acknowledge a review button: %s", exc)
    service = await _staff(update, context)
    payload = service.dialogue.codec.decode(str(query.data)) if service else None
    if service is None or service.store is None or payload is None:
        return
    verdict = Verdict.ACCEPT if payload.action is Action.REVIEW_ACCEPT else Verdict.REJECT
    outcome = await decide(service.store, service.dialogue.config, payload.target, verdict)
    await _say(update, context, outcome_text(service.dialogue, outcome))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    new = filters.UpdateType.MESSAGE  # an edited old message never re-runs a command
    return [CommandHandler("reload", on_reload, filters=new),
            CommandHandler("stats", on_stats, filters=new),
            CommandHandler("unanswered", on_unanswered, filters=new),
            CommandHandler("review", on_review, filters=new),
            CallbackQueryHandler(on_review_button, pattern=is_staff_payload)]
