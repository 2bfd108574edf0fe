"""The workers' commands: /start, /help, /menu, /topics, /cancel."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.dialogue import Dialogue, Reply
from handlers.context import services
from handlers.render import reply_to, send

PUBLIC_COMMANDS = ("start", "help", "menu", "topics", "cancel")


def _reply(command: str, dialogue: Dialogue) -> Reply:
    if command == "start":
        return dialogue.start()
    if command == "help":
        return dialogue.help()
    if command == "topics":
        return dialogue.topics()
    if command == "cancel":  # flow state lives in the buttons: nothing to clear but the screen
        return Reply(dialogue.msg("cancelled"))
    return dialogue.menu()


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any of the public commands: the dialogue core's reply to it."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    reply = _reply(command, services(context).dialogue)
    await send(context, message.chat_id, reply, reply_to(message))


def handlers() -> list[BaseHandler]:
    return [CommandHandler(list(PUBLIC_COMMANDS), on_command)]
