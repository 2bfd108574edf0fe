"""Guided self-check flows (being built; see issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faq.yamlfile import Problem


def load_flows(path: Path, base: Path | None = None) -> tuple[dict[str, Any], list[Problem]]:
    return {}, []


def check_flows(content: Any, config: Any) -> list[Problem]:
    return []
