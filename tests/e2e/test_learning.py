"""End-to-end: the staff learning loop through the real python-telegram-bot stack and the
fake Bot API. Workers ask and pick; staff review, accept, check, /reload; the next worker is
answered directly. And /review in Telegram: staff only, private only, ✅/❌ checked on press."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import html
import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from e2e_harness import STAFF_ID, Harness, pick
from fake_updates import text_update
from storage_helpers import records_env

from bot import reports
from bot.cli import main
from bot.payload import Action
from bot.records import Verdict
from bot.replies import ReplyKind
from bot.storage import Location, is_shared
from faq.messages import MessageKey as K

WORKERS = [3001 + n for n in range(6)]
# Questions the shipped FAQ may answer with "did you mean"; the test uses the first that does.
CLARIFYING = ("下岗职工开店工会能给多少钱", "工会能借多少钱", "工会帮不帮人创业", "工匠",
              "培训", "补贴", "帮扶", "创业")
# Six workers' own words for one question: different as typed, alike once normalised.
OWN_WORDS = ("{q}", "请问{q}", "{q}？", "你好，{q}", "{q}呢", "师傅 {q}！")
COMMENT = "# 工作人员备注：这一行是注释，改动后必须还在\n"


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], workspace: Path,
        db: Location, *args: str) -> tuple[int, str]:
    """Run `unionbot ARGS` against the running bot's records; returns (exit code, output)."""
    for name, value in records_env(db).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main([*args, "--config", str(workspace / "config.yaml")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


async def test_six_workers_pick_staff_accept_reload_answers(
        bot: Harness, workspace: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    question = pick(bot.dialogue, ReplyKind.CLARIFY, CLARIFYING)
    entry_id = bot.dialogue.ask(question).suggestions[0].entry_id
    for worker, words in zip(WORKERS, OWN_WORDS, strict=True):
        reply = await bot.say(worker, words.format(q=question))
        chosen = [raw for raw in reply.payloads()
                  if (p := bot.dialogue.codec.decode(raw)) and p.action is Action.ENTRY
                  and p.target == entry_id and p.question]
        assert chosen, reply.labels()
        await bot.tap(worker, chosen[0])
    await bot.store.flush()
    db = bot.channel.service.dialogue.config.store_location
    topic = workspace / bot.dialogue.knowledge.entries[entry_id].file
    topic.write_text(COMMENT + topic.read_text(encoding="utf-8").replace(
        "entries:\n", "entries:  # 条目列表\n", 1), encoding="utf-8")
    before = topic.read_text(encoding="utf-8")

    code, out = await asyncio.to_thread(cli, monkeypatch, capsys, workspace, db,
                                        "review", "--days", "7")
    assert code == 0, out
    found = re.search(rf"\[(a[a-z2-7]{{6}})\] 加为问法 → {re.escape(entry_id)}", out)
    assert found, out
    block = out[found.start():].split("\n\n")[0]
    assert "6 次，6 位职工" in block and question in block
    code, out = await asyncio.to_thread(cli, monkeypatch, capsys, workspace, db,
                                        "review", "--accept", found.group(1))
    assert code == 0 and "检查通过" in out, out

    after = topic.read_text(encoding="utf-8")
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]
    assert len(diff) == 1 and diff[0].startswith("+") and question in diff[0], diff
    assert after.startswith(COMMENT) and "entries:  # 条目列表\n" in after
    code, out = await asyncio.to_thread(cli, monkeypatch, capsys, workspace, db, "check")
    assert code == 0 and "通过：" in out, out

    reload = await bot.say(STAFF_ID, "/reload")
    assert reload.text == html.escape(reports.reload_text(bot.dialogue, []).strip(), quote=False)
    assert bot.dialogue.ask(question).kind is ReplyKind.ANSWER
    answer = await bot.say(4001, question)
    expected = bot.dialogue.ask(question)
    assert expected.entry_id == entry_id
    assert answer.text == html.escape(expected.text.strip(), quote=False)
    code, out = await asyncio.to_thread(cli, monkeypatch, capsys, workspace, db,
                                        "review", "--days", "7")
    assert found.group(1) not in out  # accepted: gone from the queue


async def test_review_in_telegram_is_for_staff_in_private(bot: Harness, workspace: Path) -> None:
    question = pick(bot.dialogue, ReplyKind.CLARIFY, CLARIFYING)
    entry_id = bot.dialogue.ask(question).suggestions[0].entry_id
    reply = await bot.say(WORKERS[0], question)
    await bot.tap(WORKERS[0], next(raw for raw in reply.payloads()
                                   if (p := bot.dialogue.codec.decode(raw))
                                   and p.target == entry_id))
    for command in ("/review", "/review 30"):
        refusal = await bot.say(WORKERS[1], command)
        assert refusal.text == html.escape(bot.dialogue.msg(K.STAFF_ONLY), quote=False)
    group = (await bot.send(text_update(STAFF_ID, "/review", chat_id=-500, kind="group"),
                            -500))[0]
    assert group.text == html.escape(bot.dialogue.msg(K.STAFF_PRIVATE_ONLY), quote=False)

    listing = await bot.say(STAFF_ID, "/review")
    assert entry_id in listing.text and question in listing.text
    accept, reject = listing.payloads()[:2]
    assert [bot.dialogue.codec.decode(p).action for p in (accept, reject)] == \
        [Action.REVIEW_ACCEPT, Action.REVIEW_REJECT]
    assert listing.labels()[:2] == [bot.dialogue.msg(K.REVIEW_ACCEPT_BUTTON, n="1"),
                                    bot.dialogue.msg(K.REVIEW_REJECT_BUTTON, n="1")]

    topic = workspace / bot.dialogue.knowledge.entries[entry_id].file
    before = topic.read_text(encoding="utf-8")
    forged = await bot.tap(WORKERS[1], accept)  # a worker presses a staff button
    assert forged.text == html.escape(bot.dialogue.msg(K.STAFF_ONLY), quote=False)
    assert topic.read_text(encoding="utf-8") == before and await bot.store.decisions() == []

    rejected = await bot.tap(STAFF_ID, reject)
    sid = bot.dialogue.codec.decode(reject).target
    assert f"[{sid}]" in rejected.text
    assert [(d.key, d.verdict) for d in await bot.store.decisions()] == [(sid, Verdict.REJECT)]
    assert topic.read_text(encoding="utf-8") == before
    again = await bot.say(STAFF_ID, "/review")
    assert sid not in again.text
    late = await bot.tap(STAFF_ID, accept)  # the same suggestion, already decided
    assert bot.dialogue.msg(K.VERDICT_REJECT) in late.text
    assert topic.read_text(encoding="utf-8") == before


def text_cells(location: Location) -> dict[str, list[tuple[str, str]]]:
    """Every table's (column, value) text cells, in either store."""
    if is_shared(location):
        db: Any = psycopg.connect(str(location))
        listing = ("SELECT table_name FROM information_schema.tables"
                   " WHERE table_schema = 'public'")
    else:
        db = sqlite3.connect(location)
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    with contextlib.closing(db):
        tables = [t for (t,) in db.execute(listing).fetchall()]
        found = {}
        for table in tables:
            cursor = db.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            found[table] = [(c, v) for row in cursor.fetchall()
                            for c, v in zip(columns, row, strict=True) if isinstance(v, str)]
    return found


# Columns that hold ids the bot made (salted hashes, random keys), never anything a worker wrote.
MACHINE_IDS = {"worker", "event_id", "question_id", "key"}


async def test_no_raw_identity_or_long_number_in_any_table(bot: Harness, workspace: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    worker, name, username = 987654321, "王建国", "wang_jianguo88"
    update = text_update(worker, "我电话13812345678，" + pick(bot.dialogue, ReplyKind.CLARIFY,
                                                              CLARIFYING))
    update["message"]["from"].update(first_name=name, last_name="Zhang", username=username)
    update["message"]["chat"].update(first_name=name, username=username)
    reply = (await bot.send(update, worker))[0]
    await bot.tap(worker, reply.payloads()[0])  # a suggestion, or a topic on a fallback
    answer = await bot.say(worker, "身份证130102199001011234 工会无息借款能借多久")
    for raw in answer.payloads():
        if (p := bot.dialogue.codec.decode(raw)) and p.action is Action.FEEDBACK_NO:
            await bot.tap(worker, raw)
    await bot.store.flush()
    location = bot.channel.service.dialogue.config.store_location
    cells = text_cells(location)
    assert {"questions", "events", "review_decisions"} <= set(cells)
    texts = [(column, value) for found in cells.values() for column, value in found]
    assert any("*" * 11 in v for _, v in texts)  # the phone number was there, masked
    for column, value in texts:
        assert str(worker) not in value and name not in value and username not in value
        if column not in MACHINE_IDS:  # a random or hashed id may hold seven digits in a row
            assert not re.search(r"[0-9]{7,}", value), (column, value)
    if not is_shared(location):  # and in the file's bytes, free pages included
        db_path = Path(location)
        raw_bytes = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*")
                             if not p.name.endswith(".salt"))
        assert str(worker).encode() not in raw_bytes and username.encode() not in raw_bytes
    csv_path = workspace / "questions.csv"
    code, out = await asyncio.to_thread(cli, monkeypatch, capsys, workspace, location,
                                        "export", "questions", "--csv", str(csv_path))
    exported = csv_path.read_text(encoding="utf-8-sig")
    assert code == 0 and "我电话***********" in exported and str(worker) not in exported
