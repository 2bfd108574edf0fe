"""The Telegram channel's application: built from the configuration, run by polling or webhook.

`build_application` only wires: the channel-free service (dialogue and records) goes into
`bot_data`, the handlers come from this package, updates arrive through `GuardedUpdater`
(handlers/webhook.py). `run` (the `telegram` entry point of `unionbot run`, called when
TELEGRAM_BOT_TOKEN is set) redacts the secrets from all output, runs the configured mode, and
turns a rejected token or another Bot API failure that stops the bot into one line and exit
status 1.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, Defaults

from bot.config import Config
from bot.loading import open_dialogue
from bot.ratelimit import RateLimiter
from bot.service import Service, payload_key
from bot.storage import Store, load_salt, open_store
from faq.messages import MessageKey
from handlers import callbacks, commands, errors, messages, staff
from handlers.context import KEY, Channel
from handlers.delivery import DeliveryRequest
from handlers.ledger import Ledger, TrackedProcessor
from handlers.logs import configure_logging
from handlers.ordering import PerChatUpdateProcessor
from handlers.polling import PollingUpdater
from handlers.webhook import GuardedUpdater

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MAX_CONCURRENT_UPDATES = 16  # enough for Telegram's ~30 msg/s at 0.5 s round trips
TOKEN_REJECTED = ("unionbot: Telegram rejected the bot token (TELEGRAM_BOT_TOKEN). Check it "
                  "with @BotFather (/mybots → API Token) and set the current one.")


class ConfigurationError(RuntimeError):
    """The bot cannot start with this configuration (the message says why)."""


def file_base_url(api_base_url: str) -> str:
    """The file download URL matching a Bot API base URL (…/bot → …/file/bot)."""
    return re.sub(r"/bot$", "/file/bot", api_base_url.rstrip("/"))


def build_service(config: Config, store: Store | None = None) -> Service:
    """The service for this bot: content checked (ContentError if broken), records opened
    (StorageError, in one line, if they cannot be used), each worker's pace limited (config
    `limits`)."""
    salt = load_salt(config.store_location, config.salt)
    dialogue = open_dialogue(config, key=payload_key(salt))
    return Service(dialogue, store if store is not None else open_store(config.store_location),
                   salt, RateLimiter(config.limits))


def build_application(config: Config, *, service: Service | None = None,
                      rate_limiter: BaseRateLimiter[Any] | None = None,
                      max_concurrent_updates: int = MAX_CONCURRENT_UPDATES
                      ) -> Application:  # type: ignore[type-arg]
    """An Application wired from the configuration (token: TELEGRAM_BOT_TOKEN only)."""
    if not config.token:
        raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set")
    ledger = Ledger()  # what polling may confirm, and what a stop hands back
    application = (
        Application.builder()
        .token(config.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(file_base_url(config.telegram.api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .request(DeliveryRequest())
        .rate_limiter(rate_limiter or AIORateLimiter(
            max_retries=config.telegram.rate_limit_retries))
        .concurrent_updates(TrackedProcessor(PerChatUpdateProcessor(max_concurrent_updates),
                                             ledger))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    updater = PollingUpdater(application.bot, application.update_queue, ledger,
                             config.telegram.shutdown_seconds, config.db_path)
    updater.on_token_rejected = application.stop_running
    application.updater = updater
    application.bot_data[KEY] = Channel(service or build_service(config),
                                        config.telegram.admin_ids)
    application.add_handlers(staff.handlers() + commands.handlers()
                             + callbacks.handlers() + messages.handlers())
    application.add_error_handler(errors.on_error)
    return application


def command_list(channel: Channel, with_staff: bool) -> list[BotCommand]:
    """The command menu Telegram shows; staff see their commands too."""
    names = list(commands.PUBLIC_COMMANDS) + (list(staff.STAFF_COMMANDS) if with_staff else [])
    dialogue = channel.service.dialogue
    return [BotCommand(name, dialogue.msg(MessageKey(f"command_{name}"))) for name in names]


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Register the command menus: everyone's, and each staff member's own."""
    channel: Channel = application.bot_data[KEY]
    channel.service.start_housekeeping()  # expired records go now and daily
    for problem in channel.service.dialogue.problems:  # warnings only: errors refuse start-up
        log.warning("FAQ: %s", problem)
    await application.bot.set_my_commands(command_list(channel, with_staff=False))
    for admin in sorted(channel.admin_ids):
        try:
            await application.bot.set_my_commands(command_list(channel, with_staff=True),
                                                  scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # e.g. the staff member has not opened the bot yet
            log.warning("could not set the staff command menu for one admin: %s", exc)
    log.info("bot @%s ready", application.bot.username)


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Close the store (writes what is buffered)."""
    channel: Channel = application.bot_data[KEY]
    await channel.service.close()


def run_application(application: Application, config: Config,  # type: ignore[type-arg]
                    handle_signals: bool = True) -> None:
    """Run until stopped, by polling (default) or as a webhook server. Outside the main thread
    pass handle_signals=False and stop it with `application.stop_running()` on its loop."""
    signals: dict[str, Any] = {} if handle_signals else {"stop_signals": None}
    telegram = config.telegram
    if telegram.mode == "webhook":
        hook = telegram.webhook
        if not hook.secret_token:
            raise ConfigurationError("webhook mode needs UNIONBOT_WEBHOOK_SECRET")
        if not hook.url:
            log.warning("telegram.webhook.url is empty: Telegram cannot reach the bot")
        application.run_webhook(listen=hook.listen, port=hook.port, url_path=hook.path,
                                webhook_url=hook.url or None, secret_token=hook.secret_token,
                                allowed_updates=ALLOWED_UPDATES, **signals)
    elif telegram.mode == "polling":
        application.run_polling(allowed_updates=ALLOWED_UPDATES, **signals)
    else:
        raise ConfigurationError(f"telegram.mode must be polling or webhook, not {telegram.mode!r}")


def run(config: Config) -> int:
    """`unionbot run` with a token: redact the secrets from all output, build, run. A rejected
    token (at start-up, or revoked while polling) or another Bot API error that stops the bot
    (e.g. unreachable at start-up) ends the process with one line and status 1, never a
    traceback (PTB's InvalidToken holds the token)."""
    configure_logging(config.token, config.telegram.webhook.secret_token)
    try:
        application = build_application(config)
        run_application(application, config)
    except ConfigurationError as exc:
        raise SystemExit(f"unionbot: {exc}") from None
    except InvalidToken:
        raise SystemExit(TOKEN_REJECTED) from None
    except TelegramError as exc:  # e.g. the Bot API unreachable at start-up
        raise SystemExit(f"unionbot: stopped by a Telegram Bot API error "
                         f"({type(exc).__name__}): {exc}") from None
    if isinstance(application.updater, GuardedUpdater) and application.updater.token_rejected:
        raise SystemExit(TOKEN_REJECTED)
    return 0
