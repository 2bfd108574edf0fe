"""Add a tuning set's in-scope questions to the FAQ as alternates (what staff do by hand with
`unionbot review`, done for a whole labelled set at once).

    python benchmarks/grow_alternates.py tests/data/worker_set_2.yaml [--max-chars 50] [--dry-run]

The sets are written from the report alone and labelled by facts, not entries, so each
question goes to the entry whose answer holds its facts (benchmarks/blind.py `has_facts`):
the one the matcher ranks highest among them, or the only one. A question is left out when no
entry or more than three hold its facts (the label does not pick an entry), when it is longer
than --max-chars (a story; the matcher weighs long messages by their clauses), or when the FAQ
already has it or it is a question of the dev or test set (they measure questions the FAQ has
not seen). Edits go through bot/yamledit.py, so each one adds one line and leaves staff's
comments and quoting alone; `unionbot check` must pass afterwards (the script runs it).

Never run it on the blind set or the check set: a set added here is a tuning set from then on,
and benchmarks/fit_decision.py leaves its added questions out of fitting and scoring.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from blind import Answers, Case, load_cases  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.dialogue import Dialogue  # noqa: E402
from bot.loading import open_dialogue  # noqa: E402
from bot.review_actions import topic_file  # noqa: E402
from bot.yamledit import replace_atomically, with_alternate  # noqa: E402
from faq.evaluate import load_question_set  # noqa: E402

MAX_RIGHT = 3  # more entries than this hold the facts: the label does not pick one
REFUSED_SETS = ("blind_set", "check_set", "fresh_set")
DATA = ROOT / "tests" / "data"
HELD_SETS = ("dev_set.yaml", "test_set.yaml")  # their questions never become phrasings


def target(dialogue: Dialogue, answers: Answers, case: Case) -> str | None:
    """The entry a question belongs to, or None when its label does not pick one."""
    right = answers.right_entries(case.facts)
    if not right or len(right) > MAX_RIGHT:
        return None
    ranked = [c.entry_id for c in dialogue.knowledge.matcher.match(case.q).candidates]
    return next((e for e in ranked if e in right), next(iter(right)) if len(right) == 1
                else None)


def grow(config_path: str | None, sets: list[Path], max_chars: int, dry_run: bool
         ) -> Counter[str]:
    config = load_config(config_path)
    dialogue = open_dialogue(config)
    answers = Answers(dialogue)
    norm = dialogue.knowledge.normalizer.normalize
    known = set(dialogue.knowledge.matcher.normal_forms)
    known |= {norm(q.text) for name in HELD_SETS for q in load_question_set(DATA / name)}
    edited: dict[Path, str] = {}
    counts: Counter[str] = Counter()
    for case in (case for path in sets for case in load_cases(path)):
        text = case.q.strip()
        if case.kind != "in_scope" or len(text) > max_chars or norm(text) in known:
            counts["left out (kind, length or already there)"] += 1
            continue
        entry_id = target(dialogue, answers, case)
        path = topic_file(config.faq, dialogue.knowledge.entries[entry_id]) if entry_id \
            else None
        if entry_id is None or path is None:
            counts["left out (label picks no entry)"] += 1
            continue
        known.add(norm(text))
        edited[path], _ = with_alternate(edited.get(path) or path.read_text("utf-8"),
                                         entry_id, text)
        counts["added"] += 1
    if not dry_run:
        for path, text in edited.items():
            replace_atomically(path, text)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--config")
    parser.add_argument("--max-chars", type=int, default=50)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if any(name in str(path) for path in args.sets for name in REFUSED_SETS):
        parser.error("the blind, check and fresh sets are never added to the FAQ")
    print(dict(grow(args.config, args.sets, args.max_chars, args.dry_run)))
    if not args.dry_run:  # the check staff run, as they run it
        config = ["--config", args.config] if args.config else []
        sys.exit(subprocess.run([sys.executable, "-m", "bot.cli", *config, "check"],
                                check=False).returncode)


if __name__ == "__main__":
    main()
