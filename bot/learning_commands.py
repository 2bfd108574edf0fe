"""What `unionbot review`, `replay` and `export` do (their arguments are in bot/staff_cli.py):
the staff learning loop on the command line, the same code as /review in Telegram
(bot/review_actions.py)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

from bot import export
from bot.config import Config
from bot.days import since
from bot.dialogue import Dialogue
from bot.evidence import Asked, asked_since
from bot.records import Verdict
from bot.records_cli import NO_DATABASE, has_records, with_records
from bot.replay import recorded, replay, replay_text
from bot.review import clean
from bot.review_actions import Result, decide, direct_entry, disk_dialogue, review_queue
from bot.review_text import outcome_text, queue_text
from bot.storage import Store
from bot.usage import usage_since
from faq.messages import MessageKey as K

FAILED = (Result.REFUSED, Result.FAQ_BROKEN, Result.NOT_FOUND)


def _records(args: argparse.Namespace) -> Config | None:
    config: Config = args.loaded_config
    return config if has_records(config) else None


def cmd_review(args: argparse.Namespace) -> int:
    config = _records(args)
    if config is None:
        return NO_DATABASE
    dialogue = disk_dialogue(config)
    chosen = args.accept or args.reject
    if chosen:
        verdict = Verdict.ACCEPT if args.accept else Verdict.REJECT
        sid = chosen.strip().strip("[]").lower()
        outcome = with_records(config, lambda store: decide(store, config, sid, verdict),
                               write=True)
        print(outcome_text(dialogue, outcome))
        return 1 if outcome.result in FAILED else 0
    suggestions = with_records(config, lambda store: review_queue(store, config, args.days,
                                                                  args.min_count))
    print(queue_text(dialogue, suggestions, args.days, args.min_count))
    if suggestions:
        print("\n" + dialogue.msg(K.REVIEW_HOWTO))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from bot.cli import paths_for
    config = _records(args)
    if config is None:
        return NO_DATABASE
    now = disk_dialogue(config)
    after, before = now, None
    if args.faq:
        paths = paths_for(config, args.faq)
        if not paths.entries.exists():
            print(f"{paths.entries}: not found", file=sys.stderr)
            return 2
        after, before = disk_dialogue(replace(config, faq=paths)), now
    asked = with_records(config, lambda store: asked_since(store, since(args.days)))
    baseline = (after.msg(K.REPLAY_BASELINE_FAQ, path=args.faq) if before
                else after.msg(K.REPLAY_BASELINE_RECORDED))
    replayed = replay(asked, recorded if before is None else partial(_answer, before),
                      partial(direct_entry, after))
    print(replay_text(after, replayed, args.days, baseline))
    return 0


def _answer(dialogue: Dialogue, asked: Asked) -> str | None:
    return direct_entry(dialogue, clean(asked.record.text))


def cmd_export(args: argparse.Namespace) -> int:
    config = _records(args)
    if config is None:
        return NO_DATABASE
    dialogue, path, start = disk_dialogue(config), Path(args.csv), since(args.days)

    async def write(store: Store) -> int:
        if args.table == "questions":
            rows = export.question_rows(await asked_since(store, start))
            return export.write_csv(path, export.QUESTION_HEADERS, rows)
        if args.table == "review":
            found = await review_queue(store, config, args.days, args.min_count)
            return export.write_csv(path, export.REVIEW_HEADERS,
                                    export.review_rows(dialogue, found))
        usage = await usage_since(store, start)
        return export.write_csv(path, export.STATS_HEADERS, export.stats_rows(dialogue, usage))

    count = with_records(config, write)
    print(f"已写入 {path}：{count} 行（UTF-8 带 BOM，可直接用 Excel 或 WPS 打开）")
    return 0
