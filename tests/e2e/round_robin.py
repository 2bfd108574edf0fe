"""A small round-robin HTTP proxy on 127.0.0.1: each request goes to the next backend in turn,
as a load balancer in front of webhook replicas would send Telegram's posts. It remembers which
backend got each update, so a test can tell where a conversation went."""

from __future__ import annotations

import contextlib
import itertools
import json

import httpx
from fake_bot_api import serve_on_loopback
from tornado import httpserver, web

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobinProxy:
    """Forward every request to `backends` (base URLs, e.g. http://127.0.0.1:8443) in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.routed: dict[int, int] = {}  # update_id → index of the backend that got it
        self.port = 0
        self._turn = itertools.cycle(range(len(backends)))
        self._server: httpserver.HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> RoundRobinProxy:
        self._client = httpx.AsyncClient(timeout=30)
        self._server, self.port = serve_on_loopback(
            web.Application([(r"/.*", _Forward, {"proxy": self})]))
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def forward(self, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        turn = next(self._turn)
        with contextlib.suppress(ValueError, KeyError, TypeError):  # not an update: forwarded
            self.routed[int(json.loads(body)["update_id"])] = turn
        assert self._client is not None
        return await self._client.post(self.backends[turn] + path, content=body,
                                       headers=headers)


class _Forward(web.RequestHandler):
    def initialize(self, proxy: RoundRobinProxy) -> None:
        self.proxy = proxy

    async def post(self) -> None:
        headers = {name: self.request.headers[name] for name in FORWARDED
                   if name in self.request.headers}
        try:
            answer = await self.proxy.forward(self.request.path, self.request.body, headers)
        except httpx.HTTPError:
            self.set_status(502)
            self.finish()
            return
        self.set_status(answer.status_code)
        self.finish(answer.content)
