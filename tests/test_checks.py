"""`unionbot check` on seeded faults in a copy of the shipped FAQ: each is reported in Chinese at
the file and line of the field it concerns, and a broken file at start-up refuses to start."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import run

from bot.cli import main
from bot.config import load_config
from bot.loading import open_dialogue
from bot.service import Service

STARTUP = "faq/data/entries/startup_aid.yaml"
HELP = "faq/data/entries/help.yaml"
MESSAGES = "faq/data/messages.yaml"
SYNONYMS = "faq/data/synonyms.yaml"
HONOURS = "faq/data/flows/honours_guide.yaml"
CONFIG = "config.yaml"
REPORT = "faq/data/sources/hebei-2017.txt"
OTHER_SOURCE = """\
    - id: other-2020
      file: faq/data/sources/other-2020.txt
      title: 另一篇报道
      date: 2020年
"""

Edit = tuple[str, str, str]  # file, text, replacement (first occurrence)


def seed(config: Path, edits: list[Edit]) -> None:
    root = config.parent
    for name, old, new in edits:
        path = root / name
        if not path.exists():  # a new file
            path.write_text(new, encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name}: {old!r} not found"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, after: str = "") -> int:
    """1-based line of the first line containing `needle` at or after the one with `after`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def check(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["check", "--config", str(config), "--quick", *args])
    return code, capsys.readouterr().out.splitlines()


LOAN = "id: interest-free-loan"
AMOUNT = "id: startup-aid-amount"
LOAN_TERM = "无息借款能用1到3年，"
LOAN_PASSAGE = ("      - 二是无息借款方式，由省总工会以无息借款的方式投放，作为项目启动周转资金，"
                "每个月一般不超过10万元，使用期限为1到3年，到期全额归还借款。\n")
PER_PROJECT = "      - 每个项目一般不超过10万元\n    related: [loan-interest-subsidy"
LONG_LABEL = "工会的无息借款能借多少钱又能用多久"  # 17 characters
RELATED = "related: [contact-union, about-source, startup-aid-overview]"
BROKEN_LINK = "related: [bot-capabilities, about-source, startup-aid-how-to-aply]"
MAY_DAY = "- id: may-day-medal"
LOAN_NAMES = "    names: [无息借款, 启动周转资金, 周转资金]"
EQUITY_NAMES = "    names: [资金入股, 共同持股, 配套资金]"


def passage(text: str) -> str:
    """PER_PROJECT with its passage replaced."""
    return PER_PROJECT.replace("每个项目一般不超过10万元", text)


# name, edits, (file, line needle, after) of the problem, words it must contain, severity
FAULTS: list[tuple[str, list[Edit], tuple[str, str, str], str, str]] = [
    ("50万 became 5万",
     [(STARTUP, "项目，不超过50万元（两条", "项目，不超过5万元（两条")],
     (STARTUP, "answer:", AMOUNT), "答案里的「5万元」在本条目的原文", "error"),
    ("10万 became 1万",
     [(STARTUP, "，每个项目一般不超过10万元。", "，每个项目一般不超过1万元。")],
     (STARTUP, "answer:", AMOUNT), "答案里的「1万元」", "error"),
    ("1到3年 became 一到五年",
     [(STARTUP, LOAN_TERM, "无息借款能用一到五年，")],
     (STARTUP, "answer:", LOAN), "答案里的「五年」", "error"),
    ("a passage dropped",
     [(STARTUP, LOAN_PASSAGE + PER_PROJECT, PER_PROJECT)],
     (STARTUP, "answer:", LOAN), "答案里的「3年」在本条目的原文", "error"),
    ("a passage not in the report",
     [(STARTUP, PER_PROJECT, passage("每个项目一般不超过20万元"))],
     (STARTUP, "- 每个项目一般不超过20万元", ""), "在来源报道 hebei-2017 里找不到", "error"),
    ("a passage of the wrong document",
     [("faq/data/sources/other-2020.txt", "", "另一篇报道的正文。"),
      (CONFIG, "      date: 2017年\n", "      date: 2017年\n" + OTHER_SOURCE),
      (STARTUP, PER_PROJECT, passage("{doc: other-2020, text: 每个项目一般不超过10万元}"))],
     (STARTUP, "{doc: other-2020", ""),
     "不在 other-2020（这篇报道）里，而在 hebei-2017 里：请在这一项写 doc: hebei-2017", "error"),
    ("a passage naming no configured document",
     [(STARTUP, PER_PROJECT, passage("{doc: hebei-2071, text: 每个项目一般不超过10万元}"))],
     (STARTUP, "{doc: hebei-2071", ""),
     "doc: 'hebei-2071' 不是 config.yaml 的 faq.sources 里的来源", "error"),
    ("a missing messages key",
     [(MESSAGES, "source_button: 📄 原文\n", "")],
     (MESSAGES, "", ""), "缺少消息 'source_button'", "error"),
    ("HTML in an answer",
     [(STARTUP, "{source_note}，" + LOAN_TERM, "<b>{source_note}</b>，" + LOAN_TERM)],
     (STARTUP, "answer:", LOAN), "有 HTML 标签「<b>」", "error"),
    ("Markdown in an answer",
     [(STARTUP, "{source_note}，" + LOAN_TERM, "**{source_note}**，" + LOAN_TERM)],
     (STARTUP, "answer:", LOAN), "有 Markdown 记号「**{source_note}**」", "warning"),
    ("a label too long",
     [(STARTUP, "label: 无息借款借多少多久", "label: " + LONG_LABEL)],
     (STARTUP, "label: " + LONG_LABEL, ""), "有 17 个字，按钮上最多 16 个", "error"),
    ("a label missing",
     [(STARTUP, "    label: 无息借款借多少多久\n", "")],
     (STARTUP, "- " + LOAN, ""), "缺少 label", "error"),
    ("a first line too long",
     [(STARTUP, LOAN_TERM + "到期要全额归还（全部还清）。",
       LOAN_TERM + "到期要全额归还（全部还清），不收利息，是省总工会借给项目开张和周转用的钱。")],
     (STARTUP, "answer:", LOAN), "答案第一行有 61 个字（「据这篇报道（2017年）…」）", "error"),
    ("a flow result too long",
     [(HONOURS, "这是报道给的数字；", "这是报道给的数字；" + "报道只写到这里。" * 25)],
     (HONOURS, MAY_DAY, ""), "结果 'may-day-medal' 有 2", "error"),
    ("a flow result linking too many entries",
     [(HONOURS, "entries: [may-day-medal, honour-nomination]",
       "entries: [may-day-medal, honour-nomination, hebei-great-craftsman, craftsman-posters, "
       "craftsman-video]")],
     (HONOURS, MAY_DAY, ""), "链接了 5 个条目，最多 4 个", "error"),
    ("a placeholder nothing fills",
     [(STARTUP, "      {contacts}\n    source:\n" + LOAN_PASSAGE,
       "      {contact}\n    source:\n" + LOAN_PASSAGE)],
     (STARTUP, "answer:", LOAN), "{contact} 不是机器人会替换的占位符", "error"),
    ("a promise config cannot keep",
     [(STARTUP, "请先问清楚。", "请问所在市县总工会。")],
     (STARTUP, "answer:", LOAN), "让职工找「所在市县总工会」", "error"),
    ("a broken link",
     [(HELP, BROKEN_LINK.replace("aply", "apply"), BROKEN_LINK)],
     (HELP, BROKEN_LINK, ""), "related 里的条目 'startup-aid-how-to-aply' 不存在", "error"),
    ("more than three related",
     [(HELP, RELATED, RELATED[:-1] + ", startup-aid-amount]")],
     (HELP, "startup-aid-amount]", ""), "related 有 4 个，最多写 3 个", "warning"),
    ("a name not in its entry",
     [(STARTUP, LOAN_NAMES, "    names: [无息借款, 无息贷款卡]")],
     (STARTUP, "names: [无息借款, 无息贷款卡]", ""),
     "名字（names）'无息贷款卡' 在本条的问法、答案和原文里都没有出现", "error"),
    ("a name of two entries",
     [(STARTUP, EQUITY_NAMES, EQUITY_NAMES.replace("配套资金", "无息借款"))],
     (STARTUP, "names: [资金入股, 共同持股, 无息借款]", ""),
     "'无息借款' 在条目 interest-free-loan 里也写了", "error"),
    ("a one-character name",
     [(STARTUP, LOAN_NAMES, "    names: [无息借款, 借]")],
     (STARTUP, "names: [无息借款, 借]", ""), "名字（names）'借' 太短", "error"),
    ("names not a list of texts",
     [(STARTUP, LOAN_NAMES, "    names: {无息借款: 1}")],
     (STARTUP, "names: {无息借款: 1}", ""), "names 必须是一组名字", "error"),
    ("a one-character synonym",
     [(SYNONYMS, "  - [工会, 公会]", "  - [工会, 公会, 会]")],
     (SYNONYMS, "  - [工会, 公会, 会]", ""), "同义词「会」只有一个字", "warning"),
]


@pytest.mark.parametrize(("edits", "where", "words", "severity"),
                         [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_each_seeded_fault_is_reported_at_its_line(
        faq_copy: Path, capsys: pytest.CaptureFixture[str], edits: list[Edit],
        where: tuple[str, str, str], words: str, severity: str) -> None:
    seed(faq_copy, edits)
    code, out = check(faq_copy, capsys)
    name, needle, after = where
    line = line_of(faq_copy.parent / name, needle, after) if needle else 0
    prefix = f"{name}:{line}: {severity}: " if line else f"{name}: {severity}: "
    assert any(p.startswith(prefix) and words in p for p in out), (prefix, words, out)
    errors = [p for p in out if ": error: " in p]
    assert code == (1 if errors else 0) and (errors or severity == "warning"), out
    assert out[-1].startswith("未通过：" if errors else "通过：")


def test_the_shipped_copy_is_clean(faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(faq_copy, capsys)
    assert code == 0 and not [p for p in out if ": error: " in p], out
    assert out[-1].startswith("通过：")


def test_a_missing_report_fails_unless_no_source(faq_copy: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (faq_copy.parent / REPORT).unlink()
    code, out = check(faq_copy, capsys)
    line = line_of(faq_copy, "file: faq/data/sources/hebei-2017.txt")
    assert code == 1
    [problem] = [p for p in out if ": error: " in p]  # one error, not one per passage
    assert problem.startswith(f"config.yaml:{line}: error: 来源报道 hebei-2017 的文件找不到")
    assert "--no-source" in problem
    code, out = check(faq_copy, capsys, "--no-source")
    assert code == 0 and "没有把原文（source）和来源报道逐字核对" in "\n".join(out), out


def test_a_yaml_syntax_error_is_one_error_without_knock_on_noise(
        faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Other files link to this file's entries and flows quote their sources: none of that is
    reported while the file cannot be read."""
    seed(faq_copy, [(STARTUP, "    label: 无息借款借多少多久", "     label: 无息借款借多少多久")])
    code = main(["check", "--config", str(faq_copy)])  # the matcher checks too
    out = capsys.readouterr().out.splitlines()
    errors = [p for p in out if ": error: " in p]
    assert code == 1 and len(errors) == 1, errors
    line = line_of(faq_copy.parent / STARTUP, "     label: 无息借款借多少多久")
    assert errors[0].startswith(f"{STARTUP}:{line}: error: YAML 格式错误")


def test_a_broken_flow_file_does_not_break_links_into_it(
        faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(faq_copy, [(HONOURS, "start: which", "start: [which")])
    code, out = check(faq_copy, capsys)
    errors = [p for p in out if ": error: " in p]
    assert code == 1 and len(errors) == 1 and errors[0].startswith(HONOURS), errors


def test_an_entry_left_out_for_its_shape_breaks_no_link(
        faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(faq_copy, [(STARTUP, "    question: 工会的无息借款能借多少、用多久？\n", "")])
    code, out = check(faq_copy, capsys)
    errors = [p for p in out if ": error: " in p]
    assert code == 1 and len(errors) == 1 and "question 不能为空" in errors[0], errors


def test_a_city_contact_keeps_the_promise(faq_copy: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    city = '  - name: 石家庄市总工会\n    phone: "0311-0000000"\n    hours: 工作日 9:00-17:00\n'
    seed(faq_copy, [(STARTUP, "请先问清楚。", "请问所在市县总工会。"),
                    (CONFIG, '    value: "12351"\n', '    value: "12351"\n' + city)])
    code, out = check(faq_copy, capsys)
    assert code == 0, out


@pytest.mark.parametrize("args", [["ask", "无息借款能用几年"], ["run"]])
def test_start_up_refuses_a_new_kind_of_fault_with_file_and_line(faq_copy: Path,
                                                                   args: list[str]) -> None:
    seed(faq_copy, [(STARTUP, "项目，不超过50万元（两条", "项目，不超过5万元（两条"),
                    (STARTUP, "label: 无息借款借多少多久", "label: " + LONG_LABEL)])
    out = run(*args, stdin="q\n", config=faq_copy)
    assert out.returncode == 1, out.stdout
    amount = line_of(faq_copy.parent / STARTUP, "answer:", "id: startup-aid-amount")
    label = line_of(faq_copy.parent / STARTUP, "label: " + LONG_LABEL)
    assert f"{STARTUP}:{amount}: error: 条目 startup-aid-amount：答案里的「5万元」" in out.stderr
    assert f"{STARTUP}:{label}: error: 条目 interest-free-loan：label" in out.stderr
    assert "Traceback" not in out.stderr


async def test_reload_refuses_a_new_kind_of_fault_and_keeps_serving(faq_copy: Path) -> None:
    config = load_config(faq_copy, env={})
    service = Service(open_dialogue(config, key=b"k"), None, b"")
    serving = service.dialogue.knowledge
    seed(faq_copy, [(STARTUP, "无息借款能用1到3年，", "无息借款能用一到五年，")])
    errors = [str(p) for p in await service.reload()]
    assert len(errors) == 1 and "答案里的「五年」" in errors[0], errors
    assert service.dialogue.knowledge is serving
