"""The `unionbot` command line: run, ask, chat, check (and the staff and flow commands)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from bot import flow_cli, staff_cli
from bot.config import Config, ConfigError, contacts_text, load_config
from bot.dialogue import Dialogue, Reply

Handler = Callable[[argparse.Namespace], int]


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
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("ask", parents=[common], help="answer one question as a worker sees it")
    p.add_argument("question", nargs="?", help="the question; omitted: read one per line from "
                                               "standard input and print JSON lines")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("chat", parents=[common], help="chat in the console, buttons as numbers")
    p.set_defaults(handler=cmd_chat)

    p = sub.add_parser("check", parents=[common], help="validate the FAQ and flow files")
    p.add_argument("path", nargs="?", help="a FAQ folder (with entries/), a folder of topic "
                                           "files, or one topic file (default: from config)")
    p.add_argument("--quick", action="store_true", help="skip the matcher-based checks")
    p.set_defaults(handler=cmd_check)
    flow_cli.register(sub, common)
    staff_cli.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"unionbot: configuration error: {exc}", file=sys.stderr)
        return 2
    args.loaded_config = config
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


# ---- ask ----------------------------------------------------------------------------------
def reply_json(question: str, reply: Reply) -> dict:
    """The `ask --json` object."""
    return {
        "question": question,
        "answered": reply.answered,
        "outcome": reply.outcome,
        "entry_id": reply.entry_id,
        "score": reply.score,
        "text": reply.text,
        "suggestions": [{"id": eid, "label": label, "score": score}
                        for eid, label, score in reply.suggestions],
        "buttons": [b.label for row in reply.buttons for b in row],
    }


def format_reply(reply: Reply) -> str:
    """A reply as text, buttons as numbered choices (the order `chat` accepts)."""
    lines = [reply.text]
    buttons = [b for row in reply.buttons for b in row]
    if buttons:
        lines.append("")
        lines += [f"  [{i}] {b.label}" for i, b in enumerate(buttons, 1)]
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    dialogue = Dialogue.load(args.loaded_config)
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
CHAT_COMMANDS = {"/start": "start", "/menu": "menu", "/help": "help", "/topics": "topics"}


def chat_loop(dialogue: Dialogue, read: Callable[[str], str] = input,
              write: Callable[[str], None] = print) -> None:
    """Console chat over the dialogue core: type a question, or a button's number."""
    reply = dialogue.start()
    write(format_reply(reply))
    while True:
        try:
            line = read("\n你：").strip()
        except EOFError:
            return
        if line.lower() in ("q", "quit", "exit", "退出"):
            return
        buttons = [b for row in reply.buttons for b in row]
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            reply = dialogue.press(buttons[int(line) - 1].payload)
        elif line in CHAT_COMMANDS:
            reply = getattr(dialogue, CHAT_COMMANDS[line])()
        elif line == "/cancel":  # inside a guided check, its own exit button ends it
            exits = [b.payload for b in buttons if b.payload.startswith("fx")]
            reply = dialogue.press(exits[0]) if exits else Reply(dialogue.msg("cancelled"))
        else:
            reply = dialogue.ask(line)
        write("\n" + format_reply(reply))


def cmd_chat(args: argparse.Namespace) -> int:
    chat_loop(Dialogue.load(args.loaded_config))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config: Config = args.loaded_config
    if not config.token:
        dialogue = Dialogue.load(config)
        print(dialogue.msg("no_token"))
        chat_loop(dialogue)
        return 0
    from bot.app import run_bot  # imports python-telegram-bot only when it is needed

    run_bot(config)
    return 0


# ---- check --------------------------------------------------------------------------------
def paths_for(config: Config, path: str | None):
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
                       base=target.parent)
    return replace(faq, entries=target, base=Path.cwd())


def cmd_check(args: argparse.Namespace) -> int:
    from faq.check import check_knowledge
    from faq.knowledge import load_knowledge

    config: Config = args.loaded_config
    paths = paths_for(config, args.path)
    if not paths.entries.exists():
        print(f"{paths.entries}: not found", file=sys.stderr)
        return 2
    knowledge, problems = load_knowledge(paths, config.match)
    problems += check_knowledge(knowledge, paths, config.check, deep=not args.quick,
                                contacts=contacts_text(config.contacts))
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    content = knowledge.content
    if paths.source_document is None or not paths.source_document.is_file():
        print(f"note: source document not found ({paths.source_document}); "
              "source passages were not compared with it")
    summary = (f"{len(content.entries)} entries in {len(content.topics)} topics, "
               f"{len(content.flows)} flows, {len(content.files)} files")
    if errors:
        print(f"FAILED: {len(errors)} problem(s); {summary}")
        return 1
    print(f"OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
