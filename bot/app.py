"""The Telegram application: built from the configuration, then run by polling or webhook.

`build_application` only wires: the dialogue core and the store go into `bot_data`, the handlers
come from `handlers/`. `run_bot` (called by `unionbot run` when TELEGRAM_BOT_TOKEN is set) adds
logging that never shows the token, and runs the configured mode.
"""

from __future__ import annotations

import logging
import re

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, Defaults

from bot.config import Config
from bot.dialogue import Dialogue
from bot.ordering import PerChatUpdateProcessor
from bot.storage import Store, load_salt, open_store
from handlers import callbacks, commands, errors, messages, staff
from handlers.context import KEY, Services

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MAX_CONCURRENT_UPDATES = 16  # enough for Telegram's ~30 msg/s at 0.5 s round trips


class ConfigurationError(RuntimeError):
    """The bot cannot start with this configuration (the message says why)."""


def file_base_url(api_base_url: str) -> str:
    """The file download URL matching a Bot API base URL (…/bot → …/file/bot)."""
    return re.sub(r"/bot$", "/file/bot", api_base_url.rstrip("/"))


def build_application(config: Config, *, dialogue: Dialogue | None = None,
                      store: Store | None = None,
                      rate_limiter: BaseRateLimiter | None = None,
                      max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> Application:
    """An Application wired from the configuration (token: TELEGRAM_BOT_TOKEN only)."""
    if not config.token:
        raise ConfigurationError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        Application.builder()
        .token(config.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(file_base_url(config.telegram.api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(rate_limiter or AIORateLimiter(
            max_retries=config.telegram.rate_limit_retries))
        .concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[KEY] = Services(
        dialogue=dialogue if dialogue is not None else Dialogue.load(config),
        store=store if store is not None else open_store(config.db_path),
        salt=load_salt(config.db_path),
        admin_ids=config.telegram.admin_ids,
    )
    application.add_handlers(staff.handlers() + commands.handlers()
                             + callbacks.handlers() + messages.handlers())
    application.add_error_handler(errors.on_error)
    return application


def command_list(services: Services, with_staff: bool) -> list[BotCommand]:
    """The command menu Telegram shows; staff see their commands too."""
    names = list(commands.PUBLIC_COMMANDS) + (list(staff.STAFF_COMMANDS) if with_staff else [])
    return [BotCommand(name, services.dialogue.msg(f"command_{name}")) for name in names]


async def post_init(application: Application) -> None:
    """Register the command menus: everyone's, and each staff member's own."""
    services: Services = application.bot_data[KEY]
    for problem in services.dialogue.problems:  # serving anyway; `unionbot check` lists them
        log.warning("FAQ problem: %s", problem)
    await application.bot.set_my_commands(command_list(services, with_staff=False))
    for admin in sorted(services.admin_ids):
        try:
            await application.bot.set_my_commands(command_list(services, with_staff=True),
                                                  scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # e.g. the staff member has not opened the bot yet
            log.warning("could not set the staff command menu for one admin: %s", exc)
    log.info("bot @%s ready", application.bot.username)


async def post_shutdown(application: Application) -> None:
    """Close the store."""
    await application.bot_data[KEY].store.close()


# ---- running --------------------------------------------------------------------------------
class RedactToken(logging.Filter):
    """Replaces the bot token in every log record (httpx and tracebacks show request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        if self.token in message:
            message = message.replace(self.token, "<token>")
        record.msg, record.args = message, None
        return True


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """Plain logging to stderr with the token redacted; httpx's per-request lines are muted."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers if token else ():
        handler.addFilter(RedactToken(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_application(application: Application, config: Config,
                    handle_signals: bool = True) -> None:
    """Run until stopped, by polling (default) or as a webhook server. Outside the main thread
    pass handle_signals=False and stop it with `application.stop_running()` on its loop."""
    signals = {} if handle_signals else {"stop_signals": None}
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


def run_bot(config: Config) -> None:
    """`unionbot run` with a token: log safely, build, run."""
    configure_logging(config.token or "")
    try:
        run_application(build_application(config), config)
    except ConfigurationError as exc:
        raise SystemExit(f"unionbot: {exc}") from None
