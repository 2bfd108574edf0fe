"""Masking personal numbers before anything is stored (interim: digit runs of 7 or more)."""

from __future__ import annotations

import re

_LONG_RUN = re.compile(r"[0-9０-９]{7,}")


def mask_personal(text: str) -> str:
    return _LONG_RUN.sub(lambda m: "*" * len(m.group(0)), text or "")
