"""Facts an answer may state only if its sources state them: the one place that decides
whether a text's numbers are backed by the report (answers and flow results alike)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from faq.text import NUMBER

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without whitespace: the OCR'd report breaks lines anywhere."""
    return _SPACE.sub("", text)


def unsupported_numbers(text: str, sources: Iterable[str]) -> list[str]:
    """The numbers in `text` (placeholders aside) that none of `sources` contains."""
    quoted = "".join(squash(s) for s in sources)
    return sorted(n for n in set(NUMBER.findall(text)) if n not in quoted)
