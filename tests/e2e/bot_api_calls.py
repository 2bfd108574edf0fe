"""What the fake Telegram Bot API (tests/e2e/fake_bot_api.py) records and refuses with: each
call, the faults a test injects, and Telegram's own checks on a message's HTML."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from typing import Any

HTML_TAGS = r"b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|tg-emoji|blockquote"
TAG = re.compile(rf"</?({HTML_TAGS})(\s[^<>]*)?>")
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass(frozen=True)
class Fault:
    """A bad answer: `status` with `body` (None: Telegram's JSON error object) and the call not
    carried out; or, with `delay`, the call carried out and its normal answer `delay` s late."""

    status: int = 200
    body: str | None = None
    retry_after: int | None = None
    delay: float = 0.0

    @property
    def refuses(self) -> bool:
        return self.delay == 0


SERVER_ERROR = Fault(500)
BAD_GATEWAY = Fault(502, body="<html><center><h1>502 Bad Gateway</h1></center></html>")
MALFORMED = Fault(200, body='{"ok": true, "result": {"message_id": 1, "da')
FLOOD = Fault(429, retry_after=1)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    time: float = field(default_factory=time.monotonic)
    status: int = 200
    refused: bool = False  # answered with a fault instead of being carried out

    @property
    def ok(self) -> bool:
        """The call was carried out (for sendMessage: the message reached the chat)."""
        return self.status == 200 and not self.refused

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    def payloads(self) -> list[str]:
        """Callback data of the inline buttons sent with this call, in order."""
        markup = self.params.get("reply_markup") or {}
        return [b.get("callback_data", "") for row in markup.get("inline_keyboard", [])
                for b in row]

    def labels(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        return [b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row]


class ApiError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def check_html(text: str) -> None:
    """Reject what Telegram's HTML parse mode rejects: unknown tags and bare '&' or '<'."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            tag = TAG.match(text, i)
            if not tag:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag "
                                    f"at byte offset {i}")
            i = tag.end()
            continue
        if char == "&":
            entity = ENTITY.match(text, i)
            if not entity:
                raise ApiError(400, "Bad Request: can't parse entities: character '&' is "
                                    "reserved and must be escaped")
            i = entity.end()
            continue
        i += 1


def visible_length(text: str) -> int:
    return len(html.unescape(TAG.sub("", text)))
