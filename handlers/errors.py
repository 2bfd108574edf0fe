"""The last line of defence: log the error (never the token) and, where it helps, apologise.

It agrees with the delivery policy (handlers/delivery.py): a handler's own failure gets the
apology, sent under the policy; a failed Bot API call that escaped the policy gets no apology
now (it would most likely fail the same way: one per update in an outage) but, like an
undelivered reply, owes the chat the ask-again notice.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from faq.messages import MessageKey
from handlers.context import channel
from handlers.delivery import Verdict, deliver, describe, verdict

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; apologise for our own failures, owe a notice for Telegram's."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s: %s", update_id, type(error).__name__,
              exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    if isinstance(error, TelegramError) and verdict(error) is not Verdict.INVALID:
        if verdict(error) is not Verdict.REFUSED:
            channel(context).unnotified.add(chat_id)
        return
    apology = channel(context).service.dialogue.msg(MessageKey.ERROR)
    try:
        await deliver(context, chat_id,
                      [lambda: context.bot.send_message(chat_id, apology, parse_mode=None)],
                      reply=None)
    except TelegramError as exc:  # a BadRequest for the apology itself
        log.warning("could not send the apology: %s", describe(exc))
