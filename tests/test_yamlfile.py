"""Reading staff YAML: hostile files are refused with a located Chinese message, cheaply.

Before, a "billion laughs" alias bomb grew `check`, `ask`, `run` and /reload to GBs, and a
recursive alias or deep nesting crashed with RecursionError.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from faq.content import FaqPaths, load_content
from faq.yamlfile import (
    ALIAS_MESSAGE,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_VALUES,
    YamlError,
    read_yaml,
)

ROOT = Path(__file__).resolve().parent.parent

LAUGHS = "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
                 for a, b in zip("abcdefgh", "bcdefghi", strict=True))
HOSTILE = {
    # name: (text, line of the error, words of the message)
    "billion laughs": ("topic: {id: x, title: 标题}\na: &a [lol, lol, lol, lol, lol, lol]\n"
                       + LAUGHS, 2, ALIAS_MESSAGE),
    "recursive alias": ("# 一个指向自己的别名\ntopic: &t {self: *t}\n", 2, ALIAS_MESSAGE),
    "alias only": ("topic: {id: x}\nentries: *nowhere\n", 2, ALIAS_MESSAGE),
    "10,000-deep flow list": ("topic: {id: x}\nentries: " + "[" * 10_000 + "]" * 10_000 + "\n",
                              2, f"嵌套太深：超过 {MAX_DEPTH} 层"),
    "10,000-deep block list": ("topic: {id: x}\n\nentries:\n  " + "- " * 10_000 + "x\n",
                               4, f"嵌套太深：超过 {MAX_DEPTH} 层"),
    "10,000-deep mapping": ("topic: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
                            1, f"嵌套太深：超过 {MAX_DEPTH} 层"),
    "oversize file": ("topic: {id: x}\nanswer: " + "x" * MAX_FILE_BYTES + "\n", 0, "文件太大"),
    # the list itself is value 1, so its item on line MAX_VALUES is one too many
    "too many values": ("- 1\n" * (MAX_VALUES + 1), MAX_VALUES, f"超过 {MAX_VALUES} 个值"),
}

# Reads each file under a 256 MB address-space limit, so a regression fails with MemoryError
# instead of eating the machine; prints one JSON line per file.
PROBE = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (256 * 2**20, 256 * 2**20))
sys.setrecursionlimit(200)  # a recursive walk of any depth above ~50 would now fail too
from faq.yamlfile import YamlError, read_yaml
for name in sys.argv[1:]:
    started = time.perf_counter()
    try:
        read_yaml(Path(name))
        problem = [-1, "accepted", "accepted"]
    except YamlError as exc:
        problem = [exc.problem.line, exc.problem.message, str(exc)]
    print(json.dumps([*problem, time.perf_counter() - started]))
"""


Probed = tuple[int, str, str, float]  # line, message, the whole error, seconds


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Probed]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = []
    for i, (text, _, _) in enumerate(HOSTILE.values()):
        paths.append(folder / f"f{i}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", PROBE, *map(str, paths)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines()]
    return {name: (int(line), str(message), str(text), float(seconds))
            for name, (line, message, text, seconds) in zip(HOSTILE, results, strict=True)}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_gives_one_located_chinese_error(probed: dict[str, Probed],
                                                      name: str) -> None:
    _, line, words = HOSTILE[name]
    got_line, message, text, seconds = probed[name]
    assert (got_line, words in message) == (line, True), text
    file = f"f{list(HOSTILE).index(name)}.yaml"
    assert f"{file}:{line}: error: " in text if line else f"{file}: error: " in text
    assert seconds < 1.0


def test_hostile_files_in_a_content_folder_give_one_problem_each(tmp_path: Path) -> None:
    folder = tmp_path / "entries"
    folder.mkdir()
    for i, (text, _, _) in enumerate(HOSTILE.values()):
        (folder / f"f{i}.yaml").write_text(text, encoding="utf-8")
    _, problems = load_content(FaqPaths(entries=folder, base=tmp_path))
    assert sorted((p.file, p.line) for p in problems) == sorted(
        (f"entries/f{i}.yaml", line) for i, (_, line, _) in enumerate(HOSTILE.values()))


def error_for(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "x.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        read_yaml(path, "x.yaml")
    return str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: [x,\nc: 2\n", "x.yaml:4: error: YAML 格式错误：did not find expected ',' or ']'"
                             "（while parsing a flow sequence，从第 2 行开始）"),
    ("a: 1\n\tb: 2\n", "x.yaml:2: error: YAML 格式错误："),
    ("a: 1\n---\nb: 2\n", "x.yaml:2: error: YAML 格式错误：but found another document"),
    ("a: 1\nb: 2017-02-30\n", "x.yaml:2: error: 无法读取这个值：day is out of range"),
    ("a:\n  - 1\n  - " + "9" * 5000 + "\n", "x.yaml:3: error: 无法读取这个值："),
    (b"a: 1\nb: \xff\xfe\n", "x.yaml:2: error: 无法读取文件：不是 UTF-8 编码的文本"),
    ("a: 1\nb: !!python/object:os.system x\n", "x.yaml:2: error: YAML 格式错误："),
])
def test_errors_are_in_chinese_with_file_and_line(tmp_path: Path, text: str | bytes,
                                                  expected: str) -> None:
    assert error_for(tmp_path, text).startswith(expected)


def test_nesting_up_to_the_limit_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("\n" + "- " * MAX_DEPTH + "x\n", encoding="utf-8")
    doc = read_yaml(path)
    data = doc.data
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == ["x"] and doc.line(*[0] * MAX_DEPTH) == 2


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match="^nope.yaml: error: 找不到文件$"):
        read_yaml(tmp_path / "nope.yaml", "nope.yaml")
    with pytest.raises(YamlError, match="^dir: error: 无法读取文件："):
        read_yaml(tmp_path, "dir")


def test_lines_are_recorded_for_every_value(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("topic:\n  id: x\nentries:\n  - id: a\n    alternates:\n      - 一\n"
                    "      - 二\n  - id: b\n    answer: >\n      长\n", encoding="utf-8")
    doc = read_yaml(path)
    assert doc.data["entries"][1] == {"id": "b", "answer": "长\n"}
    assert [doc.line("topic"), doc.line("topic", "id"), doc.line("entries", 0, "alternates", 1),
            doc.line("entries", 1), doc.line("entries", 1, "answer"),
            doc.line("entries", 1, "answer", "nothing")] == [1, 2, 7, 8, 9, 9]


def test_check_reports_a_bomb_without_a_traceback(faq_copy: Path) -> None:
    entries = faq_copy.parent / "faq" / "data" / "entries"
    (entries / "bomb.yaml").write_text(HOSTILE["billion laughs"][0], encoding="utf-8")
    env = {**os.environ, "UNIONBOT_CONFIG": str(faq_copy)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "check", "--quick"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 1
    assert f"faq/data/entries/bomb.yaml:2: error: {ALIAS_MESSAGE}" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
