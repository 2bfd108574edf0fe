"""What every Telegram handler needs, kept in `application.bot_data`: the channel-free service,
the staff ids and the chats owed an ask-again notice; and the update being handled."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from telegram import Update, User
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.service import Service

KEY = "unionbot"


@dataclass
class Channel:
    service: Service
    admin_ids: frozenset[int]
    unnotified: set[int] = field(default_factory=set)  # chats owed the ask-again notice

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


@dataclass(eq=False)
class Handling:
    """The update being handled, for the whole of its run (set by the update processor)."""

    update_id: int | None
    user_id: int | None
    sent: bool = False  # a request that can show the worker a message has gone out


handling: ContextVar[Handling | None] = ContextVar("handling", default=None)
