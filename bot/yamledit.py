"""Editing a staff-written topic file without disturbing anything else in it.

PyYAML drops comments on dump, so edits go through ruamel.yaml's round-trip mode, set up to
write our files back exactly as staff keep them (2-space mappings, list dashes indented by 2,
no line wrapping): adding an alternate changes the file by that one line. Writes go to a
temporary file in the same folder and replace the original in one `os.replace`, so a crash
never leaves half a file and a reading bot never sees one.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString


class EditError(Exception):
    """The file does not have the shape the edit needs (the message says what)."""


def round_trip() -> YAML:
    """A ruamel.yaml instance that writes our topic files back as they were."""
    yaml = YAML()  # round-trip: comments, key order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never wrap a long answer or passage
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _entry(data: Any, entry_id: str) -> CommentedMap:
    entries = data.get("entries") if isinstance(data, CommentedMap) else None
    for item in entries if isinstance(entries, CommentedSeq) else ():
        if isinstance(item, CommentedMap) and str(item.get("id")) == entry_id:
            return item
    raise EditError(f"entry {entry_id!r} not found")


def with_alternate(text: str, entry_id: str, wording: str) -> tuple[str, int]:
    """The topic file `text` with `wording` appended to the entry's alternates, and the
    1-based line the new alternate is on."""
    yaml = round_trip()
    data = yaml.load(text)
    entry = _entry(data, entry_id)
    alternates = entry.get("alternates")
    if not isinstance(alternates, CommentedSeq):
        raise EditError(f"entry {entry_id!r} has no list of alternates")
    alternates.append(_as_text(wording))
    out = io.StringIO()
    yaml.dump(data, out)
    edited = out.getvalue()
    return edited, _added_line(text, edited)


def _as_text(wording: str) -> str:
    """The wording, double-quoted unless the FAQ loader (PyYAML, YAML 1.1) reads it back bare as
    the same text: ruamel.yaml (YAML 1.2) would leave `yes` or `100` plain, which PyYAML reads
    as true and a number."""
    try:
        plain = pyyaml.safe_load(wording)
    except pyyaml.YAMLError:
        plain = None
    return wording if plain == wording else DoubleQuotedScalarString(wording)


def _added_line(before: str, after: str) -> int:
    """The first line that differs (1-based)."""
    old, new = before.splitlines(), after.splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), 1):
        if a != b:
            return number
    return min(len(old), len(new)) + 1


def replace_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then swap it in with os.replace."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
