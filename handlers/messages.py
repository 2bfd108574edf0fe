"""Workers' messages: typed questions, and the captions of photos and other media, go to the
dialogue core; media without a caption get a short request for a typed question. In groups the
bot speaks only when addressed (the same rules for captions as for text)."""

from __future__ import annotations

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.ratelimit import Flow
from bot.replies import Reply, ReplyKind
from bot.service import SILENCE
from faq.messages import MessageKey
from handlers.context import channel, user_id
from handlers.render import reply_to, send

NOT_TEXT = (filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.AUDIO
            | filters.Document.ALL | filters.LOCATION | filters.VENUE | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.CONTACT | filters.POLL
            | filters.Dice.ALL | filters.STORY)
MENTIONS: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]


def addressed(message: Message, bot: Bot) -> bool:
    """True in a private chat; in a group, when the message mentions or replies to the bot."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    return _mentions(message, bot) != []


def _mentions(message: Message, bot: Bot) -> list[str]:
    """The parts of the text that address this bot (@username or a text mention of it)."""
    found = []
    username = f"@{bot.username}".lower() if bot.username else None
    entities = (message.parse_entities(MENTIONS) if message.text is not None
                else message.parse_caption_entities(MENTIONS))
    for entity, text in entities.items():
        if (entity.type == MessageEntity.MENTION and text.lower() == username) or (
                entity.user is not None and entity.user.id == bot.id):
            found.append(text)
    return found


def question_text(message: Message, bot: Bot) -> str:
    """The message text (or a media message's caption) without the mentions of the bot."""
    text = message.text or message.caption or ""
    for mention in _mentions(message, bot):
        text = text.replace(mention, " ")
    return text.strip()


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed question (or a caption): answer, clarify or fall back, and record it."""
    message = update.effective_message
    if message is None or not addressed(message, context.bot):
        return
    text = question_text(message, context.bot)
    reply = await channel(context).service.text(user_id(update), text)
    if reply == SILENCE:  # over the rate limit and already told
        return
    await send(context, message.chat_id, reply, reply_to(message))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: the help text (in private chats only)."""
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    reply = await channel(context).service.command(user_id(update), "help")
    if reply != SILENCE:
        await send(context, message.chat_id, reply)


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice and the like without a caption: ask for a typed question."""
    await _short_reply(update, context, MessageKey.NOT_TEXT)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: the bot answered the first version; ask to send it again."""
    await _short_reply(update, context, MessageKey.EDITED)


async def _short_reply(update: Update, context: ContextTypes.DEFAULT_TYPE,
                       key: MessageKey) -> None:
    """A fixed notice, within the same per-worker rate limit as questions."""
    message = update.effective_message
    if message is None or not addressed(message, context.bot):
        return
    service = channel(context).service
    reply = service.held(user_id(update), Flow.MESSAGE) or Reply(
        kind=ReplyKind.INFO, text=service.dialogue.msg(key))
    if reply != SILENCE:
        await send(context, message.chat_id, reply, reply_to(message))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    new = filters.UpdateType.MESSAGE
    return [
        MessageHandler(new & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, on_text),
        MessageHandler(new & filters.COMMAND, on_unknown_command),
        MessageHandler(new & NOT_TEXT & ~filters.CAPTION, on_not_text),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited),
    ]
