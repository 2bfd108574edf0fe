"""Configuration: config.yaml plus the environment (secrets and deployment overrides only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.check import CheckConfig
from faq.knowledge import FaqPaths, MatchConfig
from faq.matcher import MatchSettings
from faq.yamlfile import YamlError, read_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """The configuration file is missing or malformed."""


@dataclass(frozen=True)
class Contact:
    name: str
    value: str


@dataclass(frozen=True)
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "telegram"
    url: str = ""
    secret_token: str | None = None


@dataclass(frozen=True)
class TelegramConfig:
    api_base_url: str = DEFAULT_API_BASE_URL
    mode: str = "polling"
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    admin_ids: frozenset[int] = frozenset()
    rate_limit_retries: int = 3


@dataclass(frozen=True)
class Config:
    path: Path
    faq: FaqPaths
    match: MatchConfig
    check: CheckConfig
    contacts: tuple[Contact, ...]
    telegram: TelegramConfig
    db_path: Path
    token: str | None = None  # from TELEGRAM_BOT_TOKEN only; never printed

    def __repr__(self) -> str:  # keep the token out of any log or traceback
        return f"Config(path={str(self.path)!r})"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else UNIONBOT_CONFIG, else the shipped config.yaml."""
    chosen = explicit or os.environ.get("UNIONBOT_CONFIG") or DEFAULT_CONFIG
    return Path(chosen)


def load_config(explicit: str | os.PathLike[str] | None = None,
                env: dict[str, str] | None = None) -> Config:
    """Read the configuration file and apply the environment's overrides."""
    env = dict(os.environ) if env is None else env
    path = config_path(explicit)
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(exc.problem)) from exc
    data = doc.data or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    base = path.resolve().parent

    def section(name: str) -> dict[str, Any]:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"{path}:{doc.line(name)}: '{name}' must be a mapping")
        return value

    def rel(value: Any) -> Path | None:
        return (base / str(value)).resolve() if value else None

    faq_section = section("faq")
    faq = FaqPaths(
        entries=rel(faq_section.get("entries", "faq/data/entries")),
        synonyms=rel(faq_section.get("synonyms")),
        flows=rel(faq_section.get("flows")),
        messages=rel(faq_section.get("messages")),
        source_document=rel(faq_section.get("source_document")),
        base=base,
    )
    m = section("matching")
    defaults = MatchSettings()
    try:
        match = MatchConfig(
            settings=MatchSettings(**{
                name: type(getattr(defaults, name))(m[name])
                for name in defaults.__dataclass_fields__ if name in m
            }),
            fillers=tuple(str(w) for w in m.get("filler_words", [])),
            max_query_chars=int(m.get("max_query_chars", 300)),
        )
        c = section("check")
        check = CheckConfig(
            min_alternates=int(c.get("min_alternates", 8)),
            max_answer_chars=int(c.get("max_answer_chars", 600)),
            max_button_label_chars=int(c.get("max_button_label_chars", 20)),
        )
        t = section("telegram")
        w = t.get("webhook") or {}
        admin_ids = {int(x) for x in t.get("admin_ids") or []}
        if env.get("UNIONBOT_ADMIN_IDS"):
            admin_ids = {int(x) for x in env["UNIONBOT_ADMIN_IDS"].split(",") if x.strip()}
        telegram = TelegramConfig(
            api_base_url=env.get("TELEGRAM_API_BASE_URL")
            or str(t.get("api_base_url") or DEFAULT_API_BASE_URL),
            mode=str(t.get("mode", "polling")),
            webhook=WebhookConfig(
                listen=str(w.get("listen", "127.0.0.1")),
                port=int(w.get("port", 8443)),
                path=str(w.get("path", "telegram")).strip("/"),
                url=str(w.get("url", "")),
                secret_token=env.get("UNIONBOT_WEBHOOK_SECRET") or None,
            ),
            admin_ids=frozenset(admin_ids),
            rate_limit_retries=int(t.get("rate_limit_retries", 3)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: bad value: {exc}") from exc
    contacts = tuple(
        Contact(str(item.get("name", "")), str(item.get("value", "")))
        for item in data.get("contacts") or []
        if isinstance(item, dict)
    )
    storage = section("storage")
    db = env.get("UNIONBOT_DB") or storage.get("db_path", "data/unionbot.sqlite3")
    return Config(
        path=path, faq=faq, match=match, check=check, contacts=contacts, telegram=telegram,
        db_path=Path(db) if env.get("UNIONBOT_DB") else rel(db),
        token=env.get("TELEGRAM_BOT_TOKEN") or None,
    )


def contacts_text(contacts: tuple[Contact, ...]) -> str:
    """The contacts block inserted for {contacts}."""
    return "\n".join(f"• {c.name}：{c.value}" for c in contacts)
