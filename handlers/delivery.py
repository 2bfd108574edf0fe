"""The delivery policy: which failed Bot API calls are made again, and what becomes of a reply
that cannot be delivered. Every message the bot sends goes through `deliver`.

Made again here, after 0.3, 0.6 and 1.2 s (each time through the rate limiter), because the
message was not sent:
- an HTTP 5xx answer (`ServerError`): Telegram, or the proxy in front of it, says the call
  failed and hands back no message. (Should Telegram ever have sent it anyway, the worker sees
  it twice: the lesser harm than losing it.)
- a complete 2xx answer whose body is not JSON (`MalformedReply`): the Bot API always answers in
  JSON, so this came from something in between (a proxy, a captive portal) that did not pass
  the call on. A body cut off mid-way is not this: httpx raises, see below.
- a connection that was never made: httpx `ConnectError`, `ConnectTimeout` or `PoolTimeout`
  (python-telegram-bot's `NetworkError`/`TimedOut` caused by them): nothing went out.

Never made again, because the message may have been delivered: a timeout after the request was
sent (httpx `WriteTimeout`, `ReadTimeout` → `TimedOut`), a connection lost mid-way (`ReadError`,
`WriteError`, `RemoteProtocolError`) and any other `NetworkError`. Edits are the exception
(`idempotent`): editing a message to the same text again changes nothing.

429 (`RetryAfter`) belongs to the rate limiter (AIORateLimiter): it waits `retry_after` and tries
again up to `telegram.rate_limit_retries` times, holding back every other call meanwhile, so a
`RetryAfter` that reaches this module is final. 403 (`Forbidden`: the worker blocked the bot or
removed it from the group) is final. 400 (`BadRequest`) means the message itself is wrong, a
bug: it is raised to the error handler, whose apology is short plain text.

A reply that was not (or may not have been) delivered is recorded as `delivery-failed`
(`Service.delivery_failed`), and its chat is owed the `ask_again` notice: sent once, right after
the next message to that chat goes through. The owed notices live in this process's memory
(`Channel.unnotified`); a restart forgets them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Any, TypeVar

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes
from telegram.request import HTTPXRequest

from bot.replies import Reply, ReplyKind
from faq.messages import MessageKey
from handlers.context import channel, handling

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_PAUSES = (0.3, 0.6, 1.2)  # seconds before each new attempt: ≤ 2.1 s in all
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
CONNECTION_POOL_SIZE = 256  # python-telegram-bot's own default for the bot's calls
READ_TIMEOUT = 5.0  # python-telegram-bot's default: how long an answer may take


class ServerError(NetworkError):
    """Telegram, or a proxy in front of it, answered with an HTTP 5xx status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"the Bot API answered HTTP {status}")
        self.status = status


class MalformedReply(NetworkError):
    """An answer whose body is not JSON."""


class Verdict(Enum):
    RETRY = "not sent; worth another try now"
    FAILED = "not sent; another try now would not help"
    UNKNOWN = "may have been sent; never sent again"
    REFUSED = "the chat takes no messages from the bot"
    INVALID = "the message itself is wrong"


def verdict(error: TelegramError, idempotent: bool = False) -> Verdict:
    """What a failed call means for its message (see the module docstring)."""
    if isinstance(error, BadRequest):
        return Verdict.INVALID
    if isinstance(error, Forbidden):
        return Verdict.REFUSED
    if isinstance(error, ServerError | MalformedReply) or isinstance(error.__cause__, NOT_SENT):
        return Verdict.RETRY
    if isinstance(error, NetworkError) and not isinstance(error, RetryAfter):
        return Verdict.RETRY if idempotent else Verdict.UNKNOWN
    return Verdict.FAILED  # RetryAfter after the rate limiter's own tries, InvalidToken, ...


class DeliveryRequest(HTTPXRequest):
    """python-telegram-bot's HTTPXRequest, telling 5xx and non-JSON answers apart from other
    network errors, and noting on the update being handled when a message may have gone out."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=CONNECTION_POOL_SIZE, read_timeout=READ_TIMEOUT)

    async def do_request(self, url: str, method: str, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:
        state = handling.get()
        if state is not None and url.rsplit("/", 1)[-1].startswith("send"):
            state.sent = True  # from here on the worker may see it, whatever happens next
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code >= 500:
            raise ServerError(code)
        return code, payload

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            found = json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise MalformedReply(f"the answer is not JSON ({len(payload)} bytes)") from exc
        if not isinstance(found, dict):
            raise MalformedReply("the answer is not a JSON object")
        return found


def describe(error: BaseException) -> str:
    cause = error.__cause__
    return f"{type(error).__name__}: {error}" + (f" ({type(cause).__name__})" if cause else "")


async def attempt(call: Callable[[], Awaitable[T]], idempotent: bool = False) -> T:
    """`call()`, made again after a short pause while its error says nothing was sent."""
    for pause in RETRY_PAUSES:
        try:
            return await call()
        except TelegramError as exc:
            if verdict(exc, idempotent) is not Verdict.RETRY:
                raise
            log.info("a Bot API call failed (%s); trying again in %.1f s", describe(exc), pause)
        await asyncio.sleep(pause)
    return await call()


async def deliver(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                  calls: Sequence[Callable[[], Awaitable[T]]], reply: Reply | None,
                  idempotent: bool = False) -> list[T]:
    """Make the calls that show one reply in order, under the policy; on success send an owed
    notice; on failure record it and owe one. A `BadRequest` is raised (a bug)."""
    done: list[T] = []
    try:
        for call in calls:
            done.append(await attempt(call, idempotent))
    except TelegramError as exc:
        await undelivered(context, chat_id, reply, verdict(exc, idempotent), exc)
        return done
    except asyncio.CancelledError:  # cut off by the shutdown deadline
        state = handling.get()
        if state is not None and state.sent:  # it is not handed back: Telegram will not resend
            await undelivered(context, chat_id, reply, Verdict.UNKNOWN, None)
        raise
    await send_owed_notice(context, chat_id)
    return done


async def undelivered(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply | None,
                      kind: Verdict, error: TelegramError | None) -> None:
    """Record a reply that did not (or may not) reach the chat, and owe the chat a notice."""
    if kind is Verdict.INVALID and error is not None:
        raise error
    log.warning("a reply was not delivered (%s): %s", kind.name,
                describe(error) if error else "cut off by the shutdown")
    found = channel(context)
    state = handling.get()
    await found.service.delivery_failed(state.user_id if state else None,
                                        reply or Reply(kind=ReplyKind.INFO, text=""))
    if kind is not Verdict.REFUSED:
        found.unnotified.add(chat_id)


async def send_owed_notice(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """The ask-again notice, once, if this chat is owed one (it stays owed while not sent)."""
    found = channel(context)
    if chat_id not in found.unnotified:
        return
    found.unnotified.discard(chat_id)
    text = found.service.dialogue.msg(MessageKey.ASK_AGAIN)
    try:
        await attempt(lambda: context.bot.send_message(chat_id, text, parse_mode=None))
    except TelegramError as exc:
        if verdict(exc) in (Verdict.RETRY, Verdict.FAILED):
            found.unnotified.add(chat_id)
        log.info("could not send the ask-again notice: %s", describe(exc))
