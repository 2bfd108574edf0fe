"""Logging for the Telegram channel that never shows the bot token."""

from __future__ import annotations

import logging


class RedactToken(logging.Filter):
    """Replaces the bot token in every log record (httpx and tracebacks show request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        if self.token in message:
            message = message.replace(self.token, "<token>")
        record.msg, record.args = message, None
        return True


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """Plain logging to stderr with the token redacted; httpx's per-request lines are muted."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers if token else ():
        handler.addFilter(RedactToken(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)
