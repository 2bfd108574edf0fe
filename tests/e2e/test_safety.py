"""Splitting long replies, the error handler, and logs that never show the token."""

from __future__ import annotations

import html
import logging
import sys

import pytest
from e2e_harness import Harness

from faq.messages import MessageKey
from handlers.logs import RedactingStream, RedactToken, Secrets, configure_logging
from handlers.render import split_text

WORKER = 4001


@pytest.mark.parametrize("text", [
    "短句。\n" * 2000,
    "a" * 9000,
    "&amp;" * 2000,
    "x" * 4093 + "&amp;&lt;" + "y" * 100,
    "",
])
def test_split_text_respects_the_limit_and_entities(text: str) -> None:
    pieces = split_text(text)
    assert all(len(p) <= 4096 for p in pieces)
    assert all(html.unescape(p).count("&") == p.count("&amp;") for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


async def test_a_crashing_handler_gets_a_polite_reply(bot: Harness, caplog) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("boom")

    bot.dialogue.ask = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        reply = await bot.say(WORKER, "随便问问")
    assert reply.text == bot.dialogue.msg(MessageKey.ERROR)
    assert reply.params.get("parse_mode") is None
    assert "RuntimeError" in caplog.text and bot.api.token not in caplog.text
    after = await bot.say(WORKER, "/start")  # the bot carries on
    assert after.payloads()


def test_the_token_is_redacted_from_log_lines_and_tracebacks(caplog) -> None:
    token = "123456:SECRET-token"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1,
                               "HTTP Request: POST %s", (f"https://x/bot{token}/getMe",), None)
    assert RedactToken(token).filter(record)
    assert token not in record.getMessage() and "<token>" in record.getMessage()
    try:
        raise ValueError(f"bad url https://x/bot{token}/sendMessage")
    except ValueError as exc:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None,
                                   (type(exc), exc, exc.__traceback__))
    RedactToken(token).filter(failed)
    assert token not in logging.Formatter().format(failed)
    assert "ValueError" in failed.getMessage()


def test_configure_logging_mutes_httpx_and_filters_every_handler(monkeypatch, capsys) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), logging.getLogger("httpx").level
    named = logging.getLogger("unionbot.test.own")
    own = logging.StreamHandler()
    named.addHandler(own)
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # restored after the test
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    try:
        configure_logging("1:tok", "hook-secret")
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
        everywhere = [*root.handlers, own, logging.lastResort]
        assert all(any(isinstance(f, RedactToken) for f in h.filters) for h in everywhere)
        print("1:tok", "hook-", end="")
        print("secret")  # split over writes, still caught
        sys.stderr.write("and 1:tok\n")
        assert isinstance(sys.stdout, RedactingStream)
    finally:
        for handler in [*root.handlers, own, logging.lastResort]:
            handler.filters = [f for f in handler.filters if not isinstance(f, RedactToken)]
        named.removeHandler(own)
        logging.getLogger("httpx").setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
    captured = capsys.readouterr()
    assert captured.out == "<token> <secret>\n" and captured.err == "and <token>\n"


def test_secrets_redact_the_token_its_secret_half_and_other_secrets() -> None:
    secrets = Secrets.of("123456:AAsecret-half_x", "hook", None)
    assert secrets.redact("https://x/bot123456:AAsecret-half_x/getMe") == "https://x/bot<token>/getMe"
    assert secrets.redact("bot123456%3AAAsecret-half_x") == "bot123456%3A<token>"
    assert secrets.redact("a hook") == "a <secret>"
    assert Secrets.of(None).redact("nothing 123") == "nothing 123"
