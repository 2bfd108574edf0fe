"""How updates arrive: PTB's Updater with a stricter webhook server, and a watch on polling.

PTB's built-in webhook handler reads the whole request body before it looks at the secret
header, and answers malformed JSON with 500: eight 90 MiB posts without the secret took the bot
to 857 MiB. `UpdateHandler` streams the body instead, so it decides on the headers: a wrong or
missing secret gets 403 and a body over `MAX_BODY_BYTES` gets 413 (a large body is never read:
the connection is closed), and only an accepted body is kept; malformed JSON gets 400.
Accepted updates go into the Application's update queue exactly as PTB's handler puts them, so
the normal processing (ordering, handlers) is unchanged.

Polling: when Telegram rejects the token while the bot runs (revoked), the polling loop ends
and the process would idle forever; `GuardedUpdater._polling_ended` notices and calls
`on_token_rejected` (handlers/polling.py runs the polling loop and watches it).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from socket import socket
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.error import InvalidToken
from telegram.ext import ExtBot, Updater
from telegram.ext._utils.webhookhandler import WebhookServer
from tornado.http1connection import HTTP1Connection

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1 << 20  # Telegram's updates are a few KiB; 1 MiB leaves ample room
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """One POSTed update. The secret and the size are checked on the headers, before any of the
    body is read; only an accepted body is kept, and only up to the cap."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Bot, update_queue: asyncio.Queue[object],
                   secret_token: str | None, max_body: int) -> None:
        self.bot, self.update_queue = bot, update_queue
        self.secret_token, self.max_body = secret_token, max_body
        self.body = bytearray()
        self.refusal: HTTPStatus | None = None

    def prepare(self) -> None:
        """Decide on the headers alone. A refused request with a large or unknown body is
        answered at once, which makes tornado close the connection instead of reading the
        body; a small one (at most the cap) is drained unkept and answered after, so that a
        plain client reads the answer instead of a connection reset."""
        length = self.request.headers.get("Content-Length", "")
        declared = int(length) if length.isdigit() else None
        given = self.request.headers.get(SECRET_HEADER, "")
        if self.secret_token is not None and not hmac.compare_digest(
                given.encode(), self.secret_token.encode()):
            self.refusal = HTTPStatus.FORBIDDEN
        elif declared is not None and declared > self.max_body:
            self.refusal = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        if self.refusal is not None and (declared is None or declared > self.max_body):
            self._refuse(self.refusal)
        elif isinstance(self.request.connection, HTTP1Connection):
            self.request.connection.set_max_body_size(self.max_body)  # a chunked body too

    def data_received(self, chunk: bytes) -> None:
        if self.refusal is None and not self._finished:
            self.body += chunk

    async def post(self) -> None:
        if self.refusal is not None:
            self._refuse(self.refusal)
            return
        try:
            data = json.loads(self.body)
            update = Update.de_json(data, self.bot) if isinstance(data, dict) else None
        except Exception as exc:  # noqa: BLE001 - any malformed body is the sender's fault
            log.warning("webhook: refused a malformed update (%s)", type(exc).__name__)
            update = None
        if update is None:
            self._refuse(HTTPStatus.BAD_REQUEST)
            return
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        await self.update_queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish()

    def _refuse(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.finish()

    def log_exception(self, *args: Any) -> None:
        """tornado would log the request, headers included; a refusal is not news."""


class WebhookApp(tornado.web.Application):
    def __init__(self, path: str, bot: Bot, update_queue: asyncio.Queue[object],
                 secret_token: str | None, max_body: int = MAX_BODY_BYTES) -> None:
        shared = {"bot": bot, "update_queue": update_queue, "secret_token": secret_token,
                  "max_body": max_body}
        super().__init__([(rf"{path}/?", UpdateHandler, shared)])

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the bot logs what matters itself."""


class GuardedUpdater(Updater):
    """PTB's Updater with `UpdateHandler` as its webhook server; a polling task that ends on a
    rejected token reports it through `on_token_rejected` (see `_polling_ended`)."""

    def __init__(self, bot: Bot, update_queue: asyncio.Queue[object]) -> None:
        super().__init__(bot, update_queue)
        self.token_rejected = False
        self.on_token_rejected: Callable[[], None] | None = None

    async def stop(self) -> None:
        """Stop as PTB does; after a rejected token, the polling task's InvalidToken (which PTB
        re-raises here) must not keep the Application from shutting down and closing the
        store."""
        try:
            await super().stop()
        except InvalidToken:
            if not self.token_rejected:
                raise

    def _polling_ended(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and isinstance(task.exception(), InvalidToken):
            self.token_rejected = True
            if self.on_token_rejected is not None:
                self.on_token_rejected()

    async def _start_webhook(  # PTB's own signature
            self, listen: str, port: int, url_path: str, bootstrap_retries: int,
            allowed_updates: Any, cert: str | Path | None = None, key: str | Path | None = None,
            drop_pending_updates: bool | None = None, webhook_url: str | None = None,
            ready: asyncio.Event | None = None, ip_address: str | None = None,
            max_connections: int = 40, secret_token: str | None = None,
            unix: str | Path | socket | None = None) -> None:
        """PTB's `_start_webhook` with our server; TLS and unix sockets are the reverse proxy's
        business here, so they are refused rather than half supported."""
        if cert or key or unix:
            raise ValueError("the webhook server takes plain HTTP on listen:port only")
        path = "/" + url_path.lstrip("/")
        app = WebhookApp(path, self.bot, self.update_queue, secret_token)
        self._httpd = WebhookServer(listen, port, app, None)  # type: ignore[arg-type]
        await self._bootstrap(
            max_retries=bootstrap_retries, drop_pending_updates=drop_pending_updates,
            webhook_url=webhook_url or self._gen_webhook_url("http", listen, port, path),
            allowed_updates=allowed_updates, ip_address=ip_address,
            max_connections=max_connections, secret_token=secret_token)
        await self._httpd.serve_forever(ready=ready)
