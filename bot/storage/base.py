"""The records' interface: what the core stores and what staff can ask of it, for any backend.

A store receives records decided by the dialogue core (bot/records.py) with the worker already
pseudonymised; it never sees a channel's user id. Feedback counts once per question and worker
(a later press replaces an earlier one); writing the same batch twice counts it once.

Where the records are is a `Location`: a SQLite file's path, or a `postgresql://` URL (a store
several replicas share).
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.records import EventRecord, QuestionRecord, ReviewDecision

GROUP_SIMILARITY = 75.0  # rapidfuzz ratio at or above which two unanswered questions are one
MAX_UNANSWERED_ROWS = 5000  # the most recent fallback questions considered by `unanswered`
PRIVATE_FILE = 0o600  # the database, its WAL/SHM siblings and the salt: personal data
PRIVATE_FOLDER = 0o700


Location = Path | str  # a SQLite file, or a postgresql:// URL
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class StorageError(Exception):
    """The records cannot be opened, read or written; the message says why, in one line."""


def is_shared(location: Location) -> bool:
    """True for a PostgreSQL URL: a store that several processes share."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def check_schema_version(found: int | None, known: int, where: str) -> None:
    """Refuse a database whose schema a read-only report cannot use (None: no tables yet)."""
    if found is None:
        raise StorageError(f"{where} holds no records yet: the bot creates its tables when it "
                           f"first starts")
    if found > known:
        raise StorageError(f"{where} has schema version {found}, newer than this program "
                           f"knows ({known}): update unionbot")
    if found < known:
        raise StorageError(f"{where} has schema version {found}, older than this program's "
                           f"({known}): start the bot once to bring it up to date")


@dataclass(frozen=True)
class StoredQuestion:
    time: float
    worker: str
    record: QuestionRecord


@dataclass(frozen=True)
class StoredEvent:
    time: float
    worker: str
    record: EventRecord


@dataclass(frozen=True)
class Stats:
    since: float
    questions: int = 0
    answered: int = 0
    clarified: int = 0
    fallback: int = 0
    workers: int = 0
    feedback_yes: int = 0
    feedback_no: int = 0
    top_entries: tuple[tuple[str, int], ...] = ()  # (entry id, times answered)

    def share(self, count: int) -> float:
        """`count` as a share of all questions, 0..1."""
        return count / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class UnansweredGroup:
    text: str  # the most frequent wording in the group
    count: int
    variants: tuple[str, ...] = ()  # other wordings, most frequent first
    last_seen: float = 0.0


class Store(Protocol):
    """What the bot records and what staff can ask of the records."""

    async def record_question(self, worker: str, record: QuestionRecord,
                              when: float | None = None) -> None: ...

    async def record_event(self, worker: str, record: EventRecord,
                           when: float | None = None) -> None: ...

    async def questions(self, since: float) -> list[StoredQuestion]: ...

    async def events(self, since: float) -> list[StoredEvent]: ...

    async def stats(self, since: float, top: int = 5) -> Stats: ...

    async def unanswered(self, since: float, limit: int = 10) -> list[UnansweredGroup]: ...

    async def purge(self, before: float) -> int:
        """Delete the questions and events recorded before `before` (Unix seconds); returns
        how many rows went. Review decisions stay: they hold no worker's words."""
        ...

    async def record_decisions(self, decisions: list[ReviewDecision]) -> None:
        """Keep staff decisions on learning suggestions (a later one for a key replaces it)."""
        ...

    async def decisions(self) -> list[ReviewDecision]: ...

    async def flush(self) -> None: ...

    async def close(self) -> None: ...


def now(when: float | None) -> float:
    return time.time() if when is None else when


def load_salt(location: Location, given: str | None) -> bytes:
    """The salt `given` by the deployment (UNIONBOT_SALT, `Config.salt`), else (SQLite only) a
    random salt created once beside the database.

    A shared store requires the given salt: replicas must hash workers and sign buttons alike."""
    if given:
        return given.encode()
    if is_shared(location):
        raise StorageError("UNIONBOT_SALT must be set when the records are in PostgreSQL: "
                           "every replica must hash workers and sign buttons with the same salt")
    path = Path(location)
    salt_file = path.with_name(path.name + ".salt")
    try:
        return _salt_from(salt_file)
    except OSError as exc:
        raise StorageError(f"cannot read or create the salt file {salt_file}: "
                           f"{exc.strerror or exc}") from None


def _salt_from(salt_file: Path) -> bytes:
    try:
        return salt_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    make_private_folder(salt_file.parent)
    salt = secrets.token_hex(32).encode()
    try:  # exclusive create: two processes starting at once agree on one salt
        fd = os.open(salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return salt_file.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(salt)
    return salt


def make_private_folder(folder: Path) -> None:
    """Create a missing folder for the records readable by this user only (an existing one is
    left as it is)."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def cluster_similar(counts: Counter[str], similarity: float = GROUP_SIMILARITY
                    ) -> list[list[str]]:
    """Texts in clusters of similar wording (rapidfuzz ratio): each cluster is led by its most
    frequent text, and a text joins the first leader it resembles."""
    heads: list[str] = []
    members: list[list[str]] = []
    for text, _ in counts.most_common():
        found = process.extractOne(text, heads, scorer=fuzz.ratio, score_cutoff=similarity)
        if found is None:
            heads.append(text)
            members.append([text])
        else:
            members[found[2]].append(text)
    return members


def group_similar(rows: Iterable[tuple[str, float]], limit: int,
                  similarity: float = GROUP_SIMILARITY) -> list[UnansweredGroup]:
    """Group (question, time) rows by wording similarity; biggest groups first."""
    counts: Counter[str] = Counter()
    last: dict[str, float] = {}
    for text, when in rows:
        counts[text] += 1
        last[text] = max(last.get(text, 0.0), when)
    groups = [UnansweredGroup(text=m[0], count=sum(counts[q] for q in m),
                              variants=tuple(m[1:4]), last_seen=max(last[q] for q in m))
              for m in cluster_similar(counts, similarity)]
    groups.sort(key=lambda g: (-g.count, -g.last_seen))
    return groups[:limit]
