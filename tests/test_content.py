"""Loading and checking FAQ files: every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.check import check_knowledge
from faq.content import FaqPaths, load_content
from faq.knowledge import MatchConfig, load_knowledge
from faq.layout import CheckConfig
from faq.sources import SourceDoc

GOOD = """\
topic:
  id: demo
  title: 演示
entries:
  - id: loan-term
    label: 借款期限
    question: 无息借款用多久？
    alternates: [无息借款期限, 借款几年还, 无息借款能用几年]
    answer: 使用期限为1到3年。
    source: [使用期限为1到3年]
    related: [loan-amount]
  - id: loan-amount
    label: 扶持金额
    question: 每个项目多少钱？
    alternates: [一个项目最多多少钱, 扶持金额, 能给多少钱]
    answer: 每个项目一般不超过10万元。
    source: [每个项目一般不超过10万元]
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    folder = tmp_path / "entries"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems_for(tmp_path: Path, text: str, document: str | None = None) -> list[str]:
    folder = write(tmp_path, text)
    doc = None
    if document is not None:
        doc = tmp_path / "doc.txt"
        doc.write_text(document, encoding="utf-8")
    sources = (SourceDoc("report", doc, "报道"),) if doc else ()
    paths = FaqPaths(entries=folder, sources=sources, base=tmp_path)
    knowledge, problems = load_knowledge(paths, MatchConfig())
    problems += check_knowledge(knowledge, paths, CheckConfig(min_alternates=3), deep=False,
                                verify_sources=doc is not None)
    return [str(p) for p in problems]


def test_good_file_loads_cleanly(tmp_path: Path) -> None:
    assert problems_for(tmp_path, GOOD, "……使用期限为1到3年，每个项目一般不超过10万元。") == []


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = GOOD.replace("    answer: 使用期限为1到3年。", "    answer: [unclosed")
    found = problems_for(tmp_path, broken)
    assert len(found) == 1
    assert found[0].startswith("entries/demo.yaml:10:") and "YAML 格式错误" in found[0]


@pytest.mark.parametrize(("change", "line", "words"), [
    (("    question: 无息借款用多久？\n", ""), 5, "question 不能为空"),
    (("id: loan-amount", "id: loan-term"), 12, "id 'loan-term' 重复了（entries/demo.yaml:5 也有）"),
    (("id: loan-amount", "id: Loan_Amount"), 12, "只能用小写字母、数字和短横线"),
    (("related: [loan-amount]", "related: [nowhere]"), 11, "related 里的条目 'nowhere' 不存在"),
    (("    source: [使用期限为1到3年]\n", ""), 5, "source 要引用报道原文"),
    (("alternates: [一个项目最多多少钱, 扶持金额, 能给多少钱]", "alternates: [只有一个]"), 15,
     "至少要 3 种"),
    (("    related: [loan-amount]\n", "    colour: red\n"), 11, "不认识的字段 'colour'"),
    (("answer: 每个项目一般不超过10万元。", "answer: 每个项目一般不超过20万元。"), 16,
     "答案里的「20万元」在本条目的原文（source）里找不到"),
    (("answer: 每个项目一般不超过10万元。", "answer: " + "很长" * 301), 16, "控制在 600 字以内"),
])
def test_each_fault_is_located(tmp_path: Path, change: tuple[str, str], line: int,
                               words: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    found = problems_for(tmp_path, text)
    assert any(p.startswith(f"entries/demo.yaml:{line}:") and words in p for p in found), found


def test_source_must_be_verbatim_in_document(tmp_path: Path) -> None:
    found = problems_for(tmp_path, GOOD, "使用期限为1到3年。每个项目一般不超过5万元。")
    assert len(found) == 1 and "entries/demo.yaml:17:" in found[0]
    assert "在来源报道 report 里找不到" in found[0]


def test_source_may_span_ocr_line_breaks(tmp_path: Path) -> None:
    assert problems_for(tmp_path, GOOD, "使用期限为1到\n\n3年。每个项目一般不超过10\n万元。") == []


def test_broken_topic_and_synonyms(tmp_path: Path) -> None:
    folder = write(tmp_path, "entries: []\n")
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("groups:\n  - [下岗, 失业]\n  - [失业, 分流]\n  - 孤零零\n",
                        encoding="utf-8")
    _, problems = load_content(FaqPaths(entries=folder, synonyms=synonyms, base=tmp_path))
    found = [str(p) for p in problems]
    assert any(p.startswith("entries/demo.yaml:1:") and "topic 要有 id 和 title" in p
               for p in found)
    assert "synonyms.yaml:3: error: '失业' 已经在第 2 行的那组里了" in found
    assert any(p.startswith("synonyms.yaml:4:") for p in found)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    folder = write(tmp_path, GOOD)
    (folder / "bad.yaml").write_bytes(b"\xff\xfe\x00bad")
    _, problems = load_content(FaqPaths(entries=folder, synonyms=tmp_path / "nope.yaml",
                                         base=tmp_path))
    found = [str(p) for p in problems]
    assert any(p.startswith("entries/bad.yaml") and "无法读取" in p for p in found)
    assert any(p.startswith("nope.yaml") and "找不到文件" in p for p in found)


def test_confusable_entries_are_reported(tmp_path: Path) -> None:
    twin = GOOD.replace("alternates: [一个项目最多多少钱, 扶持金额, 能给多少钱]",
                        "alternates: [无息借款期限是多久, 借款几年要还上, 无息借款可以用几年]")
    folder = write(tmp_path, twin)
    paths = FaqPaths(entries=folder, base=tmp_path)
    knowledge, _ = load_knowledge(paths, MatchConfig())
    found = [str(p) for p in check_knowledge(knowledge, paths, CheckConfig(min_alternates=3))]
    assert any(p.startswith("entries/demo.yaml:") and "会被答成条目 loan-" in p
               for p in found), found
    assert any("条目 loan-amount：和条目 loan-term 太像了" in p for p in found), found
    clean = [str(p) for p in check_knowledge(*_load(tmp_path, GOOD), verify_sources=False)]
    assert clean == []


def _load(tmp_path: Path, text: str):
    folder = write(tmp_path, text)
    paths = FaqPaths(entries=folder, base=tmp_path)
    knowledge, _ = load_knowledge(paths, MatchConfig())
    return knowledge, paths, CheckConfig(min_alternates=3)


def test_shipped_faq_is_clean(shipped_config) -> None:
    knowledge, problems = load_knowledge(shipped_config.faq, shipped_config.match)
    problems += check_knowledge(knowledge, shipped_config.faq, shipped_config.check)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert len(knowledge.entries) >= 35


def test_topics_follow_their_order(tmp_path: Path) -> None:
    folder = write(tmp_path, GOOD.replace("  title: 演示\n", "  title: 演示\n  order: 2\n"))
    (folder / "another.yaml").write_text(
        GOOD.replace("id: demo", "id: first")
        .replace("  title: 演示\n", "  title: 先\n  order: 1\n")
        .replace("loan-term", "b-term").replace("loan-amount", "b-amount"), encoding="utf-8")
    (folder / "last.yaml").write_text(
        GOOD.replace("id: demo", "id: last").replace("loan-", "c-"), encoding="utf-8")
    content, problems = load_content(FaqPaths(entries=folder, base=tmp_path))
    assert problems == []
    assert [t.id for t in content.topics] == ["first", "demo", "last"]
    bad = write(tmp_path, GOOD.replace("  title: 演示\n", "  title: 演示\n  order: soon\n"))
    _, problems = load_content(FaqPaths(entries=bad, base=tmp_path))
    assert any("entries/another.yaml" not in str(p) and "order 必须是整数" in str(p)
               for p in problems)
