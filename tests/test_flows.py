"""Guided flows: the shipped flows, their validation, the stateless engine and the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import decoded, payload_of

from bot.cli import chat_loop, main
from bot.config import Config
from bot.dialogue import Dialogue
from bot.loading import check_content
from bot.payload import LIMIT, Action, Codec, Payload
from bot.replies import ReplyKind
from bot.service import Service
from faq.check import check_knowledge
from faq.content import Content, FaqPaths
from faq.flows import engine
from faq.flows.checks import check_flows
from faq.flows.engine import FlowEvent, FlowTarget, Move, path_target, start_target
from faq.flows.model import Result, all_paths, walk
from faq.knowledge import MatchConfig, load_knowledge
from faq.layout import CheckConfig
from faq.messages import MessageKey as K
from faq.sources import SourceDoc

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "faq" / "data" / "flows"
DOCUMENT = ROOT / "faq" / "data" / "sources" / "hebei-2017.txt"
SHIPPED = {"startup-aid-check", "training-guide", "honours-guide"}
STARTUP, TRAINING, HONOURS = ("startup_aid_check.yaml", "training_guide.yaml",
                              "honours_guide.yaml")


# ---- helpers ------------------------------------------------------------------------------
def press(content: Content, target: FlowTarget | None) -> engine.FlowView:
    return engine.press(content.flows, content.messages, target)


def walk_all(dialogue: Dialogue, flow_id: str) -> list[tuple[list[str], engine.FlowView]]:
    """Press every option button from the start, as a worker would; (labels, final view)."""
    content = dialogue.knowledge.content
    flow = content.flows[flow_id]
    ends: list[tuple[list[str], engine.FlowView]] = []
    todo: list[tuple[list[str], FlowTarget]] = [([], start_target(flow))]
    while todo:
        labels, target = todo.pop()
        view = press(content, target)
        assert view.event in (FlowEvent.START, FlowEvent.STEP, FlowEvent.RESULT), target
        if view.done:
            ends.append((labels, view))
            continue
        assert view.options, f"{flow_id}: dead end at {target}"
        assert len(labels) < 20, f"{flow_id}: suspiciously deep at {target}"
        todo += [([*labels, link.label], link.target) for link in view.options]
    return ends


def flow_copy(tmp_path: Path, edits: dict[str, list[tuple[str, str]]] | None = None,
              extra: dict[str, str] | None = None) -> Path:
    """A copy of the shipped flow files with text replacements (first occurrence) applied."""
    target = tmp_path / "flows"
    shutil.copytree(FLOWS, target)
    for name, pairs in (edits or {}).items():
        text = (target / name).read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{name}: {old!r} not found"
            text = text.replace(old, new, 1)
        (target / name).write_text(text, encoding="utf-8")
    for name, text in (extra or {}).items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def faq_paths(flows: Path, base: Path) -> FaqPaths:
    return FaqPaths(entries=ROOT / "faq" / "data" / "entries", flows=flows,
                    messages=ROOT / "faq" / "data" / "messages.yaml",
                    sources=(SourceDoc("hebei-2017", DOCUMENT, "报道", date="2017年"),),
                    base=base)


def flow_problems(tmp_path: Path, flows: Path, config: CheckConfig | None = None,
                  shipped: Config | None = None):
    paths = faq_paths(flows, tmp_path)
    knowledge, problems = load_knowledge(paths, MatchConfig())
    problems = problems + check_flows(knowledge.content,
                                      (config or CheckConfig()).max_button_label_chars)
    if shipped is not None:  # the checks every start-up and /reload apply, payloads included
        problems += check_content(replace(shipped, faq=paths), knowledge, Codec(b"k"))
    return knowledge, [p for p in problems if p.file.startswith("flows")]


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing `needle` (after the line containing `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


# ---- the shipped flows --------------------------------------------------------------------
def test_the_three_flows_are_shipped_and_linked_from_entries(shipped_dialogue: Dialogue) -> None:
    content = shipped_dialogue.knowledge.content
    assert set(content.flows) >= SHIPPED
    assert content.flows["startup-aid-check"].title == "创业就业扶持资格自测"
    assert content.flows["training-guide"].title == "培训渠道向导"
    assert content.flows["honours-guide"].title == "工匠与荣誉指南"
    linked = {e.flow for e in content.entries.values() if e.flow}
    assert linked >= SHIPPED


def test_shipped_flows_have_no_problems(shipped_config: Config) -> None:
    knowledge, problems = load_knowledge(shipped_config.faq, shipped_config.match)
    problems += check_knowledge(knowledge, shipped_config.faq, shipped_config.check, deep=False)
    flow_files = [p for p in problems if "flows" in p.file or p.message.startswith("测评")]
    assert flow_files == []


@pytest.mark.parametrize("flow_id", sorted(SHIPPED))
def test_every_path_of_every_shipped_flow_ends_in_a_result(shipped_dialogue: Dialogue,
                                                           flow_id: str) -> None:
    flow = shipped_dialogue.knowledge.content.flows[flow_id]
    ends = walk_all(shipped_dialogue, flow_id)
    paths = all_paths(flow)
    assert len(ends) == len(paths) >= 5
    assert all(isinstance(node, Result) for _, node in paths)
    reached = {view.node for _, view in ends}
    assert reached == set(flow.results)  # every result is reachable, none is orphaned
    for _, view in ends:
        assert view.text.strip()
        assert "{contacts}" in view.text or view.entry_links  # points somewhere further


def test_startup_check_results_match_the_document(shipped_dialogue: Dialogue) -> None:
    flow = shipped_dialogue.knowledge.content.flows["startup-aid-check"]

    def result(*path: int) -> Result:
        node = walk(flow, path)
        assert isinstance(node, Result)
        return node

    many, few = result(1, 1, 1, 1), result(2, 1, 1, 2)  # ... wants to and can, (un)registered
    assert "50万元" in many.text and "10万元" in many.text
    assert "资金入股" in many.text and "1到3年" in many.text
    assert "还没有注册登记" in few.text  # equity needs 工商注册登记
    assert "{contacts}" in many.text and "{contacts}" in few.text
    assert "300多个" in walk(flow, (3,)).text  # displaced: the yearly projects
    assert "300多个" in result(3, 2).text
    none = result(4)
    assert none.flow == "training-guide" and "{contacts}" in none.text


def test_every_number_in_a_flow_is_in_the_source_document(shipped_dialogue: Dialogue) -> None:
    document = re.sub(r"\s+", "", DOCUMENT.read_text(encoding="utf-8"))
    for flow in shipped_dialogue.knowledge.content.flows.values():
        for node in (*flow.steps.values(), *flow.results.values()):
            for number in re.findall(r"\d+(?:\.\d+)?", node.text):
                assert number in document, (flow.id, node.id, number)


def test_every_shipped_payload_fits_telegram(shipped_dialogue: Dialogue) -> None:
    content = shipped_dialogue.knowledge.content
    payloads = set()
    for flow_id in SHIPPED:
        flow = content.flows[flow_id]
        for path, _ in all_paths(flow):
            for depth in range(len(path) + 1):
                reply = shipped_dialogue.press(shipped_dialogue.codec.encode(Payload(
                    action=Action.FLOW, target=flow.id, flow=path_target(flow, path[:depth]))))
                payloads.update(b.payload for b in reply.flat_buttons())
    assert len(payloads) > 40
    for payload in payloads:
        assert payload.isascii() and len(payload.encode("utf-8")) <= LIMIT, payload
        assert shipped_dialogue.codec.decode(payload) is not None


def test_flows_appear_in_the_menu_and_under_related_answers(shipped_dialogue: Dialogue) -> None:
    menu = shipped_dialogue.command("start")
    starts = [p for p in decoded(shipped_dialogue, menu) if p.action is Action.FLOW]
    assert {p.target for p in starts} >= SHIPPED
    assert all(p.flow is not None and p.flow.move is Move.START for p in starts)
    reply = shipped_dialogue.ask("创业扶持一个项目最多给多少钱")
    assert reply.entry_id == "startup-aid-amount"
    [start] = [p for p in decoded(shipped_dialogue, reply) if p.action is Action.FLOW]
    assert start.target == "startup-aid-check" and start.question == reply.question_id


# ---- the engine ---------------------------------------------------------------------------
def test_start_choose_back_restart_and_cancel(shipped_dialogue: Dialogue) -> None:
    content = shipped_dialogue.knowledge.content
    messages = content.messages
    flow = content.flows["training-guide"]
    start = press(content, start_target(flow))
    assert start.event is FlowEvent.START and start.node == "who"
    assert start.flow_id == "training-guide"
    labels = [link.label for link in start.options]
    assert labels == ["在岗职工", "失业人员", "农民工", "去产能转岗职工"]
    assert start.controls == ((engine.FlowLink(messages.get(K.FLOW_CANCEL),
                                               FlowTarget(Move.EXIT, flow.id)),),)

    step = press(content, start.options[2].target)  # 农民工
    assert step.node == "want-migrant" and step.path == (3,)
    assert step.event is FlowEvent.STEP
    controls = {link.label: link.target for row in step.controls for link in row}
    assert controls[messages.get(K.FLOW_BACK)] == start_target(flow)
    assert controls[messages.get(K.FLOW_RESTART)] == start_target(flow)

    result = press(content, step.options[2].target)  # 提升学历
    assert result.done and result.node == "degree-migrant"
    assert result.event is FlowEvent.RESULT
    assert "17家院校近200个专业" in result.text and "农民工考生" in result.text
    assert "migrant-degree-programme" in result.entry_links
    back = {link.label: link.target for row in result.controls
            for link in row}[messages.get(K.FLOW_BACK)]
    assert back == path_target(flow, (3,))
    assert press(content, back).node == "want-migrant"

    cancelled = press(content, FlowTarget(Move.EXIT, flow.id))
    assert cancelled.text == messages.get(K.FLOW_CANCELLED)
    assert cancelled.event is FlowEvent.CANCEL and cancelled.flow_id == flow.id
    assert not cancelled.done
    assert press(content, FlowTarget(Move.EXIT, "")).event is FlowEvent.CANCEL


def test_flow_buttons_record_each_step(shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    menu = dialogue.command("start")
    started = dialogue.press(payload_of(dialogue, menu, Action.FLOW, "training-guide"))
    [event] = started.records
    assert (event.kind.value, event.flow_id, event.node) == ("flow-start", "training-guide",
                                                             "who")
    step = dialogue.press(started.flat_buttons()[2].payload)
    assert [(r.kind.value, r.node) for r in step.records] == [("flow-step", "want-migrant")]


def test_a_result_can_offer_another_flow(shipped_dialogue: Dialogue) -> None:
    content = shipped_dialogue.knowledge.content
    flow = content.flows["startup-aid-check"]
    view = press(content, path_target(flow, (4,)))
    offered = [link.target for row in view.controls for link in row]
    assert start_target(content.flows["training-guide"]) in offered
    reply = shipped_dialogue.press(shipped_dialogue.codec.encode(
        Payload(action=Action.FLOW, target=flow.id, flow=path_target(flow, (4,)))))
    labels = [b.label for b in reply.flat_buttons()]
    assert any(label.endswith("培训渠道向导") for label in labels)
    assert reply.kind is ReplyKind.FLOW
    [event] = reply.records
    assert (event.kind.value, event.flow_id, event.node) == ("flow-result", flow.id,
                                                             "not-target")
    assert "{contacts}" not in reply.text and "12351" in reply.text


FORGED = ["f", "f:", "fx:nope", "f:nope", "f:nope:abcdef:1", "f:training-guide:zzzzzz:1",
          "f:training-guide:{v}:9", "f:training-guide:{v}:0", "f:training-guide:{v}:-1",
          "f:training-guide:{v}:1.1.1", "f:training-guide:{v}:1..1", "f:training-guide:{v}:a",
          "f:training-guide:{v}:1.", "f:training-guide:{v}:1:2", "f:training-guide:{v}:" + "1" * 60,
          "f:training-guide:{v}:01", "f:培训", "f:training-guide:{v}:１", "f\x00", "f" * 200,
          "f:training-guide:{v}:99999999999999999999", "2f", "2f:", "2fx:nope", "2f:nope",
          "2f:training-guide:zzzzzz:1", "2f:training-guide:{v}:9", "2f:training-guide:{v}:0",
          "2f:training-guide:{v}:1.1.1", "2f:training-guide::1", "2f:training-guide:{v}:"]


@pytest.mark.parametrize("template", FORGED)
def test_forged_or_malformed_payloads_get_a_kind_reply(shipped_dialogue: Dialogue,
                                                       template: str) -> None:
    content = shipped_dialogue.knowledge.content
    payload = template.replace("{v}", content.flows["training-guide"].version)
    reply = shipped_dialogue.press(payload)
    kind = {content.messages.get(k) for k in (K.FLOW_STALE, K.FLOW_GONE, K.FLOW_CANCELLED,
                                              K.UNKNOWN_BUTTON)}
    assert reply.text in kind
    buttons = decoded(shipped_dialogue, reply)
    assert buttons[-1].action is Action.MENU  # always a way back
    if reply.text != content.messages.get(K.FLOW_CANCELLED):  # and a way to start again
        assert all(p.flow is None or p.flow.move is Move.START for p in buttons)


def test_a_stale_button_after_a_reload_gets_a_restart(tmp_path: Path) -> None:
    flows = flow_copy(tmp_path)
    paths = faq_paths(flows, tmp_path)
    old, _ = load_knowledge(paths, MatchConfig())
    flow = old.content.flows["startup-aid-check"]
    target = path_target(flow, (1, 1, 1))
    assert press(old.content, target).node == "registered"

    # A text-only edit keeps old buttons working: the path still means the same.
    file = flows / STARTUP
    file.write_text(file.read_text(encoding="utf-8").replace(
        "这个项目经过工商注册登记了吗？", "您的项目经过工商注册登记了吗？"), encoding="utf-8")
    edited, _ = load_knowledge(paths, MatchConfig())
    assert edited.content.flows["startup-aid-check"].version == flow.version
    assert press(edited.content, target).text.startswith("您的项目")

    # A new option changes the structure: the old button is stale, kindly.
    file.write_text(file.read_text(encoding="utf-8").replace(
        "      - label: 还没有具体项目\n        next: no-project\n",
        "      - label: 还没有具体项目\n        next: no-project\n"
        "      - label: 正在考虑\n        next: no-project\n", 1), encoding="utf-8")
    changed, problems = load_knowledge(paths, MatchConfig())
    assert not [p for p in problems if p.file.startswith("flows")]
    new_flow = changed.content.flows["startup-aid-check"]
    assert new_flow.version != flow.version
    view = press(changed.content, target)
    assert view.text == changed.content.messages.get(K.FLOW_STALE)
    assert view.event is FlowEvent.STALE and view.flow_id == "startup-aid-check"
    assert view.controls == ((engine.FlowLink(changed.content.messages.get(K.FLOW_RESTART),
                                              start_target(new_flow)),),)
    # The start button never goes stale.
    assert press(changed.content, start_target(new_flow)).node == "situation"


def test_a_removed_flow_gets_a_kind_reply(tmp_path: Path) -> None:
    flows = flow_copy(tmp_path)
    paths = faq_paths(flows, tmp_path)
    old, _ = load_knowledge(paths, MatchConfig())
    target = path_target(old.content.flows["honours-guide"], (1,))
    (flows / HONOURS).unlink()
    new, _ = load_knowledge(paths, MatchConfig())
    view = press(new.content, target)
    assert view.text == new.content.messages.get(K.FLOW_GONE) and view.event is FlowEvent.STALE
    assert [link.target.flow_id for row in view.controls for link in row] == \
        ["startup-aid-check", "training-guide"]


RESUME = """
import json, sys
from bot.config import load_config
from bot.loading import open_dialogue
reply = open_dialogue(load_config(sys.argv[1], env={}), key=b"test key").press(sys.argv[2])
print(json.dumps({"text": reply.text, "event": [r.kind.value for r in reply.records],
                  "buttons": [[b.label, b.payload] for b in reply.flat_buttons()]},
                 ensure_ascii=False))
"""


def test_a_flow_resumes_from_the_payload_alone_in_a_fresh_process(
        shipped_dialogue: Dialogue) -> None:
    dialogue = shipped_dialogue
    first = dialogue.press(payload_of(dialogue, dialogue.command("start"), Action.FLOW,
                                      "startup-aid-check"))
    payload = first.flat_buttons()[2].payload  # 因去产能分流下岗, pressed in this process
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}

    def fresh(payload: str) -> dict:
        out = subprocess.run([sys.executable, "-c", RESUME, str(ROOT / "config.yaml"), payload],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    second = fresh(payload)  # ... continued in another process, no session anywhere
    assert second["event"] == ["flow-step"]
    assert "300多个" in second["text"] and "您现在有想做的创业或就业项目吗" in second["text"]
    no_project = next(p for label, p in second["buttons"] if label == "还没有具体项目")
    third = fresh(no_project)  # ... and finished in a third
    assert third["event"] == ["flow-result"]
    assert "300多个经过专家论证的项目" in third["text"] and "12351" in third["text"]
    expected = dialogue.press(no_project)
    assert third["text"] == expected.text
    assert third["buttons"] == [[b.label, b.payload] for b in expected.flat_buttons()]


# ---- validation: faults seeded into a copy of the flow files ------------------------------
FAULTS = [
    # (name, file, edits, needle on the reported line, needle after, words in the message)
    ("unknown step", STARTUP, [("next: no-project\n", "next: no-such-step\n")],
     "next: no-such-step", None, "指向不存在的步骤或结果 'no-such-step'"),
    ("unknown result", HONOURS, [("next: may-day-medal", "next: may-day-medals")],
     "next: may-day-medals", None, "指向不存在的步骤或结果 'may-day-medals'"),
    ("unknown entry", STARTUP, [("[startup-aid-eligibility, startup-aid-how-to-apply]",
                                 "[startup-aid-eligibility, no-such-entry]")],
     "no-such-entry", None, "链接的问答条目 'no-such-entry' 不存在"),
    ("unknown flow", STARTUP, [("flow: training-guide", "flow: no-such-flow")],
     "flow: no-such-flow", None, "推荐的测评 'no-such-flow' 不存在"),
    ("unreachable step", STARTUP, [("next: project-displaced", "next: project")],
     "- id: project-displaced", None, "步骤 'project-displaced' 从开头走不到"),
    ("cycle", TRAINING, [("next: online", "next: who")],
     "next: who", None, "又回到了 'who'"),
    ("step without options", HONOURS, [("steps:\n", "steps:\n  - id: empty\n    text: 空的\n"
                                                   "    options: []\n")],
     "- id: empty", None, "第 'empty' 步没有选项"),
    ("result without text", HONOURS, [("results:\n", "results:\n  - id: blank\n    text: ''\n")],
     "- id: blank", None, "结果 'blank' 没有文字"),
    ("flow id equal to an entry id", HONOURS, [("id: honours-guide", "id: may-day-medal")],
     "id: may-day-medal", None, "和一个问答条目重复"),
    ("flow id in two files", TRAINING, [("id: training-guide", "id: honours-guide")],
     "id: honours-guide", None, "测评 id 'honours-guide' 已经在"),
    ("step and result with one id", HONOURS, [("- id: city-craftsman", "- id: which")],
     "- id: which", "results:", "id 'which' 重复了"),
    ("label too long", TRAINING, [("- label: 农民工", "- label: " + "进城务工的农民工朋友" * 3)],
     "进城务工的农民工朋友", None, "手机上最多放 20 个"),
    ("start names no step", HONOURS, [("start: which", "start: whichever")],
     "start: whichever", None, "start 'whichever' 不是任何一步"),
    ("number not in the linked sources", HONOURS, [("88.2%", "99.2%")],
     "- id: may-day-medal", None, "「99.2%」在它链接的问答条目的原文"),
    ("YAML syntax", STARTUP, [("    text: 您现在有想做的创业或就业项目吗？",
                               "    text: 您现在: 有想做的创业或就业项目吗？")],
     "您现在: 有想做的", None, "YAML 格式错误"),
    ("option without next", HONOURS, [("        next: city-craftsman\n", "")],
     "label: 市级工匠选树", None, "每个选项都要有 label（按钮文字）和 next"),
    ("unknown field", TRAINING, [("  - id: want-migrant\n", "  - id: want-migrant\n    tip: x\n")],
     "tip: x", None, "不认识的字段 'tip'"),
    ("bad id", STARTUP, [("- id: no-project\n", "- id: No Project\n")],
     "- id: No Project", None, "只能用小写字母"),
]


@pytest.mark.parametrize("name,file,edits,needle,after,words", FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_reported_with_file_and_line(tmp_path: Path, name: str, file: str,
                                                   edits, needle: str, after: str | None,
                                                   words: str) -> None:
    flows = flow_copy(tmp_path, {file: edits})
    _, problems = flow_problems(tmp_path, flows)
    line = line_of(flows / file, needle, after)
    hits = [p for p in problems if words in p.message]
    assert hits, f"{name}: not reported; got {[str(p) for p in problems]}"
    assert any(p.file == f"flows/{file}" and p.line == line for p in hits), \
        f"{name}: expected flows/{file}:{line}, got {[str(p) for p in hits]}"


def test_a_payload_longer_than_telegram_allows_is_reported(tmp_path: Path,
                                                            shipped_config: Config) -> None:
    flow_id = "a-long-flow-id-of-32-characters1"
    steps = "".join(f"  - id: s{i}\n    text: 第{i}问\n    options:\n"
                    f"      - label: 是\n        next: {f's{i + 1}' if i < 14 else 'end'}\n"
                    for i in range(1, 15))
    deep = (f"id: {flow_id}\ntitle: 深\nsteps:\n{steps}"
            "results:\n  - id: end\n    text: 完\n")
    flows = flow_copy(tmp_path, extra={"deep.yaml": deep})
    _, problems = flow_problems(tmp_path, flows, shipped=shipped_config)
    hits = [p for p in problems if "超过 Telegram 的 64 字节" in p.message]
    assert [(p.file, p.line) for p in hits] == [("flows/deep.yaml", 1)]
    # a shorter chain of the same flow fits and is not reported
    flows = flow_copy(tmp_path / "short", extra={"deep.yaml": deep.replace(
        "next: s5", "next: end")})
    _, problems = flow_problems(tmp_path / "short", flows, shipped=shipped_config)
    assert not [p for p in problems if "Telegram" in p.message]


def test_label_limit_follows_the_configuration(tmp_path: Path) -> None:
    flows = flow_copy(tmp_path)
    _, problems = flow_problems(tmp_path, flows, CheckConfig(max_button_label_chars=4))
    assert any("因去产能分流下岗" in p.message and p.file == f"flows/{STARTUP}" for p in problems)


def test_unionbot_check_reports_flow_faults(faq_copy: Path) -> None:
    flow_file = faq_copy.parent / "faq" / "data" / "flows" / HONOURS
    flow_file.write_text(flow_file.read_text(encoding="utf-8").replace(
        "next: competitions", "next: contests"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot.cli", "check", "--quick", "--config",
                          str(faq_copy)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 1
    line = line_of(flow_file, "next: contests")
    assert f"faq/data/flows/{HONOURS}:{line}: error: 测评 honours-guide" in out.stdout


# ---- command line -------------------------------------------------------------------------
CONFIG = ["--config", str(ROOT / "config.yaml")]


def test_flow_lists_the_flows(capsys) -> None:
    assert main(["flow", *CONFIG]) == 0
    out = capsys.readouterr().out
    for flow_id in SHIPPED:
        assert flow_id in out
    assert "培训渠道向导" in out and "steps" in out and "results" in out


def test_flow_path_json(capsys) -> None:
    assert main(["flow", "training-guide", "--path", "1", "--json", *CONFIG]) == 0
    step = json.loads(capsys.readouterr().out)
    assert step["flow"] == "training-guide" and step["done"] is False
    assert step["options"] == ["考技能证书", "学门新手艺、转岗", "提升学历", "在网上学习"]
    assert main(["flow", "training-guide", "--path", "1,3", "--json", *CONFIG]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["done"] is True and result["options"] == []
    assert result["node"] == "degree-employed" and "15.13万名职工" in result["text"]
    assert "{contacts}" not in result["text"] and "12351" in result["text"]


def test_flow_path_text(capsys) -> None:
    assert main(["flow", "honours-guide", *CONFIG]) == 0
    out = capsys.readouterr().out
    assert "[1] 河北大工匠" in out and "[5] 劳动和技能竞赛" in out
    assert main(["flow", "honours-guide", "--path", "3", *CONFIG]) == 0
    out = capsys.readouterr().out
    assert "88.2%" in out and "may-day-medal" in out


def test_flow_paths_table_covers_every_path(capsys) -> None:
    assert main(["flow", "startup-aid-check", "--paths", *CONFIG]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and not line.startswith("| path")]
    assert len(rows) == 13
    assert "| 4 | 以上都不是 | not-target |" in rows
    assert any(row.startswith("| 2,1,1,2 |") and row.endswith("| unregistered-project |")
               for row in rows)


def test_flow_mermaid(capsys) -> None:
    assert main(["flow", "training-guide", "--mermaid", *CONFIG]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD")
    assert '-->|"农民工"| s_want_migrant' in out


@pytest.mark.parametrize("args,words", [
    (["flow", "no-such-flow"], "unknown flow"),
    (["flow", "honours-guide", "--path", "9"], "只有 5 个选项"),
    (["flow", "honours-guide", "--path", "1,1"], "已经到了结果"),
    (["flow", "honours-guide", "--path", "x"], "option numbers"),
])
def test_flow_bad_id_or_path_exits_2(capsys, args: list[str], words: str) -> None:
    assert main([*args, *CONFIG]) == 2
    assert words in capsys.readouterr().err


def test_flow_command_runs_as_a_program() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "flow", "startup-aid-check",
                          "--path", "1,1,1,1", "--json", *CONFIG], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["done"] is True and data["node"] == "registered-project"
    assert all(len(p.encode()) <= 64 for p in data["payloads"])


async def test_chat_runs_a_flow_and_cancel_ends_it(shipped_dialogue: Dialogue) -> None:
    menu = shipped_dialogue.command("start")
    start = payload_of(shipped_dialogue, menu, Action.FLOW, "training-guide")
    number = next(i for i, b in enumerate(menu.flat_buttons(), 1) if b.payload == start)
    said: list[str] = []
    lines = iter([str(number), "3", "/cancel", "q"])
    await chat_loop(Service(shipped_dialogue, None, b""), read=lambda _: next(lines),
                    write=said.append)
    assert "您现在是" in said[1] and "[3] 农民工" in said[1]
    assert "您最想要的是" in said[2]
    assert shipped_dialogue.msg(K.CANCELLED) in said[3]  # the same reply as in Telegram
