"""Several source documents, the older single `source_document`, and the contacts config holds:
what 原文, {source_note} and {contacts} show, and what check says about them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import payload_of

from bot.config import ConfigError, load_config
from bot.loading import errors_of, load_checked, open_dialogue
from bot.payload import Action, Codec

ROOT = Path(__file__).resolve().parent.parent

TOPIC = """\
topic: {id: demo, title: 演示}
entries:
  - id: loan-term
    label: 借款期限
    question: 无息借款用多久？
    alternates: [无息借款期限, 借款几年还, 无息借款能用几年]
    answer: |
      {source_note}，无息借款能用1到3年。
      {contacts}
    source: [使用期限为1到3年]
  - id: later-loan
    label: 后来的借款
    question: 后来的报道怎么说借款？
    alternates: [后来借款, 新报道借款, 借款后来怎样]
    answer: |
      {source_note}，借款能用5年。
    source:
      - doc: later
        text: 借款使用期限延长到5年
      - 使用期限为1到3年
"""
SOURCES = """\
  sources:
    - {id: first, file: first.txt, title: 第一篇报道, short: 这篇报道, date: 2017年}
    - {id: later, file: later.txt, title: 第二篇报道, short: 后一篇报道}
"""


def setup(tmp_path: Path, faq_extra: str = SOURCES, contacts: str | None = None) -> Path:
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "demo.yaml").write_text(TOPIC, encoding="utf-8")
    shutil.copy(ROOT / "faq" / "data" / "messages.yaml", tmp_path / "messages.yaml")
    (tmp_path / "first.txt").write_text("……使用期限为1到3年，到期全额归还。", encoding="utf-8")
    (tmp_path / "later.txt").write_text("后来，借款使用期限延长到5年。", encoding="utf-8")
    config = ("faq:\n  entries: entries\n  synonyms: ''\n  flows: ''\n  silent: ''\n"
              "  messages: messages.yaml\n" + faq_extra
              + "check: {min_alternates: 3}\n" + (contacts or ""))
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    return tmp_path / "config.yaml"


def test_each_entry_names_its_own_document(tmp_path: Path) -> None:
    dialogue = open_dialogue(load_config(setup(tmp_path), env={}), key=b"k")
    first, later = (dialogue.knowledge.entries[e] for e in ("loan-term", "later-loan"))
    assert dialogue.answer(first).text.startswith("据这篇报道（2017年），")
    assert dialogue.answer(later).text.startswith("据后一篇报道，")  # no date in config
    source = dialogue.press(payload_of(dialogue, dialogue.answer(later), Action.SOURCE)).text
    blocks = source.split("\n\n")
    assert len(blocks) == 2
    assert "《第二篇报道》" in blocks[0] and "「借款使用期限延长到5年」" in blocks[0]
    assert "《第一篇报道》（2017年）" in blocks[1] and "「使用期限为1到3年」" in blocks[1]


def test_each_passage_is_checked_against_its_own_document(tmp_path: Path) -> None:
    config = setup(tmp_path)
    (tmp_path / "later.txt").write_text("后来的报道没有说期限。", encoding="utf-8")
    _, problems = load_checked(load_config(config, env={}), Codec(b"k"))
    assert [str(p) for p in errors_of(problems)] == [
        "entries/demo.yaml:18: error: 条目 later-loan：原文「借款使用期限延长到5年」"
        "在来源报道 later 里找不到（要一字不差地复制，标点也要一样）"]


def test_the_older_single_source_document_still_works(tmp_path: Path) -> None:
    text = TOPIC.split("  - id: later-loan")[0]
    config = setup(tmp_path, "  source_document: first.txt\n")
    (tmp_path / "entries" / "demo.yaml").write_text(text, encoding="utf-8")
    loaded = load_config(config, env={})
    [doc] = loaded.faq.sources
    assert doc.id == "report" and doc.path == tmp_path / "first.txt"
    _, problems = load_checked(loaded, Codec(b"k"))
    assert errors_of(problems) == []
    dialogue = open_dialogue(loaded, key=b"k")
    assert dialogue.answer(dialogue.knowledge.entries["loan-term"]).text.startswith("据这篇报道，")


CONTACTS = """\
contacts:
  - {name: 全国职工服务热线, value: "12351"}
  - {name: 石家庄市总工会, phone: "0311-0000001", hours: 工作日 9:00-17:00}
  - {name: 唐山市总工会, phone: "0315-0000002"}
  - {name: 邯郸市总工会, phone: "0310-0000003"}
  - {name: 某某县总工会, phone: "0000-0000004"}
"""


def test_contacts_show_compactly_and_in_full_behind_the_button(tmp_path: Path) -> None:
    dialogue = open_dialogue(load_config(setup(tmp_path, contacts=CONTACTS), env={}), key=b"k")
    answer = dialogue.answer(dialogue.knowledge.entries["loan-term"]).text
    lines = [line for line in answer.splitlines() if line.startswith("• ")]
    assert lines == ["• 全国职工服务热线：12351",
                     "• 石家庄市总工会：0311-0000001（工作日 9:00-17:00）",
                     "• 唐山市总工会：0315-0000002", "• 邯郸市总工会：0310-0000003"]
    everyone = dialogue.press(payload_of(dialogue, dialogue.menu(), Action.CONTACTS)).text
    assert "某某县总工会：0000-0000004" in everyone and "12351" in everyone


def test_12351_is_the_default_and_a_contact_needs_a_value(tmp_path: Path) -> None:
    loaded = load_config(setup(tmp_path), env={})
    assert [(c.name, c.value) for c in loaded.contacts] == [("全国职工服务热线", "12351")]
    other = tmp_path / "other"
    other.mkdir()
    bad = setup(other, contacts="contacts:\n  - {name: 某市总工会}\n")
    with pytest.raises(ConfigError, match=r"config.yaml:12: 每个联系方式都要有 name"):
        load_config(bad, env={})


@pytest.mark.parametrize(("sources", "words"), [
    ("  sources:\n    - {id: first, title: 没有文件}\n", "每个来源都要有 file"),
    ("  sources:\n    - {id: First, file: first.txt, title: t}\n", "来源的 id 不能重复"),
    ("  sources:\n    - {id: first, file: first.txt, title: t, year: 2017}\n",
     "不认识的字段 'year'"),
    ("  sources: first.txt\n", "faq.sources 要写成一个列表"),
])
def test_a_malformed_source_list_is_a_config_error(tmp_path: Path, sources: str,
                                                   words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(setup(tmp_path, sources), env={})


@pytest.mark.parametrize(("passage", "words"), [
    ("      - doc: later\n", "要有 doc（config.yaml 里来源的 id）和 text（原文）两项"),
    ("      - doc: later\n        text: 借款使用期限延长到5年\n        page: 3\n",
     "不认识的字段 'page'"),
])
def test_a_malformed_passage_is_reported_at_its_line(tmp_path: Path, passage: str,
                                                     words: str) -> None:
    config = setup(tmp_path)
    topic = tmp_path / "entries" / "demo.yaml"
    text = topic.read_text(encoding="utf-8")
    good = "      - doc: later\n        text: 借款使用期限延长到5年\n"
    topic.write_text(text.replace(good, passage), encoding="utf-8")
    _, problems = load_checked(load_config(config, env={}), Codec(b"k"))
    [error] = [str(p) for p in errors_of(problems)]
    assert error.startswith("entries/demo.yaml:18: error: 条目 later-loan：") and words in error
