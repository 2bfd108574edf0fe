"""The `unionbot` command line and the console channel: run, ask, chat, check (and the staff
and flow commands, registered from their own modules).

`run` starts a channel by name through the `unionbot.channels` entry points (pyproject.toml),
so this module never imports a channel: with no TELEGRAM_BOT_TOKEN it opens the console chat.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import flow_cli, staff_cli
from bot.config import Config, ConfigError, load_config
from bot.dialogue import COMMANDS
from bot.loading import ContentError, errors_of, load_checked, open_dialogue
from bot.payload import Codec
from bot.replies import Reply
from bot.storage import StorageError
from faq.content import FaqPaths
from faq.messages import MessageKey as K

if TYPE_CHECKING:  # the console chat's and `run`'s imports wait until they are used, so that
    from bot.service import Service  # `unionbot ask` starts without asyncio and the storage

Handler = Callable[[argparse.Namespace], int]
CONTENT_ERROR = 1  # exit code: the FAQ content has errors (each printed as file:line)
STORAGE_ERROR = 1  # exit code: the records cannot be opened, read or written


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="configuration file (default: $UNIONBOT_CONFIG or the shipped "
                             "config.yaml)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="unionbot", parents=[common],
                                     description="Union FAQ bot for workers, and its staff tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("run", parents=[common], help="run the Telegram bot (no token: console "
                                                     "chat)")
    p.add_argument("--channel", default="telegram", help="the channel to run (default telegram)")
    p.set_defaults(handler=cmd_run)
    p = sub.add_parser("ask", parents=[common], help="answer one question as a worker sees it")
    p.add_argument("question", nargs="?", help="the question; omitted: read one per line from "
                                               "standard input and print JSON lines")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_ask)
    p = sub.add_parser("chat", parents=[common], help="chat in the console, buttons as numbers")
    p.add_argument("--record", action="store_true", help="record questions and button events "
                                                         "in the database, as Telegram does")
    p.set_defaults(handler=cmd_chat)
    p = sub.add_parser("check", parents=[common], help="validate the FAQ and flow files")
    p.add_argument("path", nargs="?", help="a FAQ folder (with entries/), a folder of topic "
                                           "files, or one topic file (default: from config)")
    p.add_argument("--quick", action="store_true", help="skip the matcher-based checks")
    p.add_argument("--no-source", action="store_true", help="do not compare source passages "
                                                             "with the source documents")
    p.set_defaults(handler=cmd_check)
    flow_cli.register(sub, common)
    staff_cli.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.loaded_config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"unionbot: 设置文件（config.yaml）有错：{exc}", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"unionbot: 问答内容有 {len(exc.problems)} 处错误，请改好后再试"
              f"（unionbot check 会列出全部问题）", file=sys.stderr)
        return CONTENT_ERROR
    except StorageError as exc:
        print(f"unionbot: {exc}", file=sys.stderr)
        return STORAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `unionbot ask < questions.txt | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


# ---- ask ----------------------------------------------------------------------------------
def reply_json(question: str, reply: Reply) -> dict[str, Any]:
    """The `ask --json` object."""
    return {
        "question": question,
        "answered": reply.answered,
        "outcome": reply.kind.value,
        "entry_id": reply.entry_id,
        "score": reply.score,
        "text": reply.text,
        "suggestions": [{"id": s.entry_id, "label": s.label, "score": s.score}
                        for s in reply.suggestions],
        "silent": reply.silent,
        "buttons": [b.label for b in reply.flat_buttons()],
    }


def format_reply(reply: Reply) -> str:
    """A reply as text, buttons as numbered choices (the order `chat` accepts), one line per
    row of buttons as a phone shows them."""
    lines = [reply.text]
    if reply.buttons:
        lines.append("")
    number = 0
    for row in reply.buttons:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.label}")
        lines.append("  " + "   ".join(cells))
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    dialogue = open_dialogue(args.loaded_config)
    if args.question is None:
        for line in sys.stdin:
            question = line.rstrip("\r\n")
            print(json.dumps(reply_json(question, dialogue.ask(question)), ensure_ascii=False),
                  flush=True)
        return 0
    reply = dialogue.ask(args.question)
    if args.json:
        print(json.dumps(reply_json(args.question, reply), ensure_ascii=False, indent=2))
    else:
        print(format_reply(reply))
    return 0


# ---- chat ---------------------------------------------------------------------------------
async def chat_loop(service: Service, read: Callable[[str], str] = input,
                    write: Callable[[str], None] = print, user: str = "console") -> None:
    """Console chat over the service: type a question, a button's number or a command."""
    import asyncio

    from bot import reports

    reply = await service.command(user, "start")
    write(format_reply(reply))
    while True:
        try:
            line = (await asyncio.to_thread(read, "\n你：")).strip()
        except EOFError:
            return
        if line.lower() in ("q", "quit", "exit", "退出"):
            return
        buttons = reply.flat_buttons()
        command = line[1:].split("@")[0].lower() if line.startswith("/") else ""
        if line.isascii() and line.isdigit() and 1 <= int(line) <= len(buttons):
            reply = await service.button(user, buttons[int(line) - 1].payload)
        elif command == "reload":
            problems = await service.reload()
            reply = Reply(kind=reply.kind, text=reports.reload_text(service.dialogue, problems),
                          buttons=reply.buttons)
        elif command in COMMANDS:
            reply = await service.command(user, command)
        else:
            reply = await service.text(user, line)
        write("\n" + format_reply(reply))


def cmd_chat(args: argparse.Namespace) -> int:
    import asyncio

    asyncio.run(console(args.loaded_config, record=args.record))
    return 0


async def console(config: Config, record: bool) -> None:
    """The console channel: with `record`, questions and events go to the database."""
    from bot.service import Service
    from bot.storage import load_salt, open_store

    store, salt = None, b""
    if record:
        salt = load_salt(config.store_location, config.salt)
        store = open_store(config.store_location)
    service = Service(open_dialogue(config), store, salt)
    service.start_housekeeping()
    try:
        await chat_loop(service)
    finally:
        await service.close()


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio
    from importlib.metadata import entry_points

    config: Config = args.loaded_config
    if not config.token:
        print(open_dialogue(config).msg(K.NO_TOKEN))
        asyncio.run(console(config, record=False))
        return 0
    found = [ep for ep in entry_points(group="unionbot.channels") if ep.name == args.channel]
    if not found:
        print(f"unionbot: no channel {args.channel!r} is installed", file=sys.stderr)
        return 2
    run_channel: Callable[[Config], int | None] = found[0].load()
    return run_channel(config) or 0


# ---- check --------------------------------------------------------------------------------
def paths_for(config: Config, path: str | None) -> FaqPaths:
    """The FAQ paths to check: the configured ones, or those under PATH."""
    faq = config.faq
    if not path:
        return faq
    target = Path(path).resolve()
    if target.is_dir() and (target / "entries").is_dir():
        def inside(name: str, fallback: Path | None) -> Path | None:
            return target / name if (target / name).exists() else fallback

        return replace(faq, entries=target / "entries",
                       synonyms=inside("synonyms.yaml", faq.synonyms),
                       flows=inside("flows", None), messages=inside("messages.yaml", faq.messages),
                       silent=inside("silent.yaml", faq.silent), base=target.parent)
    return replace(faq, entries=target, base=Path.cwd())


def cmd_check(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    paths = paths_for(config, args.path)
    if not paths.entries.exists():
        print(f"{paths.entries}: 找不到问答文件", file=sys.stderr)
        return 2
    config = replace(config, faq=paths)
    knowledge, problems = load_checked(config, Codec(b"check"), deep=not args.quick,
                                       verify_sources=not args.no_source)
    for problem in problems:
        print(problem)
    content = knowledge.content
    if args.no_source:
        print("提示：用了 --no-source，没有把原文（source）和来源报道逐字核对")
    errors = len(errors_of(problems))
    summary = (f"{len(content.entries)} 个条目，{len(content.topics)} 个主题，"
               f"{len(content.flows)} 个测评，{len(content.files)} 个文件；"
               f"{len(problems) - errors} 个提醒（warning）")
    if errors:
        print(f"未通过：{errors} 个错误（error）；{summary}")
        return 1
    print(f"通过：{summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
