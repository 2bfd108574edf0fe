"""The workers' commands: /start, /help, /menu, /topics, /cancel (answered by the dialogue
core, exactly as in the console chat)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from bot.dialogue import COMMANDS
from bot.service import SILENCE
from handlers.context import channel, user_id
from handlers.render import reply_to, send

PUBLIC_COMMANDS = COMMANDS


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any of the public commands."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    reply = await channel(context).service.command(user_id(update), command)
    if reply == SILENCE:  # over the rate limit and already told
        return
    await send(context, message.chat_id, reply, reply_to(message))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [CommandHandler(list(PUBLIC_COMMANDS), on_command,
                           filters=filters.UpdateType.MESSAGE)]
