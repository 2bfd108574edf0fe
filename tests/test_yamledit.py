"""Adding an alternate to a staff-written topic file changes exactly one line: comments,
order, quoting and layout stay as they were; writes are atomic."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import yaml

from bot.yamledit import EditError, replace_atomically, with_alternate

ROOT = Path(__file__).resolve().parent.parent
TOPIC_FILES = sorted((ROOT / "faq" / "data" / "entries").glob("*.yaml"))
ODD = ["100", "工会能借多少钱？#急", "- 开头是横线", "key: value 样子的话",
       "'单引号' 和 \"双引号\"", "  前后有空格  ", "100%", "yes", "{contacts}", "null", "1.5"]


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.name)
def test_one_added_line_for_every_entry_of_every_topic_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["entries"]
    for entry in entries:
        edited, line = with_alternate(text, entry["id"], "职工的一种新问法")
        diff = changed_lines(text, edited)
        assert diff == [edited.splitlines()[line - 1].join(("+", ""))], (entry["id"], diff)
        [after] = [e for e in yaml.safe_load(edited)["entries"] if e["id"] == entry["id"]]
        assert after["alternates"] == entry["alternates"] + ["职工的一种新问法"]


def test_comments_and_quotes_are_kept() -> None:
    text = (
        "# 主题：创业扶持（工作人员备注）\n"
        "topic:\n"
        "  id: t\n"
        "  title: '标题'   # 行尾注释\n"
        "entries:\n"
        "  # 第一条\n"
        "  - id: e1\n"
        "    question: \"问题？\"\n"
        "    alternates:\n"
        "      - 问法一  # 这个说法来自职工\n"
        "      # 下一条是繁体\n"
        "      - 問法二\n"
        "    answer: |\n"
        "      答案第一行\n"
        "      答案第二行\n"
        "    related: [e2, e3]\n"
        "  - id: e2\n"
        "    question: 另一条\n"
        "    alternates:\n"
        "      - 其他\n")
    edited, line = with_alternate(text, "e1", "新问法")
    assert changed_lines(text, edited) == ["+      - 新问法"]
    assert edited.splitlines()[line - 1] == "      - 新问法" and line == 13
    assert "# 这个说法来自职工" in edited and "title: '标题'   # 行尾注释" in edited


@pytest.mark.parametrize("wording", ODD)
def test_any_wording_reads_back_as_itself(wording: str) -> None:
    text = TOPIC_FILES[0].read_text(encoding="utf-8")
    entry = yaml.safe_load(text)["entries"][0]
    edited, _ = with_alternate(text, entry["id"], wording)
    assert len(changed_lines(text, edited)) == 1
    [after] = [e for e in yaml.safe_load(edited)["entries"] if e["id"] == entry["id"]]
    assert after["alternates"][-1] == wording


def test_an_unknown_entry_or_a_file_without_alternates_is_an_error() -> None:
    text = TOPIC_FILES[0].read_text(encoding="utf-8")
    with pytest.raises(EditError):
        with_alternate(text, "no-such-entry", "问法")
    with pytest.raises(EditError):
        with_alternate("topic: {id: t, title: x}\nentries:\n  - id: e\n    question: q\n",
                       "e", "问法")


def test_replace_atomically_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "topic.yaml"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    replace_atomically(target, "新内容\n")
    assert target.read_text(encoding="utf-8") == "新内容\n"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["topic.yaml"]
