"""The two run modes as `unionbot run` starts them (`run_application`: run_polling or
run_webhook), each in its own thread and event loop, against the fake Bot API on 127.0.0.1; and
the webhook server's limits (secret before body, body size, malformed JSON)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from e2e_harness import WAIT, listening
from fake_bot_api import FakeBotApi
from fake_updates import text_update
from telegram.ext import Application

from bot.config import Config
from handlers.app import ConfigurationError, build_application, run_application
from handlers.context import KEY
from handlers.webhook import MAX_BODY_BYTES, SECRET_HEADER

WORKER = 3001
SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def running(application: Application, config: Config) -> AsyncIterator[threading.Thread]:
    """Run the application as `unionbot run` would, in a thread; stop it gracefully after."""
    box: dict[str, asyncio.AbstractEventLoop] = {}
    errors: list[BaseException] = []

    def main() -> None:
        box["loop"] = loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            run_application(application, config, handle_signals=False)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    thread = threading.Thread(target=main, name="bot", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        loop = box.get("loop")
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(application.stop_running)
        await asyncio.to_thread(thread.join, WAIT)  # the fake API lives on this loop: keep it free
    assert not thread.is_alive(), "the bot did not stop"
    assert not errors, errors


async def test_polling_loop(make_config: Callable[..., Config], api: FakeBotApi) -> None:
    config = make_config()
    application = build_application(config)
    async with running(application, config):
        await api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), WAIT)
        await api.push(text_update(WORKER, "/start"))
        reply = (await api.wait_for(lambda _: api.of("sendMessage", WORKER), WAIT))[0]
        assert reply.payloads()
        await api.push(text_update(WORKER, "/help"))
        await api.wait_for(lambda _: len(api.of("sendMessage", WORKER)) == 2, WAIT)
    methods = [c.method for c in api.calls]
    assert methods.index("getMe") < methods.index("setMyCommands") < methods.index("sendMessage")
    assert "deleteWebhook" in methods  # polling bootstraps by dropping any webhook
    polls = [c for c in api.calls if c.method == "getUpdates"]
    assert json.loads(json.dumps(polls[-1].params))["offset"] > 0  # updates were acknowledged


def webhook_config(make_config: Callable[..., Config], workspace: Path) -> Config:
    """Webhook mode on a free port, with the secret set."""
    port = free_port()
    config_file = workspace / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    text = text.replace("mode: polling", "mode: webhook").replace("port: 8443", f"port: {port}")
    config_file.write_text(text, encoding="utf-8")
    config = make_config(UNIONBOT_WEBHOOK_SECRET=SECRET)
    assert config.telegram.mode == "webhook" and config.telegram.webhook.port == port
    return config


async def test_webhook_checks_the_secret_token(make_config: Callable[..., Config],
                                               api: FakeBotApi, workspace: Path) -> None:
    config = webhook_config(make_config, workspace)
    application = build_application(config)
    url = f"http://127.0.0.1:{config.telegram.webhook.port}/{config.telegram.webhook.path}"
    async with running(application, config):
        hook = await api.wait_for(lambda _: api.of("setWebhook"), WAIT)
        assert hook[0].params["secret_token"] == SECRET
        assert hook[0].params["url"] == url
        await listening(url)
        async with httpx.AsyncClient(timeout=WAIT) as client:
            refused = text_update(WORKER, "/start")
            refused["update_id"] = 1
            wrong = await client.post(url, json=refused,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            missing = await client.post(url, json=refused)
            assert (wrong.status_code, missing.status_code) == (403, 403)

            accepted = text_update(WORKER, "/help")
            accepted["update_id"] = 2
            right = await client.post(url, json=accepted,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert right.status_code == 200
        reply = (await api.wait_for(lambda _: api.of("sendMessage", WORKER), WAIT))[0]
        await asyncio.sleep(0.2)
        assert len(api.of("sendMessage", WORKER)) == 1  # the refused update was not processed
        help_text = application.bot_data[KEY].service.dialogue.command("help").text
        assert reply.text.startswith(help_text.strip()[:10])


async def test_webhook_needs_a_secret(make_config: Callable[..., Config],
                                      workspace: Path) -> None:
    config_file = workspace / "config.yaml"
    text = config_file.read_text(encoding="utf-8").replace("mode: polling", "mode: webhook")
    config_file.write_text(text, encoding="utf-8")
    config = make_config()
    application = build_application(config)
    with pytest.raises(ConfigurationError, match="UNIONBOT_WEBHOOK_SECRET"):
        run_application(application, config, handle_signals=False)
    await application.bot_data[KEY].service.close()


async def stalled_post(port: int, path: str, declared: int, sent: bytes,
                       secret: str | None) -> tuple[str, bytes]:
    """POST headers declaring a `declared`-byte body, send only `sent`, then stall: the status
    line and whatever else the server sends before it closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"POST /{path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
            f"Content-Length: {declared}"] + ([f"{SECRET_HEADER}: {secret}"] if secret else [])
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + sent)
    await writer.drain()
    try:
        async with asyncio.timeout(WAIT):  # a server reading the body would wait here forever
            status = (await reader.readline()).decode().strip()
            rest = await reader.read()  # EOF: the server closed the connection unread
    finally:
        writer.close()
    return status, rest


async def test_webhook_refuses_before_reading_the_body(make_config: Callable[..., Config],
                                                        api: FakeBotApi, workspace: Path) -> None:
    config = webhook_config(make_config, workspace)
    hook = config.telegram.webhook
    url = f"http://127.0.0.1:{hook.port}/{hook.path}"
    application = build_application(config)
    huge = 90 * 1024 * 1024
    async with running(application, config), httpx.AsyncClient(timeout=WAIT) as client:
        await listening(f"http://127.0.0.1:{hook.port}/{hook.path}")
        for secret in ("wrong", None):
            status, _ = await stalled_post(hook.port, hook.path, huge, b"{" * 1024, secret)
            assert status.startswith("HTTP/1.1 403"), status
        status, _ = await stalled_post(hook.port, hook.path, MAX_BODY_BYTES + 1, b"{", SECRET)
        assert status.startswith("HTTP/1.1 413"), status
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        for body in (b"{not json", b"[]", b"{}", b'{"update_id": "x", "message": 5}',
                     "\ud800".encode("utf-8", "surrogatepass")):
            refused = await client.post(url, content=body, headers=headers)
            assert refused.status_code == 400, (body, refused.status_code)
        update = text_update(WORKER, "/help")
        update["update_id"] = 7
        accepted = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
        assert accepted.status_code == 200
        reply = (await api.wait_for(lambda _: api.of("sendMessage", WORKER), WAIT))[0]
    help_text = application.bot_data[KEY].service.dialogue.command("help").text
    assert reply.text.startswith(help_text.strip()[:10])
    assert len(api.of("sendMessage")) == 1  # nothing refused was processed
