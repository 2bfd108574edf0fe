"""Reply → Telegram: escaped HTML text (split at Telegram's 4,096-character cap) and buttons,
sent under the delivery policy (handlers/delivery.py)."""

from __future__ import annotations

import functools
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.replies import Reply
from handlers.delivery import deliver

MAX_CHARS = MessageLimit.MAX_TEXT_LENGTH  # 4096
ENTITY_MAX = 10  # longest entity html.escape produces is "&quot;"/"&#x27;"; leave room


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's button rows as an inline keyboard (None when it has no buttons)."""
    rows = [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row]
            for row in reply.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split already-escaped text into pieces of at most `limit` characters, at a line break or
    space where there is one, and never inside an HTML entity."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
            amp = text.rfind("&", cut - ENTITY_MAX, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text or not pieces:
        pieces.append(text)
    return pieces


def render(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The messages for a reply: escaped text pieces; the buttons go with the last one."""
    pieces = split_text(html.escape(reply.text.strip() or "…", quote=False))
    markup = keyboard(reply)
    return [(p, markup if i == len(pieces) - 1 else None) for i, p in enumerate(pieces)]


def reply_to(message: Message) -> int | None:
    """In a group, answer as a reply to the worker's message; in a private chat, plainly."""
    return None if message.chat.type == ChatType.PRIVATE else message.message_id


async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply,
               reply_to: int | None = None) -> list[Message]:
    """Send a reply as one or more messages; only the first quotes the worker's message."""
    calls = []
    for i, (text, markup) in enumerate(render(reply)):
        quote = (ReplyParameters(reply_to, allow_sending_without_reply=True)
                 if reply_to and i == 0 else None)
        calls.append(functools.partial(context.bot.send_message, chat_id, text,
                                       reply_markup=markup, reply_parameters=quote))
    return await deliver(context, chat_id, calls, reply)


async def edit_or_send(context: ContextTypes.DEFAULT_TYPE, message: Message | None,
                       chat_id: int, reply: Reply) -> None:
    """Replace a menu message in place when the reply fits in one message, else send anew."""
    pieces = render(reply)
    if message is not None and len(pieces) == 1:
        text, markup = pieces[0]
        edit = functools.partial(context.bot.edit_message_text, text, chat_id,
                                 message.message_id, reply_markup=markup)
        try:
            await deliver(context, chat_id, [edit], reply, idempotent=True)
            return
        except BadRequest as exc:  # e.g. too old to edit: send it anew
            if "not modified" in str(exc).lower():
                return
    await send(context, chat_id, reply)
