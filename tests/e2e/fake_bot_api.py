"""A fake Telegram Bot API on 127.0.0.1, for tests and the load benchmark.

It speaks enough of the Bot API for python-telegram-bot's real stack (Application, Bot,
HTTPXRequest, AIORateLimiter, the polling loop): getMe, getUpdates (long polling), the webhook
calls, sendMessage, editMessageText, answerCallbackQuery, setMyCommands. It records every call,
queues updates for getUpdates (an update stays there until a getUpdates offset above its id
confirms it, as on Telegram), checks what Telegram checks (HTML entities, 4,096 characters,
64-byte callback data) and can reject the token (401, as Telegram does for a revoked one);
tests/e2e/fake_updates.py builds the update JSON a test pushes; tests/e2e/bot_api_calls.py holds
the recorded calls, the faults and the HTML checks.

Faults (`inject`) answer chosen calls of a method badly, once, a few times or always: an error
status (500, 502 with a proxy's HTML page, 429 with retry_after) or a 200 whose body is not JSON
— those calls are *not* carried out, as when Telegram or a proxy in front of it fails — or a
delay, where the call *is* carried out (the message is sent) and only its answer comes late.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot_api_calls import ApiError, Call, Fault, check_html, visible_length
from fake_updates import BOT_USER
from tornado import httpserver, netutil, web

JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "entities", "scope",
               "reply_parameters", "link_preview_options", "chat_id", "message_id", "offset",
               "limit", "timeout", "show_alert", "cache_time", "drop_pending_updates"}


def serve_on_loopback(app: web.Application) -> tuple[httpserver.HTTPServer, int]:
    """Serve `app` on a free 127.0.0.1 port (on the running event loop); the server and port."""
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


class FakeBotApi:
    """One fake Bot API server bound to 127.0.0.1 on a free port."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.counts: Counter[str] = Counter()  # successful calls by method
        self.updates: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}  # method → faults for its next calls
        self.always: dict[str, Fault] = {}  # method → fault for every call until cleared
        self.reject_token = False  # answer every call 401 Unauthorized, as for a revoked token
        self.long_polls = 0  # getUpdates calls waiting for updates right now
        self.chats: dict[int, dict[str, Any]] = {}
        self.handed_out: dict[int, float] = {}  # update id → when getUpdates returned it
        self.keep_calls = True
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(5000)
        self._changed = asyncio.Condition()
        self._server: httpserver.HTTPServer | None = None
        self._stopping = False
        self.port = 0
        self.listeners: list[Callable[[Call], None]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        app = web.Application([(r"/bot([^/]+)/(\w+)", _Endpoint, {"api": self})])
        self._server, self.port = serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._stopping = True
            async with self._changed:
                self._changed.notify_all()
            await self._server.close_all_connections()
            self._server = None

    # ---- test side --------------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        for part in ("message", "edited_message", "callback_query"):
            chat = (update.get(part) or {}).get("chat") or (
                (update.get(part) or {}).get("message") or {}).get("chat")
            if chat:
                self.chats[chat["id"]] = chat
        async with self._changed:
            self.updates.append(update)
            self._changed.notify_all()
        return update["update_id"]

    async def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate(calls) is truthy; return its value."""
        async with asyncio.timeout(timeout), self._changed:
            while not (result := predicate(self.calls)):
                await self._changed.wait()
            return result

    def of(self, method: str, chat_id: int | None = None, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method and c.ok
                and (chat_id is None or c.chat_id == chat_id)]

    def inject(self, method: str, *faults: Fault, always: Fault | None = None) -> None:
        """Answer the next calls of `method` with `faults`, one each, or every call with
        `always` (until `clear`)."""
        self.faults.setdefault(method, []).extend(faults)
        if always is not None:
            self.always[method] = always

    def clear(self, method: str) -> None:
        self.faults.pop(method, None)
        self.always.pop(method, None)

    def fault_for(self, method: str) -> Fault | None:
        queued = self.faults.get(method)
        return queued.pop(0) if queued else self.always.get(method)

    async def pause(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds), self._changed:
                await self._changed.wait_for(lambda: self._stopping)

    # ---- server side -------------------------------------------------------------------------
    async def handle(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            return self._message(method, params)
        if method == "setMyCommands":
            for command in params.get("commands", []):
                if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]) or not (
                        0 < len(command["description"]) <= 256):
                    raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            return True
        return True  # answerCallbackQuery, setWebhook, deleteWebhook, close, ...

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        self.long_polls += 1
        try:
            return await self._wait_for_updates(offset, limit, deadline)
        finally:
            self.long_polls -= 1

    async def _wait_for_updates(self, offset: int, limit: int,
                                deadline: float) -> list[dict[str, Any]]:
        async with self._changed:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or self._stopping:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    break
            batch = self.updates[:limit]
        now = time.monotonic()
        for update in batch:
            self.handed_out.setdefault(update["update_id"], now)
        return batch

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if params.get("parse_mode") == "HTML":
            check_html(text)
        if visible_length(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = params["chat_id"]
        chat = self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "W"})
        message_id = params.get("message_id") or next(self._message_ids)
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                   "from": BOT_USER, "text": text}
        if method == "editMessageText":
            message["edit_date"] = int(time.time())
        return message

    async def record(self, call: Call) -> None:
        for listener in self.listeners:
            listener(call)
        if not self.keep_calls and call.method in ("getUpdates",):
            return
        async with self._changed:
            self.calls.append(call)
            if call.ok:
                self.counts[call.method] += 1
            self._changed.notify_all()


class _Endpoint(web.RequestHandler):
    def initialize(self, api: FakeBotApi) -> None:
        self.api = api
        self.gone = False

    def on_connection_close(self) -> None:
        self.gone = True  # the client gave up waiting (e.g. a read timeout)

    async def post(self, token: str, method: str) -> None:
        params: dict[str, Any] = {}
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(self.request.body or b"{}")
        else:
            for name in self.request.body_arguments:
                value = self.get_body_argument(name)
                params[name] = json.loads(value) if name in JSON_FIELDS else value
        call = Call(method, params)
        if token != self.api.token or self.api.reject_token:
            call.status = 401
            await self.api.record(call)
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        fault = self.api.fault_for(method)
        if fault is not None and fault.refuses:
            await self._refuse(call, fault)
            return
        try:
            result = await self.api.handle(method, params)
        except ApiError as exc:
            call.status = exc.status
            await self.api.record(call)
            body: dict[str, Any] = {"ok": False, "error_code": exc.status,
                                    "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            self._reply(exc.status, body)
            return
        await self.api.record(call)
        if fault is not None:  # carried out; the answer comes late (or never reaches the client)
            await self.api.pause(fault.delay)
        self._reply(200, {"ok": True, "result": result})

    get = post

    async def _refuse(self, call: Call, fault: Fault) -> None:
        call.status, call.refused = fault.status, True
        await self.api.record(call)
        if fault.body is not None:
            self.set_status(fault.status)
            self.finish(fault.body)
            return
        description = {429: f"Too Many Requests: retry after {fault.retry_after}",
                       500: "Internal Server Error"}.get(fault.status, "Bad Gateway")
        body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                                "description": description}
        if fault.retry_after is not None:
            body["parameters"] = {"retry_after": fault.retry_after}
        self._reply(fault.status, body)

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        if self.gone:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))
