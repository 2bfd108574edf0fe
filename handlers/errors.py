"""The last line of defence: log the error (never the token) and apologise to the worker."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from faq.messages import MessageKey
from handlers.context import channel

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; tell the worker politely unless Telegram itself cannot be reached."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s: %s", update_id, type(error).__name__,
              exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    unreachable = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if unreachable or isinstance(error, (Forbidden, RetryAfter)):
        return  # the apology would fail the same way (or the worker blocked the bot)
    try:
        await context.bot.send_message(update.effective_chat.id,
                                       channel(context).service.dialogue.msg(MessageKey.ERROR),
                                       parse_mode=None)
    except TelegramError as exc:
        log.warning("could not send the apology: %s", type(exc).__name__)
