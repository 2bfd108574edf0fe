"""The review queue and staff decisions on it: one code path for `unionbot review` and /review.

The queue is computed against the FAQ files as they are on disk (what `unionbot check` sees
and /reload would serve), so an accepted alternate leaves the queue at once, before any reload.
Accepting an alternate edits the entry's topic file (bot/yamledit.py), runs the same check as
`unionbot check` on the result, and changes nothing if the check fails. Decisions go to the
store, so every replica and the command line see them.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
from pathlib import Path

from bot.config import Config
from bot.dialogue import Dialogue
from bot.evidence import asked_since
from bot.loading import errors_of, load_checked
from bot.payload import Codec
from bot.records import ReviewDecision, Verdict
from bot.replies import ReplyKind
from bot.retention import cutoff
from bot.review import Suggestion, SuggestionKind, Wording, collect, find, queue
from bot.service import in_daemon_thread
from bot.storage import Store
from faq.content import Entry, FaqPaths
from faq.fields import display_name, yaml_files
from faq.knowledge import load_knowledge
from faq.silent_routing import shown
from faq.yamlfile import Problem

DAY = 86400.0


class Result(StrEnum):
    ACCEPTED = "accepted"  # the alternate was added and the check passed
    REFUSED = "refused"  # the check failed with it (or the file could not be edited)
    FAQ_BROKEN = "faq-broken"  # the check fails without it too: nothing was tried
    MARKED = "marked"  # a suggestion without an automatic edit, noted as handled
    REJECTED = "rejected"
    NOT_FOUND = "not-found"
    ALREADY_DECIDED = "already-decided"
    ALREADY_ANSWERED = "already-answered"  # the FAQ on disk already answers it so


@dataclass(frozen=True)
class Outcome:
    result: Result
    suggestion_id: str
    suggestion: Suggestion | None = None
    file: str = ""
    line: int = 0
    problems: tuple[Problem, ...] = ()
    earlier: Verdict | None = None


def disk_dialogue(config: Config) -> Dialogue:
    """A dialogue over the FAQ files as they are now (unchecked: it only answers questions)."""
    knowledge, _ = load_knowledge(config.faq, config.match)
    return Dialogue(config, knowledge, Codec(b"review"))


def asks_unsaid(dialogue: Dialogue, text: str, entry_id: str) -> str:
    """What `text` asks that the entry does not say (faq/data/silent.yaml, as shown), or "".

    A worker who asked 「大工匠有奖金吗」 and opened the craftsman entry read what the report
    says, but the entry does not answer the question: as its alternate, the wording would tell
    the matcher that the entry speaks to bonuses, and the note that the report is silent would
    no longer be given."""
    matcher = dialogue.knowledge.matcher
    asked = matcher.silent.find(matcher.normalizer.normalize(text))
    return shown(matcher.unsaid(asked, entry_id))


def direct_entry(dialogue: Dialogue, text: str) -> str | None:
    """The entry the dialogue answers `text` with directly, or None (clarify, fallback)."""
    reply = dialogue.ask(text)
    return reply.entry_id if reply.kind is ReplyKind.ANSWER else None


async def wordings_since(store: Store, since: float) -> dict[str, Wording]:
    """The evidence of the questions asked since `since`, by wording key."""
    return collect(await asked_since(store, since))


async def review_queue(store: Store, config: Config, days: int, min_count: int | None = None,
                       now: float | None = None) -> list[Suggestion]:
    """The open suggestions of the last `days` days, backed by at least `min_count` workers
    (None: the defaults per kind, bot/review.py)."""
    since = (time.time() if now is None else now) - days * DAY
    wordings = await wordings_since(store, since)
    decided = {d.key for d in await store.decisions()}
    dialogue = await in_daemon_thread(disk_dialogue, config)
    found = await in_daemon_thread(queue, list(wordings.values()), decided,
                                   partial(direct_entry, dialogue), min_count)
    return [with_unsaid(dialogue, s) for s in found if s.kind is not SuggestionKind.ALTERNATE
            or not asks_unsaid(dialogue, s.text, s.entry_id or "")]


def with_unsaid(dialogue: Dialogue, suggestion: Suggestion) -> Suggestion:
    """An unanswered wording marked with what it asks that the report does not say, when the
    FAQ now tells the worker so: staff should not write an entry the report cannot back."""
    if suggestion.kind is not SuggestionKind.NEW_ENTRY:
        return suggestion
    return replace(suggestion, unsaid=dialogue.ask(suggestion.text).silent)


async def decide(store: Store, config: Config, suggestion_id: str, verdict: Verdict,
                 now: float | None = None) -> Outcome:
    """Accept or reject a suggestion by id, looked up in all the records still kept."""
    since = cutoff(config.storage.retention_days, now) or 0.0
    suggestion = find(await wordings_since(store, since), suggestion_id)
    if suggestion is None:
        return Outcome(Result.NOT_FOUND, suggestion_id)
    earlier = {d.key: d.verdict for d in await store.decisions()}
    if suggestion_id in earlier:
        return Outcome(Result.ALREADY_DECIDED, suggestion_id, suggestion,
                       earlier=earlier[suggestion_id])
    when = time.time() if now is None else now
    if verdict is Verdict.REJECT:  # the similar wordings with it go too
        keys = [k for k in suggestion.keys if k not in earlier]
        await store.record_decisions([ReviewDecision(key=k, verdict=verdict, time=when)
                                      for k in keys])
        return Outcome(Result.REJECTED, suggestion_id, suggestion)
    outcome = Outcome(Result.MARKED, suggestion_id, suggestion)
    if suggestion.kind is SuggestionKind.ALTERNATE:
        outcome = await in_daemon_thread(add_alternate, config, suggestion)
    if outcome.result not in (Result.REFUSED, Result.FAQ_BROKEN):
        await store.record_decisions([ReviewDecision(key=suggestion_id, verdict=verdict,
                                                     time=when)])
    return outcome


def add_alternate(config: Config, suggestion: Suggestion) -> Outcome:
    """Add the suggestion's wording to its entry's alternates, if the check passes with it."""
    # ruamel.yaml (~60 ms to import) only when a file is edited, not at every CLI start
    from bot.yamledit import EditError, replace_atomically, with_alternate

    sid = suggestion.id
    dialogue = disk_dialogue(config)
    entry = dialogue.knowledge.entries.get(suggestion.entry_id or "")
    path = topic_file(config.faq, entry) if entry else None
    if entry is None or path is None:
        gone = Problem(str(config.faq.entries), 0,
                       f"条目 {suggestion.entry_id} 已经不在问答文件里了")
        return Outcome(Result.REFUSED, sid, suggestion, problems=(gone,))
    if direct_entry(dialogue, suggestion.text) == entry.id:
        return Outcome(Result.ALREADY_ANSWERED, sid, suggestion, file=entry.file)
    unsaid = asks_unsaid(dialogue, suggestion.text, entry.id)
    if unsaid:
        silent = Problem(entry.file, entry.line, f"这句问的{unsaid}，条目 {entry.id} 里没有写；"
                         "加成它的问法，机器人就不再提醒「报道里没有写」了")
        return Outcome(Result.REFUSED, sid, suggestion, problems=(silent,))
    text = path.read_text(encoding="utf-8")
    try:
        edited, line = with_alternate(text, entry.id, suggestion.text)
    except EditError as exc:
        return Outcome(Result.REFUSED, sid, suggestion,
                       problems=(Problem(entry.file, entry.line, str(exc)),))
    errors = errors_of(check_edited(config, path, edited))
    if not errors and path.read_text(encoding="utf-8") != text:  # edited meanwhile
        errors = [Problem(entry.file, 0, "文件刚被别人改过，请重新运行 review 再试")]
    if errors:
        broken = errors_of(check_edited(config, path, text))  # were they there before?
        return Outcome(Result.FAQ_BROKEN if broken else Result.REFUSED, sid, suggestion,
                       problems=tuple(broken or errors))
    replace_atomically(path, edited)
    return Outcome(Result.ACCEPTED, sid, suggestion, file=entry.file, line=line)


def topic_file(paths: FaqPaths, entry: Entry) -> Path | None:
    """The topic file an entry was read from."""
    return next((p for p in yaml_files(paths.entries)
                 if display_name(p, paths.base) == entry.file), None)


def check_edited(config: Config, path: Path, edited: str) -> list[Problem]:
    """`unionbot check` (deep) on the FAQ as it would be with `path` holding `edited`: run on a
    copy of the topic files, so nothing the bot reads changes unless the check passes."""
    paths = config.faq
    with tempfile.TemporaryDirectory(prefix="unionbot-check-") as temp:
        root = Path(temp)
        name = display_name(paths.entries, paths.base)
        inside = not Path(name).is_absolute()
        copy = root / name if inside else root / "entries"
        if paths.entries.is_dir():
            shutil.copytree(paths.entries, copy,
                            ignore=lambda _, names: [n for n in names if n.startswith(".")])
            target = copy / path.name
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            target = copy
        target.write_text(edited, encoding="utf-8")
        trial = replace(config, faq=replace(paths, entries=copy,
                                            base=root if inside else paths.base))
        _, problems = load_checked(trial, Codec(b"check"), deep=True)
        if inside:
            return problems
        return [replace(p, file=p.file.replace(str(copy), name)) for p in problems]
