"""Day counts for the staff reports (/stats 30, `unionbot review --days 7`): one strict parser
for every channel, light enough to import when the command line starts."""

from __future__ import annotations

import argparse
import re
import time

DAY = 86400.0
MAX_DAYS = 3650
DAYS = re.compile(r"[0-9]{1,4}")
FULL_WIDTH_DIGITS = {0xFF10 + i: str(i) for i in range(10)}  # ３０ is typed on phones


def since(days: int, now: float | None = None) -> float:
    """The start of a period of `days` days ending now."""
    return (time.time() if now is None else now) - days * DAY


def parse_days(args: list[str] | None, default: int = 7) -> int | None:
    """The optional day count of /stats and /unanswered; None when it is not a positive number."""
    if not args:
        return default
    text = args[0].strip().translate(FULL_WIDTH_DIGITS)
    if len(args) > 1 or not DAYS.fullmatch(text):  # not str.isdigit: it accepts "²"
        return None
    return int(text) if 0 < int(text) <= MAX_DAYS else None


def positive(text: str) -> int:
    """argparse type: a whole number of days from 1 to MAX_DAYS."""
    value = parse_days([text])
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value
