"""Output for the Telegram channel that never shows a secret (the bot token, the webhook secret).

Two layers, so that nothing depends on every library logging politely: a filter on every
logging handler rewrites each record (message and traceback), and sys.stdout and sys.stderr
themselves are wrapped, so whatever else reaches them — an uncaught traceback (sys.excepthook,
threading.excepthook), logging.lastResort, asyncio's exception handler, warnings, print — is
redacted on its way out. A rejected token (InvalidToken, whose text PTB builds with the token in
it) is logged without its traceback; `handlers.app.run` reports it in one line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from telegram.error import InvalidToken

MIN_PART_CHARS = 8  # the token's secret half is redacted on its own when at least this long


@dataclass(frozen=True)
class Secrets:
    """The texts that must never be printed, longest first, each with its replacement."""

    masks: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, token: str | None = None, *others: str | None) -> Secrets:
        """The token (and its secret half, which also appears URL-encoded) and other secrets."""
        masks: list[tuple[str, str]] = []
        if token:
            masks.append((token, "<token>"))
            half = token.partition(":")[2]
            if len(half) >= MIN_PART_CHARS:
                masks.append((half, "<token>"))
        masks += [(secret, "<secret>") for secret in others if secret]
        return cls(tuple(sorted(masks, key=lambda mask: -len(mask[0]))))

    def redact(self, text: str) -> str:
        for secret, replacement in self.masks:
            if secret in text:
                text = text.replace(secret, replacement)
        return text


class RedactToken(logging.Filter):
    """Rewrites every log record with its secrets replaced (httpx and tracebacks show request
    URLs, PTB's InvalidToken shows the token); an InvalidToken loses its traceback."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = Secrets.of(*secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            message += f" ({type(error).__name__})"
        elif record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.stack_info:
            message += "\n" + record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.msg, record.args = self.secrets.redact(message), None
        return True


class RedactingStream:
    """A text stream that writes through `stream` with the secrets replaced. It holds back an
    unfinished line until its newline (or a flush), so a secret split over two writes is
    still caught."""

    def __init__(self, stream: TextIO, secrets: Secrets) -> None:
        self.stream, self.secrets = stream, secrets
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            done, _, self._pending = self._pending.rpartition("\n")
            self.stream.write(self.secrets.redact(done + "\n"))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(self.secrets.redact(self._pending))
            self._pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, … of the real stream
        return getattr(self.stream, name)


def redact_std_streams(secrets: Secrets) -> None:
    """Wrap sys.stdout and sys.stderr (once; a second call updates the secrets)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, RedactingStream):
            stream.secrets = secrets
        elif stream is not None:
            setattr(sys, name, RedactingStream(stream, secrets))


def configure_logging(*secrets: str | None, level: int = logging.INFO) -> None:
    """Plain logging to stderr with the secrets redacted everywhere; httpx's per-request lines
    (which contain the token) are muted. The first secret is the bot token."""
    found = Secrets.of(*secrets)
    if found.masks:
        redact_std_streams(found)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = RedactToken(*secrets)
    for handler in _every_handler() if found.masks else ():
        handler.filters = [f for f in handler.filters if not isinstance(f, RedactToken)]
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _every_handler() -> list[logging.Handler]:
    """The root's handlers, every named logger's, and logging.lastResort."""
    loggers = [logging.getLogger()] + [logger for logger in
                                       logging.Logger.manager.loggerDict.values()
                                       if isinstance(logger, logging.Logger)]
    handlers = [handler for logger in loggers for handler in logger.handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    return list(dict.fromkeys(handlers))
