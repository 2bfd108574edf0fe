"""The staff learning loop, measured: simulated workers ask, pick, staff accept what review
proposes, and the held-back half of the traffic is asked again.

    python benchmarks/learning.py [--min-count N] [--days N] [--keep DIR]

1. tests/data/traffic_set.yaml is split by intent: the first half of each intent's cases (in
   file order) is asked, the rest held back, so every intent is in both halves.
2. In a copy of the FAQ with a fresh database, one simulated worker per case asks the first
   half through the Service (as Telegram does). Offered "did you mean", the worker picks the
   right suggestion — the one whose answer holds the case's facts — or 都不是 when none is;
   answered, the worker taps 👍 if the answer holds the facts and 👎 if not.
3. `review` runs as staff would run it (`--days`, `--min-count`), and every "add as alternate"
   suggestion it proposes is accepted through the same code as `unionbot review --accept`
   (each refused if `unionbot check` fails with it). Nothing else touches the FAQ: the script
   checks that the only change to the files is added alternate lines.
4. The held-back half is asked before and after (a fresh load of the edited FAQ, as /reload
   does) and direct-right is reported: answered outright with an answer that holds the facts.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config, load_config  # noqa: E402
from bot.dialogue import Dialogue  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from bot.payload import Action  # noqa: E402
from bot.records import Verdict  # noqa: E402
from bot.replies import Reply, ReplyKind  # noqa: E402
from bot.review import SuggestionKind  # noqa: E402
from bot.review_actions import decide, review_queue  # noqa: E402
from bot.service import Service  # noqa: E402
from bot.storage.sqlite import SqliteStore  # noqa: E402
from faq.yamlfile import read_yaml  # noqa: E402

TRAFFIC = ROOT / "tests" / "data" / "traffic_set.yaml"


@dataclass(frozen=True)
class Case:
    id: str
    intent: str
    q: str
    facts: tuple[tuple[str, ...], ...]  # every group must be met by one of its strings


def load_cases() -> list[Case]:
    data = read_yaml(TRAFFIC).data
    return [Case(str(c["id"]), str(c["intent"]), str(c["q"]),
                 tuple(tuple(str(f) for f in group) for group in c["facts"]))
            for c in data["cases"]]


def split(cases: list[Case]) -> tuple[list[Case], list[Case]]:
    """The first half of each intent's cases, and the rest (both in file order)."""
    by_intent: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_intent[case.intent].append(case)
    first = {c.id for group in by_intent.values() for c in group[:len(group) // 2]}
    return [c for c in cases if c.id in first], [c for c in cases if c.id not in first]


def holds(dialogue: Dialogue, entry_id: str | None, case: Case) -> bool:
    """Whether the entry's answer, as a worker reads it, holds every fact of the case."""
    entry = dialogue.knowledge.entries.get(entry_id or "")
    if entry is None:
        return False
    text = "".join(dialogue.render(entry.answer).split())
    return all(any(fact in text for fact in group) for group in case.facts)


def button(dialogue: Dialogue, reply: Reply, action: Action, target: str = "") -> str:
    for b in reply.flat_buttons():
        p = dialogue.codec.decode(b.payload)
        if p is not None and p.action is action and (not target or p.target == target):
            return b.payload
    raise LookupError(f"no {action} button")


async def worker_turn(service: Service, worker: int, case: Case) -> str:
    """One simulated worker asks and reacts; returns what happened, for the tally."""
    dialogue = service.dialogue
    reply = await service.text(worker, case.q)
    if reply.kind is ReplyKind.CLARIFY:
        right = next((s.entry_id for s in reply.suggestions
                      if holds(dialogue, s.entry_id, case)), None)
        if right is None:
            await service.button(worker, button(dialogue, reply, Action.NONE))
            return "clarify, none right"
        await service.button(worker, button(dialogue, reply, Action.ENTRY, right))
        return "clarify, picked"
    if reply.kind is ReplyKind.ANSWER:
        good = holds(dialogue, reply.entry_id, case)
        action = Action.FEEDBACK_YES if good else Action.FEEDBACK_NO
        await service.button(worker, button(dialogue, reply, action))
        return "answered right" if good else "answered wrong"
    return "fallback"


def score(dialogue: Dialogue, cases: list[Case]) -> dict[str, int]:
    tally: dict[str, int] = defaultdict(int)
    for case in cases:
        reply = dialogue.ask(case.q)
        right = holds(dialogue, reply.entry_id, case)
        if reply.kind is ReplyKind.ANSWER:
            tally["direct-right" if right else "answered wrong"] += 1
        elif reply.kind is ReplyKind.CLARIFY:
            hit = any(holds(dialogue, s.entry_id, case) for s in reply.suggestions)
            tally["clarify with right" if hit else "clarify without right"] += 1
        else:
            tally["fallback"] += 1
        tally["reachable"] += any(holds(dialogue, e, case) for e in dialogue.knowledge.entries)
    return tally


def workspace(temp: Path) -> Config:
    """A copy of config.yaml and the FAQ files in `temp`, with its own database."""
    shutil.copytree(ROOT / "faq" / "data", temp / "faq" / "data")
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    source = (ROOT / "../shared/seeds/000_21822a97036c62bc.txt").resolve()
    if not source.is_file():  # a worktree sits one level deeper than the main checkout
        source = (ROOT / "../../shared/seeds/000_21822a97036c62bc.txt").resolve()
    text = text.replace("../shared/seeds/000_21822a97036c62bc.txt", str(source))
    (temp / "config.yaml").write_text(text, encoding="utf-8")
    return load_config(temp / "config.yaml", env={"UNIONBOT_DB": str(temp / "records.sqlite3"),
                                                  "UNIONBOT_SALT": "learning benchmark"})


def snapshot(config: Config) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(config.faq.entries.glob("*.yaml"))}


def added_lines(before: dict[Path, str], config: Config) -> tuple[int, int]:
    """Lines added to and removed from the topic files since `before`."""
    added = removed = 0
    for path, text in before.items():
        for line in difflib.ndiff(text.splitlines(), path.read_text(encoding="utf-8")
                                  .splitlines()):
            added += line.startswith("+ ")
            removed += line.startswith("- ")
    return added, removed


def show(title: str, tally: dict[str, int], total: int) -> None:
    parts = [f"{k} {tally[k]} ({tally[k] / total:.1%})" for k in
             ("direct-right", "clarify with right", "clarify without right", "answered wrong",
              "fallback")]
    print(f"  {title}: " + ", ".join(parts) + f"; facts in some answer: {tally['reachable']}")


async def learn(config: Config, asked: list[Case], days: int, min_count: int | None
                ) -> dict[str, int]:
    """The first half asked through the Service, then review and accept; returns counts."""
    store = SqliteStore(config.db_path)
    service = Service(open_dialogue(config, key=b"benchmark"), store, b"benchmark")
    counts: dict[str, int] = defaultdict(int)
    for n, case in enumerate(asked):
        counts[await worker_turn(service, 10_000 + n, case)] += 1
    started = time.perf_counter()
    proposed = await review_queue(store, config, days, min_count)
    counts["review seconds x1000"] = round((time.perf_counter() - started) * 1000)
    for suggestion in proposed:
        counts[f"proposed {suggestion.kind.value}"] += 1
        if suggestion.kind is not SuggestionKind.ALTERNATE:
            continue  # no automatic edit: staff would write these themselves
        outcome = await decide(store, config, suggestion.id, Verdict.ACCEPT)
        counts[f"accept: {outcome.result.value}"] += 1
    await service.close()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-count", type=int, help="as `unionbot review --min-count` "
                                                      "(default: review's own defaults)")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="build the workspace in DIR and keep it "
                                                      "(its database and edited FAQ)")
    args = parser.parse_args()
    first, second = split(load_cases())
    with tempfile.TemporaryDirectory(prefix="unionbot-learning-") as temp:
        root = Path(args.keep) if args.keep else Path(temp)
        root.mkdir(parents=True, exist_ok=True)
        config = workspace(root)
        before_files = snapshot(config)
        dialogue = open_dialogue(config, key=b"benchmark")
        before, before_first = score(dialogue, second), score(dialogue, first)
        counts = asyncio.run(learn(config, first, args.days, args.min_count))
        after_dialogue = open_dialogue(config, key=b"benchmark")  # as /reload would load it
        after, after_first = score(after_dialogue, second), score(after_dialogue, first)
        added, removed = added_lines(before_files, config)
    print(f"traffic set: {len(first)} cases asked, {len(second)} held back "
          f"(min-count {args.min_count or 'default'}, days {args.days})")
    print("workers: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())
                                  if not k.startswith(("proposed", "accept", "review"))))
    print("review: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())
                                 if k.startswith(("proposed", "accept"))) +
          f"; review took {counts['review seconds x1000']} ms")
    print(f"FAQ files: {added} lines added, {removed} removed")
    print("held-back half:")
    show("before", before, len(second))
    show("after ", after, len(second))
    print(f"  direct-right lift: {after['direct-right'] - before['direct-right']:+d} "
          f"({(after['direct-right'] - before['direct-right']) / len(second):+.1%})")
    print("asked half (where the alternates came from):")
    show("before", before_first, len(first))
    show("after ", after_first, len(first))
    return 0 if removed == 0 and added == counts.get("accept: accepted", 0) else 1


if __name__ == "__main__":
    sys.exit(main())
