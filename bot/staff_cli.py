"""`unionbot stats` and `unionbot unanswered`: the staff reports on the command line (and the
learning commands, registered from bot/learning_cli.py). Reports read the records and never
create them: with no database they say so and exit 1."""

from __future__ import annotations

import argparse

from bot import learning_cli, reports
from bot.config import Config
from bot.records_cli import NO_DATABASE, has_records, positive, with_records
from bot.service import open_dialogue
from bot.storage import Store
from bot.usage import usage_since


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add the staff report commands to the `unionbot` parser."""
    p = sub.add_parser("stats", parents=[common], help="questions, outcomes, feedback, picks, "
                                                       "flows and top entries from the records")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("unanswered", parents=[common], help="recent questions the bot could not "
                                                            "answer, grouped by similarity")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.add_argument("--limit", type=positive, default=20, help="number of groups (default 20)")
    p.set_defaults(handler=cmd_unanswered)
    learning_cli.register(sub, common)


def cmd_stats(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    if not has_records(config):
        return NO_DATABASE
    since = reports.since(args.days)

    async def read(store: Store) -> str:
        stats, usage = await store.stats(since), await usage_since(store, since)
        return reports.stats_text(open_dialogue(config), stats, args.days, usage)

    print(with_records(config, read))
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    if not has_records(config):
        return NO_DATABASE

    async def read(store: Store) -> str:
        groups = await store.unanswered(reports.since(args.days), args.limit)
        return reports.unanswered_text(open_dialogue(config), groups, args.days)

    print(with_records(config, read))
    return 0
