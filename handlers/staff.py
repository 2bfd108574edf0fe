"""Staff commands, for the user ids in config/UNIONBOT_ADMIN_IDS only: /reload, /stats,
/unanswered. Reports hold workers' words, so they are given only in a private chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from bot import reports
from bot.replies import Reply, ReplyKind
from bot.service import Service
from faq.messages import MessageKey as K
from handlers.context import channel, is_private
from handlers.render import send

STAFF_COMMANDS = ("reload", "stats", "unanswered")


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


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [days]: questions, outcome shares, feedback and top entries."""
    service = await _staff(update, context)
    if service is None or service.store is None:
        return
    days = reports.parse_days(context.args)
    if days is None:
        await _say(update, context, service.dialogue.msg(K.DAYS_USAGE, command="/stats"))
        return
    stats = await service.store.stats(reports.since(days))
    await _say(update, context, reports.stats_text(service.dialogue, stats, days))


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days]: fallen-back questions grouped by similarity, most frequent first."""
    service = await _staff(update, context)
    if service is None or service.store is None:
        return
    days = reports.parse_days(context.args)
    if days is None:
        await _say(update, context, service.dialogue.msg(K.DAYS_USAGE, command="/unanswered"))
        return
    groups = await service.store.unanswered(reports.since(days), limit=15)
    await _say(update, context, reports.unanswered_text(service.dialogue, groups, days))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    new = filters.UpdateType.MESSAGE  # an edited old message never re-runs a command
    return [CommandHandler("reload", on_reload, filters=new),
            CommandHandler("stats", on_stats, filters=new),
            CommandHandler("unanswered", on_unanswered, filters=new)]
