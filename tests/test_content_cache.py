"""The content cache (faq/content_cache.py): what it gives back is what loading the files would
give, and any change to what loading depends on reads the files afresh."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bot.config import load_config
from faq.cache import cache_dir
from faq.content import Content, FaqPaths, load_content
from faq.content_cache import content_key, load_content_cached


@pytest.fixture
def paths(faq_copy: Path) -> FaqPaths:
    return load_config(faq_copy, env={}).faq


def _entry_file(paths: FaqPaths) -> Path:
    return sorted(paths.entries.glob("*.yaml"))[0]


def test_cached_content_is_what_the_files_give(paths: FaqPaths) -> None:
    fresh = load_content(paths)
    first = load_content_cached(paths)  # read, then written
    assert list(cache_dir().glob(f"content-{content_key(paths)}-*.pickle"))
    second = load_content_cached(paths)  # read back
    assert first == fresh and second == fresh
    assert second[0].entries and second[0] is not first[0]


def test_an_edited_file_is_read_afresh(paths: FaqPaths) -> None:
    before = load_content_cached(paths)[0]
    key = content_key(paths)
    path = _entry_file(paths)
    entry = next(e for e in before.entries.values() if e.file.endswith(path.name))
    path.write_text(path.read_text("utf-8").replace(entry.question, entry.question + "呀", 1),
                    "utf-8")
    assert content_key(paths) != key
    after = load_content_cached(paths)[0]
    assert after.entries[entry.id].question == entry.question + "呀"


def test_a_broken_file_gives_its_problem_every_time(paths: FaqPaths) -> None:
    path = _entry_file(paths)
    path.write_text(path.read_text("utf-8") + "\n  - [unclosed\n", "utf-8")
    expected = [p for p in load_content(paths)[1] if p.severity == "error"]
    for _ in range(2):  # loaded, then from the cache
        problems = [p for p in load_content_cached(paths)[1] if p.severity == "error"]
        assert problems == expected and problems[0].file.endswith(path.name)


def test_an_unreadable_file_is_not_cached(paths: FaqPaths) -> None:
    _entry_file(paths).write_bytes(b"x" * (2 * 1024 * 1024))  # over the loader's limit
    assert content_key(paths) is None
    content, problems = load_content_cached(paths)
    assert any("文件太大" in p.message for p in problems)
    assert not list(cache_dir().glob("content-None*"))


def test_a_corrupt_cache_file_is_only_a_miss(paths: FaqPaths) -> None:
    expected = load_content_cached(paths)
    for cached in cache_dir().glob(f"content-{content_key(paths)}-*.pickle"):
        cached.write_bytes(b"\x80\x05not a pickle")
    assert load_content_cached(paths) == expected


def test_other_display_paths_are_another_key(paths: FaqPaths) -> None:
    moved = FaqPaths(**{**paths.__dict__, "base": paths.entries})  # names shown differently
    assert content_key(moved) != content_key(paths)
    assert load_content_cached(moved)[0].files != load_content_cached(paths)[0].files


def test_a_pickle_others_could_write_is_not_read(paths: FaqPaths) -> None:
    expected = load_content_cached(paths)
    cached = next(cache_dir().glob(f"content-{content_key(paths)}-*.pickle"))
    assert cached.stat().st_mode & 0o777 == 0o600  # written for this user alone
    # someone else's pickle in its place (here: a different content, group-writable)
    other = pickle.dumps((Content(), []))
    cached.write_bytes(other)
    cached.chmod(0o664)
    assert load_content_cached(paths) == expected  # not read: loaded from the files again
    cached.write_bytes(other)
    cached.chmod(0o600)
    assert load_content_cached(paths)[0] == Content()  # the same file, private: read
