"""What every handler needs, kept in `application.bot_data`: the dialogue, the store, staff ids."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import User
from telegram.ext import ContextTypes

from bot.dialogue import Dialogue, Reply
from bot.storage import Event, Question, Store, worker_hash

log = logging.getLogger(__name__)
KEY = "services"
RECORDED_OUTCOMES = ("answer", "clarify", "fallback")


@dataclass
class Services:
    dialogue: Dialogue
    store: Store
    salt: bytes
    admin_ids: frozenset[int]

    def worker(self, user: User | None) -> str:
        """The salted pseudonym stored instead of the Telegram identity."""
        return worker_hash(self.salt, user.id if user else None)

    def is_staff(self, user: User | None) -> bool:
        return user is not None and user.id in self.admin_ids


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data[KEY]


async def record(svc: Services, user: User | None, reply: Reply, asked: bool) -> None:
    """Store a typed question (`asked`) or a button event; a storage failure never costs a
    worker the answer, so it is logged, not raised."""
    try:
        if asked and reply.query and reply.outcome in RECORDED_OUTCOMES:
            await svc.store.record_question(Question(svc.worker(user), reply.query,
                                                     reply.outcome, reply.entry_id, reply.score))
        if reply.event:
            await svc.store.record_event(Event(svc.worker(user), reply.event, reply.entry_id))
    except Exception:  # noqa: BLE001 - any storage backend's error
        log.exception("could not record %s", reply.event or reply.outcome)
