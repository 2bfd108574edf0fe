"""The loaded content, kept between runs under a hash of the files it was read from.

Parsing every YAML file and checking its shape is a third of `unionbot ask`'s own start-up
(~35-60 ms); reading the result back is ~2 ms. What `load_content` returns depends only on the
files' bytes, the paths they are named by, and the code that reads them, so the hash covers all
three: an edited file, a moved folder or changed code is a new key and is read afresh. A file
that changes while it is being read is not cached (the hash is taken before and after).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from faq.cache import kept_or_built
from faq.content import Content, FaqPaths, load_content
from faq.fields import yaml_files
from faq.yamlfile import MAX_FILE_BYTES, Problem

CACHE_VERSION = "1"  # bump to drop every cached content whatever its hash
_CODE = Path(__file__).resolve().parent  # the faq package: loaders and the classes they build


def content_files(paths: FaqPaths) -> list[Path]:
    """Every file `load_content` reads, in the order it reads them."""
    files = list(yaml_files(paths.entries))
    files += [p for p in (paths.synonyms, paths.messages, paths.silent) if p is not None]
    if paths.flows is not None:
        files += yaml_files(paths.flows)
    return files


def content_key(paths: FaqPaths) -> str | None:
    """A hash of the content files and the loading code; None when a file cannot be read
    whole (the loader reports it, and a problem worth reporting is not worth caching)."""
    code = sorted(_CODE.rglob("*.py"))
    return digest_files(f"{CACHE_VERSION}\0{paths!r}", content_files(paths) + code)


def digest_files(seed: str, files: list[Path]) -> str | None:
    """A hash of `seed` and each file's path and bytes; None when one cannot be read whole."""
    digest = hashlib.sha256(seed.encode())
    for path in files:
        try:
            with path.open("rb") as stream:
                raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_FILE_BYTES:
            return None
        digest.update(f"\0{path}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()[:32]


def load_content_cached(paths: FaqPaths) -> tuple[Content, list[Problem]]:
    """`load_content`, read from the cache when nothing it depends on has changed."""
    content, problems, _ = load_content_keyed(paths)
    return content, problems


def load_content_keyed(paths: FaqPaths) -> tuple[Content, list[Problem], str | None]:
    """`load_content_cached` and the key of what it returns: None when the files changed while
    they were read, or could not be hashed (then nothing built from them may be cached)."""
    (content, problems), key = kept_or_built(
        "content", lambda: content_key(paths), lambda: load_content(paths),
        lambda kept: isinstance(kept, tuple) and len(kept) == 2
        and isinstance(kept[0], Content))
    return content, problems, key
