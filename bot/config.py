"""Configuration: config.yaml plus the environment (secrets and deployment overrides only).

Every default lives once, in the dataclasses below; config.yaml overrides them field by field,
and the environment overrides what a deployment must set without editing the file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.storage.base import is_shared
from faq.contacts import Contact
from faq.content import FaqPaths
from faq.fields import id_rule, is_text, unknown_field_message, unknown_fields, valid_id
from faq.knowledge import MatchConfig
from faq.layout import CheckConfig
from faq.matcher import MatchSettings
from faq.sources import DEFAULT_SHORT, SourceDoc
from faq.yamlfile import YamlDoc, YamlError, read_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"
T = TypeVar("T")


class ConfigError(Exception):
    """The configuration file is missing or malformed."""


# Where a worker is sent when the report is silent, unless config.yaml lists its own.
DEFAULT_CONTACTS = (Contact("全国职工服务热线", "12351"),)
CONTACT_FIELDS = {"name", "value", "phone", "hours"}
SOURCE_FIELDS = {"id", "file", "title", "short", "date"}


@dataclass(frozen=True)
class FaqFiles:
    """Where the FAQ files are, relative to config.yaml."""

    entries: str = "faq/data/entries"
    synonyms: str = "faq/data/synonyms.yaml"
    flows: str = "faq/data/flows"
    messages: str = "faq/data/messages.yaml"
    silent: str = "faq/data/silent.yaml"


@dataclass(frozen=True)
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "telegram"
    url: str = ""
    secret_token: str | None = None  # UNIONBOT_WEBHOOK_SECRET only


@dataclass(frozen=True)
class TelegramConfig:
    api_base_url: str = "https://api.telegram.org/bot"
    mode: str = "polling"
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    admin_ids: frozenset[int] = frozenset()
    rate_limit_retries: int = 3
    shutdown_seconds: float = 8.0  # from a stop signal to exit; a supervisor must wait longer


MIN_SHUTDOWN_SECONDS = 2.0  # room to confirm the handled updates and write the records


@dataclass(frozen=True)
class LimitsConfig:
    """How fast one worker may go (per replica): a bucket of `*_burst` refilled at
    `*_per_minute`; 0 per minute switches that limit off. Commands count as messages."""

    messages_per_minute: int = 20
    message_burst: int = 10
    buttons_per_minute: int = 60
    button_burst: int = 20

    def __post_init__(self) -> None:
        for name, value in dataclasses.asdict(self).items():
            if value < 0:
                raise ValueError(f"limits.{name} must not be negative")


@dataclass(frozen=True)
class StorageConfig:
    db_path: str = "data/unionbot.sqlite3"  # the SQLite file; also UNIONBOT_DB
    url: str = ""  # postgresql://… selects PostgreSQL instead; also UNIONBOT_DB_URL
    # Questions and events older than this many days are deleted (at start-up and daily while
    # running); 0 keeps them for ever. Workers' words are personal data: keep no more than needed.
    retention_days: int = 180


@dataclass(frozen=True)
class Config:
    path: Path
    faq: FaqPaths
    match: MatchConfig
    check: CheckConfig
    contacts: tuple[Contact, ...]
    telegram: TelegramConfig
    db_path: Path
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    db_url: str = ""  # a PostgreSQL URL (may hold a password); empty: the SQLite file
    token: str | None = None  # from TELEGRAM_BOT_TOKEN only; never printed
    salt: str | None = None  # from UNIONBOT_SALT only; never printed
    storage: StorageConfig = field(default_factory=StorageConfig)

    def __repr__(self) -> str:  # keep the token, salt and database password out of any log
        return f"Config(path={str(self.path)!r})"

    @property
    def store_location(self) -> str | Path:
        """Where the records are: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.db_url or self.db_path


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else UNIONBOT_CONFIG, else the shipped config.yaml."""
    chosen = explicit or os.environ.get("UNIONBOT_CONFIG") or DEFAULT_CONFIG
    return Path(chosen)


def load_config(explicit: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration file and apply the environment's overrides."""
    env = dict(os.environ) if env is None else env
    path = config_path(explicit)
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(exc.problem)) from exc
    if doc.data is not None and not isinstance(doc.data, dict):
        raise ConfigError(f"{path}: 设置文件要写成「名称: 值」的映射")
    reader = _Reader(doc, path)
    try:
        return _build(reader, path, env)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: 有一个值不对：{exc}") from exc


def _build(reader: _Reader, path: Path, env: Mapping[str, str]) -> Config:
    base = path.resolve().parent

    def rel(value: str) -> Path | None:
        return (base / value).resolve() if value else None

    files = reader.dataclass(FaqFiles, "faq")
    entries = rel(files.entries)
    assert entries is not None
    faq = FaqPaths(entries=entries, synonyms=rel(files.synonyms), flows=rel(files.flows),
                   messages=rel(files.messages), sources=reader.sources(rel),
                   silent=rel(files.silent), base=base, config=path.name)
    matching = reader.section("matching")
    match = MatchConfig(
        settings=reader.dataclass(MatchSettings, "matching"),
        fillers=tuple(str(w) for w in matching.get("filler_words") or ()),
        max_query_chars=int(matching.get("max_query_chars", MatchConfig.max_query_chars)))
    storage = reader.dataclass(StorageConfig, "storage")
    db = env.get("UNIONBOT_DB")
    url = env.get("UNIONBOT_DB_URL") or storage.url
    if url and not is_shared(url):
        raise ConfigError(f"{path}: storage.url / UNIONBOT_DB_URL must start with "
                          f"postgresql:// (leave it empty for the SQLite file)")
    return Config(
        path=path, faq=faq, match=match, check=reader.dataclass(CheckConfig, "check"),
        contacts=reader.contacts(), telegram=_telegram(reader, env),
        db_path=Path(db) if db else (base / storage.db_path).resolve(), db_url=url,
        limits=reader.dataclass(LimitsConfig, "limits"),
        token=env.get("TELEGRAM_BOT_TOKEN") or None, salt=env.get("UNIONBOT_SALT") or None,
        storage=storage)


def _telegram(reader: _Reader, env: Mapping[str, str]) -> TelegramConfig:
    section = reader.section("telegram")
    hook = reader.dataclass(WebhookConfig, "telegram", "webhook")
    hook = dataclasses.replace(hook, path=hook.path.strip("/"),
                               secret_token=env.get("UNIONBOT_WEBHOOK_SECRET") or None)
    ids = env.get("UNIONBOT_ADMIN_IDS")
    admin_ids = [x for x in ids.split(",") if x.strip()] if ids else section.get("admin_ids") or []
    telegram = reader.dataclass(TelegramConfig, "telegram", skip={"webhook", "admin_ids"})
    if not telegram.shutdown_seconds >= MIN_SHUTDOWN_SECONDS:
        raise ConfigError(f"{reader.path}:{reader.doc.line('telegram', 'shutdown_seconds')}: "
                          f"telegram.shutdown_seconds must be at least {MIN_SHUTDOWN_SECONDS:g}")
    return dataclasses.replace(
        telegram, webhook=hook, admin_ids=frozenset(int(x) for x in admin_ids),
        api_base_url=env.get("TELEGRAM_API_BASE_URL") or telegram.api_base_url)


@dataclass
class _Reader:
    doc: YamlDoc
    path: Path

    def section(self, *keys: str) -> dict[str, Any]:
        value: Any = self.doc.data or {}
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
            value = {} if value is None else value
            if not isinstance(value, dict):
                raise ConfigError(f"{self.path}:{self.doc.line(*keys)}: "
                                  f"{'.'.join(keys)} 要写成「名称: 值」的映射")
        return dict(value)

    def dataclass(self, cls: type[T], *keys: str, skip: frozenset[str] | set[str] = frozenset()
                  ) -> T:
        """An instance of `cls` with the section's values over the class defaults."""
        values = self.section(*keys)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in values and f.name not in skip and values[f.name] is not None:
                default = getattr(cls(), f.name)
                kind = type(default) if isinstance(default, (int, float, str)) else str
                if isinstance(default, bool):
                    kind = bool
                kwargs[f.name] = kind(values[f.name])
        return cls(**kwargs)

    def at(self, *key: str | int) -> str:
        return f"{self.path}:{self.doc.line(*key)}"

    def items(self, *key: str) -> list[tuple[int, dict[str, Any]]]:
        """A list of mappings (contacts, faq.sources), each with its index."""
        value: Any = self.doc.data or {}
        for part in key:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, list) or not value \
                or not all(isinstance(item, dict) for item in value):
            raise ConfigError(f"{self.at(*key)}: {'.'.join(key)} 要写成一个列表，每项是一个映射")
        return list(enumerate(value))

    def contacts(self) -> tuple[Contact, ...]:
        """`contacts:` — name and value (or phone) each, hours optional."""
        if "contacts" not in (self.doc.data or {}):
            return DEFAULT_CONTACTS
        found = []
        for i, item in self.items("contacts"):
            value = item.get("value", item.get("phone"))
            self.known(item, CONTACT_FIELDS, "contacts", i)
            if not is_text(item.get("name")) or not is_text(value):
                raise ConfigError(f"{self.at('contacts', i)}: 每个联系方式都要有 name（名称）和 "
                                  "value 或 phone（电话或地址）")
            found.append(Contact(str(item["name"]).strip(), str(value).strip(),
                                 str(item.get("hours") or "").strip()))
        return tuple(found)

    def sources(self, rel: Callable[[str], Path | None]) -> tuple[SourceDoc, ...]:
        """`faq.sources` (id, file, title, short, date), or the older single
        `faq.source_document` as the one default document."""
        faq = self.section("faq")
        if "sources" not in faq:
            legacy = faq.get("source_document")
            return (SourceDoc("report", rel(str(legacy)), Path(str(legacy)).stem,
                              file=self.path.name, line=self.doc.line("faq", "source_document")),
                    ) if legacy else ()
        docs: list[SourceDoc] = []
        for i, item in self.items("faq", "sources"):
            self.known(item, SOURCE_FIELDS, "faq", "sources", i)
            if not valid_id(item.get("id")) or any(d.id == item["id"] for d in docs):
                raise ConfigError(f"{self.at('faq', 'sources', i)}: 来源的 id 不能重复，"
                                  f"{id_rule()}")
            if not is_text(item.get("file")) or not is_text(item.get("title")):
                raise ConfigError(f"{self.at('faq', 'sources', i)}: 每个来源都要有 file"
                                  "（文件位置）和 title（题目）")
            docs.append(SourceDoc(
                str(item["id"]), rel(str(item["file"])), str(item["title"]).strip(),
                str(item.get("short") or DEFAULT_SHORT).strip(), str(item.get("date") or ""),
                self.path.name, self.doc.line("faq", "sources", i, "file")))
        return tuple(docs)

    def known(self, item: dict[str, Any], allowed: set[str], *key: str | int) -> None:
        for name in unknown_fields(item, allowed):
            raise ConfigError(f"{self.at(*key, name)}: {unknown_field_message(name, allowed)}")


