"""The update JSON Telegram would send for what a worker does: a text, a sticker, a photo, an
edited message, a tap on a button (for tests/e2e/fake_bot_api.py and the benchmarks)."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Union helper",
            "username": "unionbot_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
_ids = itertools.count(1)  # message and callback ids


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user(user_id: int, name: str = "Worker") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Worker"}
    return {"id": chat_id, "type": kind, "title": "工会小组"}


def message(user_id: int, text: str | None = None, *, chat_id: int | None = None,
            kind: str = "private", **extra: Any) -> dict[str, Any]:
    """A message from a worker (in a private chat by default)."""
    msg: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()),
                           "chat": chat(chat_id or user_id, kind), "from": user(user_id)}
    if text is not None:
        msg["text"] = text
        if entities := text_entities(text):
            msg["entities"] = entities
    msg.update(extra)
    return msg


def text_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram marks in a text or caption: a leading command, @mentions."""
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0,
                         "length": utf16_len(text.split()[0])})
    for match in re.finditer(r"@\w+", text):
        entities.append({"type": "mention", "offset": utf16_len(text[:match.start()]),
                         "length": utf16_len(match.group())})
    return entities


def text_update(user_id: int, text: str, **kw: Any) -> dict[str, Any]:
    return {"message": message(user_id, text, **kw)}


def sticker_update(user_id: int, **kw: Any) -> dict[str, Any]:
    sticker = {"file_id": "CAACAgIAAx", "file_unique_id": "AgAD", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍"}
    return {"message": message(user_id, None, sticker=sticker, **kw)}


def photo_update(user_id: int, caption: str | None = None, **kw: Any) -> dict[str, Any]:
    """A photo, with a caption (and its entities) when given."""
    sizes = [{"file_id": f"AgACAgIAAx{i}", "file_unique_id": f"AQAD{i}", "width": w,
              "height": w} for i, w in enumerate((90, 320, 800))]
    extra: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        extra["caption"] = caption
        if entities := text_entities(caption):
            extra["caption_entities"] = entities
    return {"message": message(user_id, None, **extra, **kw)}


def edited_update(user_id: int, text: str, **kw: Any) -> dict[str, Any]:
    return {"edited_message": message(user_id, text, edit_date=int(time.time()), **kw)}


def callback_update(user_id: int, data: str, *, chat_id: int | None = None,
                    message_id: int = 1) -> dict[str, Any]:
    """A tap on an inline button under one of the bot's messages."""
    return {"callback_query": {
        "id": str(next(_ids)), "from": user(user_id), "chat_instance": "ci", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()),
                    "chat": chat(chat_id or user_id), "from": BOT_USER, "text": "…"}}}
