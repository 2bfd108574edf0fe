"""The checks' verdict kept between runs (faq/check_cache.py): read back only while the content,
the source documents and the settings are what it was reached on; the deep checks always run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import faq.check
import faq.knowledge
from bot.config import Config, load_config
from bot.loading import errors_of, load_checked
from bot.payload import Codec
from faq.contacts import Contact
from faq.content_cache import load_content_cached

CODEC = Codec(b"k")


@pytest.fixture
def config(faq_copy: Path) -> Config:
    return load_config(faq_copy, env={})


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each time the checks really run, whether deep."""
    seen: list[bool] = []
    real = faq.check.check_knowledge

    def counted(*args: object, deep: bool = True, **kwargs: object) -> object:
        seen.append(deep)
        return real(*args, deep=deep, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(faq.check, "check_knowledge", counted)
    return seen


def test_the_verdict_is_read_back_while_nothing_changed(config: Config, runs: list[bool]) -> None:
    first = load_checked(config, CODEC)[1]
    second = load_checked(config, CODEC)[1]
    assert runs == [False] and first == second
    assert load_checked(config, CODEC, deep=True) and runs == [False, True]  # deep: every time


def test_a_changed_source_document_is_checked_again(config: Config, runs: list[bool]) -> None:
    assert not errors_of(load_checked(config, CODEC)[1])
    document = config.faq.sources[0].path
    assert document is not None
    text = document.read_text("utf-8")
    document.write_text(text.replace("无息借款", "有息借款"), "utf-8")  # passages no longer in it
    errors = errors_of(load_checked(config, CODEC)[1])
    assert runs == [False, False] and any("二是无息借款方式" in p.message and "找不到" in p.message
                                          for p in errors)


def test_changed_settings_are_checked_again(config: Config, runs: list[bool]) -> None:
    load_checked(config, CODEC)
    strict = replace(config, check=replace(config.check, min_alternates=10_000))
    assert any("至少要 10000 种" in p.message for p in load_checked(strict, CODEC)[1])
    fewer = replace(config, contacts=(Contact(name="热线", value="12351"),))
    load_checked(fewer, CODEC)
    assert runs == [False, False, False]


def test_content_of_unknown_key_is_always_checked(config: Config, runs: list[bool],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq.knowledge, "load_content_keyed",
                        lambda paths: (*load_content_cached(paths), None))
    load_checked(config, CODEC)
    load_checked(config, CODEC)
    assert runs == [False, False]
