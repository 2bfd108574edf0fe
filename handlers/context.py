"""What every Telegram handler needs, kept in `application.bot_data`: the channel-free service
and the staff ids."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update, User
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.service import Service

KEY = "unionbot"


@dataclass
class Channel:
    service: Service
    admin_ids: frozenset[int]

    def is_staff(self, user: User | None) -> bool:
        return user is not None and user.id in self.admin_ids


def channel(context: ContextTypes.DEFAULT_TYPE) -> Channel:
    found: Channel = context.bot_data[KEY]
    return found


def user_id(update: Update) -> int | None:
    """The Telegram user id, handed to the service (which stores only its salted hash)."""
    return update.effective_user.id if update.effective_user else None


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE
