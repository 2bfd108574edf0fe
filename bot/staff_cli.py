"""`unionbot stats` and `unionbot unanswered`: the staff reports on the command line. They open
the records read-only: they never create, upgrade or change the database."""

from __future__ import annotations

import argparse
import asyncio

from bot import reports
from bot.config import Config
from bot.service import open_dialogue
from bot.storage import open_store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add the staff report commands to the `unionbot` parser."""
    p = sub.add_parser("stats", parents=[common], help="questions, outcomes, feedback and top "
                                                       "entries from the bot's records")
    p.add_argument("--days", type=_positive, default=7, help="period in days (default 7)")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("unanswered", parents=[common], help="recent questions the bot could not "
                                                            "answer, grouped by similarity")
    p.add_argument("--days", type=_positive, default=7, help="period in days (default 7)")
    p.add_argument("--limit", type=_positive, default=20, help="number of groups (default 20)")
    p.set_defaults(handler=cmd_unanswered)


def _positive(text: str) -> int:
    """A whole number from 1 to 3650 (the bound of /stats and /unanswered days)."""
    value = reports.parse_days([text])
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def cmd_stats(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config

    async def report() -> str:
        store = open_store(config.store_location, read_only=True)
        try:
            stats = await store.stats(reports.since(args.days))
        finally:
            await store.close()
        return reports.stats_text(open_dialogue(config), stats, args.days)

    print(asyncio.run(report()))
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config

    async def report() -> str:
        store = open_store(config.store_location, read_only=True)
        try:
            groups = await store.unanswered(reports.since(args.days), args.limit)
        finally:
            await store.close()
        return reports.unanswered_text(open_dialogue(config), groups, args.days)

    print(asyncio.run(report()))
    return 0
