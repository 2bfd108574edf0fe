"""The `unionbot` command line, run as a worker or staff member would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.cli import chat_loop, main
from bot.dialogue import Dialogue
from bot.service import Service
from faq.messages import MessageKey

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None, config: Path | None = None,
        extra_env: dict[str, str] | None = None):
    env = dict(os.environ)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.update(extra_env or {})
    if config is not None:
        env["UNIONBOT_CONFIG"] = str(config)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120)


def test_ask_json_has_the_documented_fields() -> None:
    out = run("ask", "--json", "工会无息借款能借几年")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"question", "answered", "outcome", "entry_id", "score", "text",
            "suggestions"} <= set(data)
    assert data["question"] == "工会无息借款能借几年"
    assert data["outcome"] in ("answer", "clarify")
    if data["outcome"] == "answer":
        assert data["answered"] is True and data["entry_id"] == "interest-free-loan"
    else:
        assert data["suggestions"][0]["id"] == "interest-free-loan"


def test_ask_prints_text_and_numbered_buttons() -> None:
    out = run("ask", "老板拖欠工资怎么办")
    assert out.returncode == 0
    assert "12351" in out.stdout and "[1]" in out.stdout


def test_ask_reads_stdin_one_json_line_per_question_in_order() -> None:
    questions = ["工会无息借款能借几年", "", "明天下雨吗", "😀", "河北大工匠是什么"]
    out = run("ask", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert lines[2]["outcome"] == "fallback" and lines[2]["answered"] is False
    assert lines[3]["outcome"] == "fallback"


def test_check_passes_on_the_shipped_faq() -> None:
    out = run("check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1].startswith("通过：")


def test_check_fails_on_a_broken_copy_naming_file_and_line(faq_copy: Path) -> None:
    topic = faq_copy.parent / "faq" / "data" / "entries" / "startup_aid.yaml"
    lines = topic.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("- id:"))
    lines.insert(index + 1, "    question: [broken")
    topic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run("check", config=faq_copy)
    assert out.returncode == 1
    # PyYAML notices the unclosed [ on the next line and says where it was opened
    assert f"faq/data/entries/startup_aid.yaml:{index + 3}: error: YAML 格式错误" in out.stdout
    assert f"从第 {index + 2} 行开始" in out.stdout
    assert "未通过" in out.stdout


def test_check_path_argument_and_config_flag(faq_copy: Path) -> None:
    folder = faq_copy.parent / "faq" / "data"
    (folder / "entries" / "extra.yaml").write_text("topic: {id: x}\n", encoding="utf-8")
    out = run("--config", str(faq_copy), "check", str(folder), "--quick")
    assert out.returncode == 1 and "extra.yaml:1:" in out.stdout
    # one topic file alone: its links to entries in other files are reported as broken
    assert main(["check", "--config", str(faq_copy), str(folder / "entries" / "help.yaml"),
                 "--quick"]) == 1


def test_bad_config_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("faq: [unclosed\n", encoding="utf-8")
    out = run("--config", str(bad), "ask", "你好")
    assert out.returncode == 2 and "config.yaml:" in out.stderr


def test_run_without_token_opens_console_chat() -> None:
    out = run("run", stdin="工会无息借款能借几年\nq\n")
    assert out.returncode == 0
    first = out.stdout.splitlines()[0]
    assert "TELEGRAM_BOT_TOKEN" in first


async def test_chat_accepts_numbers_for_buttons(shipped_dialogue: Dialogue) -> None:
    said: list[str] = []
    typed = iter(["1", "1", "/menu", "q"])
    await chat_loop(Service(shipped_dialogue, None, b""), read=lambda _: next(typed),
                    write=said.append)
    topic = shipped_dialogue.knowledge.content.topics[0]
    assert shipped_dialogue.msg(MessageKey.TOPIC_ENTRIES, topic=topic.title) in said[1]
    first_entry = shipped_dialogue.knowledge.entries[topic.entry_ids[0]]
    assert shipped_dialogue.render(first_entry.answer) in said[2]
    assert shipped_dialogue.msg(MessageKey.MENU) in said[3]


def test_chat_record_stores_like_telegram(faq_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite3"
    env = {"UNIONBOT_DB": str(db), "UNIONBOT_SALT": "s"}
    out = run("chat", "--record", stdin="工会无息借款能借几年\n/menu\nq\n", config=faq_copy,
              extra_env=env)
    assert out.returncode == 0, out.stderr
    stats = run("stats", config=faq_copy, extra_env=env)
    assert stats.returncode == 0 and "共 1 次提问" in stats.stdout, stats.stdout
    out = run("chat", stdin="工会无息借款能借几年\nq\n", config=faq_copy, extra_env=env)
    assert out.returncode == 0
    assert "共 1 次提问" in run("stats", config=faq_copy, extra_env=env).stdout


def test_broken_content_refuses_to_start(faq_copy: Path) -> None:
    topic = faq_copy.parent / "faq" / "data" / "entries" / "startup_aid.yaml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("related: [", "related: [no-such-entry, ", 1), "utf-8")
    for args in (["ask", "借款"], ["run"], ["chat"]):
        out = run(*args, stdin="q\n", config=faq_copy)
        assert out.returncode == 1, (args, out.stdout)
        assert "faq/data/entries/startup_aid.yaml:" in out.stderr
        assert "no-such-entry" in out.stderr and "Traceback" not in out.stderr
