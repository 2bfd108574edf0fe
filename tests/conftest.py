"""Shared fixtures: the shipped configuration and a small FAQ written into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.dialogue import Dialogue
from bot.loading import open_dialogue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shipped_config() -> Config:
    return load_config(ROOT / "config.yaml", env={})


@pytest.fixture(scope="session")
def shipped_dialogue(shipped_config: Config) -> Dialogue:
    return open_dialogue(shipped_config, key=b"test key")


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A copy of config.yaml and faq/ (the source report included) in tmp_path; returns the
    copied config path."""
    shutil.copytree(ROOT / "faq", tmp_path / "faq",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path / "config.yaml"
