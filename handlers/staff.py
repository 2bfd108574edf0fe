"""Staff commands, for the user ids in config/UNIONBOT_ADMIN_IDS only: /reload, /stats,
/unanswered."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot import reports
from bot.dialogue import Reply
from handlers.context import Services, services
from handlers.render import send

STAFF_COMMANDS = ("reload", "stats", "unanswered")


async def _staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Services | None:
    """The services if the sender is staff; otherwise refuse politely and return None."""
    svc = services(context)
    if svc.is_staff(update.effective_user):
        return svc
    if update.effective_chat is not None:
        await send(context, update.effective_chat.id, Reply(svc.dialogue.msg("staff_only")))
    return None


async def _say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    if update.effective_chat is not None:
        await send(context, update.effective_chat.id, Reply(text))


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read and validate the FAQ and flows; on any error the old content keeps serving.
    Reading and checking run in a worker thread, so workers are answered meanwhile; the swap
    happens here on the event loop, between two handlers, never inside one."""
    svc = await _staff(update, context)
    if svc is None:
        return
    knowledge, problems = await asyncio.to_thread(svc.dialogue.load_checked)
    if knowledge is not None:
        svc.dialogue.swap(knowledge)
    await _say(update, context, reports.reload_text(svc.dialogue, problems))


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [days]: questions, outcome shares, feedback and top entries."""
    svc = await _staff(update, context)
    if svc is None:
        return
    days = reports.parse_days(context.args)
    if days is None:
        await _say(update, context, svc.dialogue.msg("days_usage", command="/stats"))
        return
    stats = await svc.store.stats(reports.since(days))
    await _say(update, context, reports.stats_text(svc.dialogue, stats, days))


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days]: fallen-back questions grouped by similarity, most frequent first."""
    svc = await _staff(update, context)
    if svc is None:
        return
    days = reports.parse_days(context.args)
    if days is None:
        await _say(update, context, svc.dialogue.msg("days_usage", command="/unanswered"))
        return
    groups = await svc.store.unanswered(reports.since(days), limit=15)
    await _say(update, context, reports.unanswered_text(svc.dialogue, groups, days))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("reload", on_reload), CommandHandler("stats", on_stats),
            CommandHandler("unanswered", on_unanswered)]
