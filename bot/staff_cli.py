"""The staff commands' arguments: `unionbot stats`, `unanswered`, `review`, `replay` and
`export`. What they do lives in bot/staff_commands.py and bot/learning_commands.py, imported
only when one of them runs, so `unionbot ask` starts without the storage and the reports.
Reports read the records and never create them: with no database they say so and exit 1."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from bot.days import positive

Handler = Callable[[argparse.Namespace], int]


def lazy(module: str, name: str) -> Handler:
    """A command handler imported when the command runs."""
    def run(args: argparse.Namespace) -> int:
        handler: Handler = getattr(importlib.import_module(module), name)
        return handler(args)
    return run


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add the staff report commands to the `unionbot` parser."""
    p = sub.add_parser("stats", parents=[common], help="questions, outcomes, feedback, picks, "
                                                       "flows and top entries from the records")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.set_defaults(handler=lazy("bot.staff_commands", "cmd_stats"))

    p = sub.add_parser("unanswered", parents=[common], help="recent questions the bot could not "
                                                            "answer, grouped by similarity")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.add_argument("--limit", type=positive, default=20, help="number of groups (default 20)")
    p.set_defaults(handler=lazy("bot.staff_commands", "cmd_unanswered"))
    _register_learning(sub, common)



def _register_learning(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("review", parents=[common], help="learning suggestions from what workers "
                                                        "asked and picked; accept or reject them")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.add_argument("--min-count", type=positive, help="workers behind a suggestion (default: "
                                                      "1 for picks and 👎, 2 for unanswered)")
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--accept", metavar="ID", help="accept a suggestion (an alternate is "
                                                       "written into its topic file, if the "
                                                       "check passes)")
    choice.add_argument("--reject", metavar="ID", help="reject a suggestion for good")
    p.set_defaults(handler=lazy("bot.learning_commands", "cmd_review"))

    p = sub.add_parser("replay", parents=[common], help="answer recorded questions again with "
                                                        "the FAQ files and show what changes")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.add_argument("--faq", metavar="PATH", help="an edited copy of the FAQ (as `check PATH` "
                                                 "takes), compared with the configured one")
    p.set_defaults(handler=lazy("bot.learning_commands", "cmd_replay"))

    p = sub.add_parser("export", parents=[common], help="a CSV for Excel/WPS: questions, the "
                                                        "review queue or entry and flow use")
    p.add_argument("table", choices=("questions", "review", "stats"))
    p.add_argument("--csv", metavar="FILE", required=True, help="the file to write")
    p.add_argument("--days", type=positive, default=7, help="period in days (default 7)")
    p.add_argument("--min-count", type=positive, help="for review: workers behind a "
                                                      "suggestion (default as review)")
    p.set_defaults(handler=lazy("bot.learning_commands", "cmd_export"))
