"""Button taps: every payload goes to the service, which answers and records."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.replies import ReplyKind
from bot.service import SILENCE
from handlers.context import channel, user_id
from handlers.render import edit_or_send, send

log = logging.getLogger(__name__)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the tap (best effort), then show the reply: menus replace themselves in
    place, everything else arrives as a new message so answers stay readable."""
    query = update.callback_query
    if query is None:
        return
    try:  # a tap made while the bot was down is "too old" to acknowledge, not to answer
        await query.answer()
    except TelegramError as exc:
        log.info("could not acknowledge a button tap: %s", exc)
    chat = update.effective_chat
    if chat is None:  # a button on an inline-mode message: nowhere to reply
        return
    data = query.data if isinstance(query.data, str) else ""
    reply = await channel(context).service.button(user_id(update), data)
    if reply == SILENCE:  # over the rate limit and already told
        return
    message = query.message if isinstance(query.message, Message) else None
    if reply.kind is ReplyKind.MENU:
        await edit_or_send(context, message, chat.id, reply)
    else:
        await send(context, chat.id, reply)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CallbackQueryHandler(on_button)]
