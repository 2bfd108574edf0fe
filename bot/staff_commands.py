"""What `unionbot stats` and `unionbot unanswered` do (their arguments are in bot/staff_cli.py).
Reports read the records and never create them: with no database they say so and exit 1."""

from __future__ import annotations

import argparse

from bot import reports
from bot.config import Config
from bot.days import since
from bot.loading import open_dialogue
from bot.records_cli import NO_DATABASE, has_records, with_records
from bot.storage import Store
from bot.usage import usage_since


def cmd_stats(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    if not has_records(config):
        return NO_DATABASE
    start = since(args.days)

    async def read(store: Store) -> str:
        stats, usage = await store.stats(start), await usage_since(store, start)
        return reports.stats_text(open_dialogue(config), stats, args.days, usage)

    print(with_records(config, read))
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    if not has_records(config):
        return NO_DATABASE

    async def read(store: Store) -> str:
        groups = await store.unanswered(since(args.days), args.limit)
        return reports.unanswered_text(open_dialogue(config), groups, args.days)

    print(with_records(config, read))
    return 0
