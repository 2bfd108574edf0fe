"""Tables that are slow to build, kept between runs in ~/.cache/unionbot.

Each is named by a hash of everything it was built from, so changed content or code gets a new
name and is built afresh; a missing, unreadable or stale file only costs time. Files are written
by this user for this user: the cache directory is as trusted as the code that reads it.
"""

from __future__ import annotations

import marshal
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

# marshal for plain values (~5x faster to read than JSON); pickle for dataclasses
_FORMATS: dict[str, Any] = {"marshal": marshal, "pickle": pickle}
T = TypeVar("T")


def cache_dir() -> Path:
    """Where tables that are slow to build are kept between runs (~/.cache/unionbot)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unionbot"


def _cache_path(name: str, kind: str) -> Path:
    # marshal's (and our pickles' classes') format belongs to one Python version: name it
    return cache_dir() / f"{name}-py{sys.version_info[0]}{sys.version_info[1]}.{kind}"


def read_cached(name: str, kind: str = "marshal") -> Any:
    """A table kept by `write_cached`, or None when there is none (or it is unreadable).

    A pickle runs code as it loads, so one is read only if this user owns it and nobody else
    can write it or its folder: a shared or careless XDG_CACHE_HOME is then only a miss."""
    path = _cache_path(name, kind)
    try:
        if kind == "pickle" and not (_private(path) and _private(path.parent)):
            return None
        return _FORMATS[kind].loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - any unreadable file is a miss (a pickle can raise anything)
        return None


def _private(path: Path) -> bool:
    stat = path.stat()
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def write_cached(name: str, value: Any, kind: str = "marshal") -> None:
    """Keep a table; write-then-rename so a concurrent reader never sees half a file."""
    path = _cache_path(name, kind)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        data = _FORMATS[kind].dumps(value)
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            out.write(data)
        partial.replace(path)
    except (OSError, ValueError, TypeError, pickle.PicklingError):
        pass  # a read-only home only costs start-up time


def forget_old(prefix: str, keep: str, most: int = 8) -> None:
    """Keep the newest few tables named `prefix`-* (each content change makes a new one)."""
    try:
        old = sorted(cache_dir().glob(f"{prefix}-*"), key=lambda p: p.stat().st_mtime)
        for path in old[:-most]:
            if not path.name.startswith(keep):
                path.unlink()
    except OSError:
        pass


def kept_or_built(prefix: str, key_of: Callable[[], str | None], build: Callable[[], T],
                  valid: Callable[[Any], bool]) -> tuple[T, str | None]:
    """The value pickled as `prefix`-<key> when there is a `valid` one, else `build()`, kept
    only if the key is the same after building as before (what it is built from did not change
    meanwhile). Returns the value and the key it is known to belong to (None: not known)."""
    key = key_of()
    name = f"{prefix}-{key}"
    cached = read_cached(name, "pickle") if key else None
    if cached is not None and valid(cached):
        return cached, key
    value = build()
    if key is None or key_of() != key:
        return value, None
    write_cached(name, value, "pickle")
    forget_old(prefix, name)
    return value, key
