"""Button taps: every payload goes to the dialogue core; feedback and flow events are recorded."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from handlers.context import record, services
from handlers.render import edit_or_send, send


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the callback query at once, then show the reply: menus replace themselves in
    place, everything else arrives as a new message so answers stay readable."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    chat = update.effective_chat
    if chat is None:  # a button on an inline-mode message: nowhere to reply
        return
    svc = services(context)
    reply = svc.dialogue.press(query.data if isinstance(query.data, str) else "")
    message = query.message if isinstance(query.message, Message) else None
    if reply.outcome == "menu":
        await edit_or_send(context, message, chat.id, reply)
    else:
        await send(context, chat.id, reply)
    await record(svc, update.effective_user, reply, asked=False)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button)]
