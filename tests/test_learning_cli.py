"""`unionbot review`, `replay`, `export` and the reports on the command line, over records made
by the Service as Telegram makes them, on a copy of the shipped FAQ."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.loading import open_dialogue
from bot.payload import Action
from bot.records import EventKind, EventRecord, QuestionRecord, new_question_id
from bot.replies import Reply, ReplyKind
from bot.review import SuggestionKind, wording_key
from bot.service import Service
from bot.storage.sqlite import SqliteStore
from faq.messages import MessageKey
from tests.helpers import payload_of

CLARIFYING = ("工会帮不帮人创业", "工匠", "培训", "补贴", "帮扶", "创业")
OWN_WORDS = ("{q}", "请问{q}", "{q}？")
ANSWERED = "工会无息借款能借多久"


@pytest.fixture
def records(faq_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three workers ask one question that clarifies and pick its first suggestion; another
    two ask something off-topic. Returns the database (UNIONBOT_DB and the config are set)."""
    db = faq_copy.parent / "records.sqlite3"
    monkeypatch.setenv("UNIONBOT_DB", str(db))
    monkeypatch.setenv("UNIONBOT_CONFIG", str(faq_copy))
    monkeypatch.setenv("UNIONBOT_SALT", "test salt")

    async def fill() -> None:
        config = load_config(faq_copy)
        service = Service(open_dialogue(config, key=b"k"), SqliteStore(db), b"test salt")
        question = next(q for q in CLARIFYING
                        if service.dialogue.ask(q).kind is ReplyKind.CLARIFY)
        for n, words in enumerate(OWN_WORDS):
            reply = await service.text(100 + n, words.format(q=question))
            target = reply.suggestions[0].entry_id
            await service.button(100 + n, payload_of(service.dialogue, reply, Action.ENTRY,
                                                     target))
        for n in range(2):
            await service.text(200 + n, "今天天气怎么样")
        await service.close()

    asyncio.run(fill())
    return db


def queue_ids(out: str, kind: SuggestionKind) -> list[str]:
    letter = {SuggestionKind.ALTERNATE: "a", SuggestionKind.NEW_ENTRY: "n"}[kind]
    return [part[1:8] for part in out.split() if part.startswith("[" + letter)]


def test_reports_without_a_database_say_so_and_create_nothing(tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    db = tmp_path / "nowhere" / "none.sqlite3"
    monkeypatch.setenv("UNIONBOT_DB", str(db))
    for args in (["stats"], ["unanswered"], ["review"], ["review", "--reject", "aaaaaaa"],
                 ["replay"], ["export", "questions", "--csv", str(tmp_path / "q.csv")]):
        assert main(args) == 1, args
        assert "没有找到记录数据库" in capsys.readouterr().err
    assert not db.exists() and not db.parent.exists()
    assert not (tmp_path / "q.csv").exists()


def test_review_lists_rejects_and_forgets(records: Path, capsys) -> None:
    assert main(["review", "--days", "7"]) == 0
    out = capsys.readouterr().out
    [alternate] = queue_ids(out, SuggestionKind.ALTERNATE)
    [unanswered] = queue_ids(out, SuggestionKind.NEW_ENTRY)
    assert "3 次，3 位职工" in out and "2 次，2 位职工" in out and "今天天气怎么样" in out
    assert main(["review", "--min-count", "3"]) == 0
    assert queue_ids(capsys.readouterr().out, SuggestionKind.NEW_ENTRY) == []
    assert main(["review", "--reject", f"[{unanswered.upper()}]"]) == 0
    assert "不采纳" in capsys.readouterr().out
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert unanswered not in out and alternate in out
    assert main(["review", "--reject", unanswered]) == 0
    assert "已经处理过" in capsys.readouterr().out
    assert main(["review", "--accept", "azzzzzz"]) == 1
    assert "找不到" in capsys.readouterr().out


def test_accept_then_replay_shows_the_effect(records: Path, faq_copy: Path, capsys) -> None:
    main(["review"])
    [alternate] = queue_ids(capsys.readouterr().out, SuggestionKind.ALTERNATE)
    assert main(["review", "--accept", alternate]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert main(["replay", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "新能直接回答（3 次）" in out and "✓ 正是职工选的" in out
    assert "直接答成他选的条目 0 次 → 3 次" in out
    original = Path(__file__).resolve().parent.parent / "faq"
    assert main(["replay", "--faq", str(original / "data")]) == 0
    assert "不再直接回答（3 次）" in capsys.readouterr().out  # the shipped FAQ lacks it
    assert main(["review", "--accept", alternate]) == 0
    assert "已经处理过" in capsys.readouterr().out


def test_accept_refuses_what_the_check_fails_and_changes_nothing(records: Path,
                                                                faq_copy: Path,
                                                                capsys) -> None:
    config = load_config(faq_copy)
    dialogue = open_dialogue(config, key=b"k")
    answered = dialogue.ask(ANSWERED)
    other = next(e for e in dialogue.knowledge.entries if e != answered.entry_id)
    qid = new_question_id()

    async def mispick() -> None:  # a worker picked another entry for an answered wording
        store = SqliteStore(records)
        await store.record_question("w9", QuestionRecord(
            question_id=qid, text=ANSWERED, query=answered.query, outcome="clarify",
            entry_id=None, score=40.0, candidates=(other,)))
        await store.record_event("w9", EventRecord(kind=EventKind.PICK, question_id=qid,
                                                   entry_id=other))
        await store.close()

    asyncio.run(mispick())
    files = {p: p.read_text(encoding="utf-8") for p in config.faq.entries.glob("*.yaml")}
    sid = wording_key(SuggestionKind.ALTERNATE, other, answered.query)
    assert main(["review", "--accept", sid]) == 1
    out = capsys.readouterr().out
    assert "没有修改任何文件" in out and f"会被答成条目 {answered.entry_id}" in out
    assert {p: p.read_text(encoding="utf-8") for p in files} == files
    assert not [p for p in config.faq.entries.iterdir() if p.name.startswith(".")]
    assert main(["review"]) == 0 and sid in capsys.readouterr().out  # still open


def test_exports_open_in_excel(records: Path, tmp_path: Path, capsys) -> None:
    for table in ("questions", "review", "stats"):
        path = tmp_path / f"{table}.csv"
        assert main(["export", table, "--csv", str(path)]) == 0
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), table
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert all("\u4e00" <= ch <= "\u9fff" or not ch.isalpha() for ch in rows[0][0])
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), table
    questions = (tmp_path / "questions.csv").read_text(encoding="utf-8-sig")
    assert "今天天气怎么样" in questions and "请问" in questions and "没能回答" in questions
    stats = list(csv.reader((tmp_path / "stats.csv").read_text(encoding="utf-8-sig")
                            .splitlines()))
    assert {r[0] for r in stats[1:]} == {"条目", "测评"}
    assert sum(int(r[5]) for r in stats[1:] if r[0] == "条目") == 3  # the three picks
    assert "已写入" in capsys.readouterr().out


def test_stats_adds_picks_flows_and_disliked(records: Path, capsys) -> None:
    async def more() -> None:
        config = load_config()
        service = Service(open_dialogue(config, key=b"k"), SqliteStore(records), b"s")
        menu = await service.command(300, "start")
        flow = next(b.payload for b in menu.flat_buttons()
                    if (p := service.dialogue.codec.decode(b.payload)) and p.action is Action.FLOW)
        await service.button(300, flow)
        reply: Reply = await service.text(301, ANSWERED)
        await service.button(301, payload_of(service.dialogue, reply, Action.FEEDBACK_NO))
        await service.button(301, payload_of(service.dialogue, reply, Action.SOURCE))
        await service.delivery_failed(301, reply)
        await service.close()

    asyncio.run(more())
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "选了建议：3/3（100%）" in out
    assert "点「📄 原文」：1 次；没送到职工手里的回复：1 次" in out
    assert "：1 / 0 / 0 / 0 / 1" in out  # started, not finished (within the hour)
    assert "👎 1" in out


def test_accept_on_a_faq_that_is_already_broken_says_so(records: Path, faq_copy: Path,
                                                        capsys) -> None:
    main(["review"])
    [alternate] = queue_ids(capsys.readouterr().out, SuggestionKind.ALTERNATE)
    topic = faq_copy.parent / "faq" / "data" / "entries" / "help.yaml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace("related: [", "related: [no-such-entry, ", 1), "utf-8")
    files = {p: p.read_text(encoding="utf-8") for p in topic.parent.glob("*.yaml")}
    assert main(["review", "--accept", alternate]) == 1
    out = capsys.readouterr().out
    assert "现在就有错误" in out and "no-such-entry" in out
    assert {p: p.read_text(encoding="utf-8") for p in files} == files


def test_a_pick_after_a_silent_question_is_no_alternate(records: Path, faq_copy: Path,
                                                        capsys) -> None:
    """The worker who asked when the aid arrives and opened an aid entry read what the report
    says; as the entry's alternate the wording would silence the note that it says no more."""
    config = load_config(faq_copy)
    dialogue = open_dialogue(config, key=b"k")
    asked = "１０万扶持资金多久能到账"
    reply = dialogue.ask(asked)
    assert reply.silent and reply.suggestions
    picked = reply.suggestions[0].entry_id

    async def pick() -> None:
        service = Service(dialogue, SqliteStore(records), b"test salt")
        shown = await service.text(300, asked)
        await service.button(300, payload_of(dialogue, shown, Action.ENTRY, picked))
        await service.close()

    asyncio.run(pick())
    sid = wording_key(SuggestionKind.ALTERNATE, picked, reply.query)
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert sid not in out and len(queue_ids(out, SuggestionKind.ALTERNATE)) == 1  # the other
    files = {p: p.read_text(encoding="utf-8") for p in config.faq.entries.glob("*.yaml")}
    assert main(["review", "--accept", sid]) == 1
    out = capsys.readouterr().out
    assert reply.silent in out and "没有修改任何文件" in out
    assert {p: p.read_text(encoding="utf-8") for p in files} == files


def test_an_unanswered_silent_question_is_marked_so(records: Path, faq_copy: Path,
                                                     tmp_path: Path, capsys) -> None:
    """Two workers asked when the aid arrives, which the report never says: the review says the
    bot told them so, instead of suggesting an entry the report cannot back."""
    config = load_config(faq_copy)
    dialogue = open_dialogue(config, key=b"k")
    asked = "１０万扶持资金多久能到账"
    silent = dialogue.ask(asked).silent
    assert silent

    async def ask_twice() -> None:
        service = Service(dialogue, SqliteStore(records), b"test salt")
        for worker in (400, 401):
            await service.text(worker, asked)
        await service.close()

    asyncio.run(ask_twice())
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    sid = wording_key(SuggestionKind.NEW_ENTRY, None, dialogue.ask(asked).query)
    shown = dialogue.msg(MessageKey.REVIEW_SILENT, n="2", id=sid, what=silent)
    assert shown.split("]", 1)[1] in out and f"[{sid}]" in out
    assert "今天天气怎么样" in out and "可能要新增条目" in out  # the plain unanswered one stays
    path = tmp_path / "review.csv"
    assert main(["export", "review", "--csv", str(path)]) == 0
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[1] for r in rows if r[0] == sid] == [f"报道里没写（{silent}）"]
