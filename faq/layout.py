"""Phone layout and plain-text rules for what workers read, each problem at its field's line.

An entry needs a short `label:` for its buttons; the first line of an answer or flow result (as
shown, placeholders filled) is all many workers read; a flow result stays short; text is plain
(Telegram shows HTML or Markdown marks as they are); placeholders are ones the bot fills; and
nobody is sent to a union office config.yaml does not list. The dialogue keeps every reply to
`MAX_ROWS` rows of buttons; a flow result may link `MAX_RESULT_LINKS` entries (two rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faq.contacts import local_promise
from faq.content import Content, Entry, linked_passages
from faq.flows.model import Flow
from faq.placeholders import Renderer, first_line, unknown_placeholders
from faq.yamlfile import Problem

MAX_ROWS = 4  # rows of buttons under any answer, 原文, feedback or flow result
MAX_RELATED_SHOWN = 2  # related entries shown as buttons, in one row
MAX_RESULT_LINKS = 4  # a flow result's entry buttons, two to a row
# A worker would see these marks as they are typed: the bot sends plain text.
_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>|&(?:[a-z]+|#[0-9]+);")
_MARKDOWN = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|`[^`\n]+`|\[[^\]\n]+\]\([^)\n]+\)"
                       r"|^\s*#{1,6}\s", re.MULTILINE)


@dataclass(frozen=True)
class LayoutRules:
    max_label_chars: int = 16
    max_first_line_chars: int = 40
    max_result_chars: int = 250
    max_related: int = 3


@dataclass(frozen=True)
class CheckConfig:
    """config.yaml `check:`: the limits `unionbot check`, start-up and /reload hold content to."""

    min_alternates: int = 8
    max_answer_chars: int = 600
    max_button_label_chars: int = 20  # flow titles and options
    max_label_chars: int = 16  # an entry's label
    max_first_line_chars: int = 40
    max_result_chars: int = 250
    max_related: int = 3

    @property
    def layout(self) -> LayoutRules:
        return LayoutRules(self.max_label_chars, self.max_first_line_chars,
                           self.max_result_chars, self.max_related)


def check_layout(content: Content, rules: LayoutRules, renderer: Renderer) -> list[Problem]:
    problems: list[Problem] = []
    for entry in content.entries.values():
        problems += _entry(entry, rules, renderer)
    for flow in content.flows.values():
        problems += _flow(flow, content, rules, renderer)
    return problems


def _entry(entry: Entry, rules: LayoutRules, renderer: Renderer) -> list[Problem]:
    def at(field: str, message: str, severity: str = "error") -> Problem:
        return Problem(entry.file, entry.line_of(field), f"条目 {entry.id}：{message}", severity)

    problems = []
    if not entry.short_label:
        problems.append(at("id", f"缺少 label：按钮上显示的短名字，最多 {rules.max_label_chars} "
                                 "个字"))
    elif len(entry.short_label) > rules.max_label_chars:
        problems.append(at("label", f"label「{entry.short_label}」有 {len(entry.short_label)} "
                                    f"个字，按钮上最多 {rules.max_label_chars} 个"))
    shown = renderer.fill(entry.answer, entry.source)
    problems += [at("answer", m) for m in _first_line(shown, rules, "答案")]
    problems += [at("answer", m, severity) for m, severity in _text_rules(entry.answer, renderer)]
    if len(entry.related) > rules.max_related:
        problems.append(at("related", f"related 有 {len(entry.related)} 个，最多写 "
                                      f"{rules.max_related} 个（答案下面只显示前 "
                                      f"{MAX_RELATED_SHOWN} 个）", "warning"))
    return problems


def _flow(flow: Flow, content: Content, rules: LayoutRules, renderer: Renderer
          ) -> list[Problem]:
    def at(line: int, message: str, severity: str = "error") -> Problem:
        return Problem(flow.file, line, f"测评 {flow.id}：{message}", severity)

    problems = []
    for step in flow.steps.values():
        problems += [at(step.line, f"第 {step.id!r} 步：{m}", severity)
                     for m, severity in _text_rules(step.text, renderer)]
    for result in flow.results.values():
        passages = linked_passages(content, result.entries)
        shown = renderer.fill(result.text, passages, with_contacts=False)
        what = f"结果 {result.id!r} "
        if len(shown) > rules.max_result_chars:
            problems.append(at(result.line, f"{what}有 {len(shown)} 个字（不算联系方式），手机上"
                                            f"请控制在 {rules.max_result_chars} 字以内，细节放进"
                                            "它链接的问答条目"))
        problems += [at(result.line, what + m) for m in _first_line(shown, rules, "")]
        problems += [at(result.line, what + m, severity)
                     for m, severity in _text_rules(result.text, renderer)]
        if len(result.entries) > MAX_RESULT_LINKS:
            problems.append(at(result.line, f"{what}链接了 {len(result.entries)} 个条目，最多 "
                                            f"{MAX_RESULT_LINKS} 个（手机上按钮最多 {MAX_ROWS} "
                                            "行）"))
    return problems


def _first_line(shown: str, rules: LayoutRules, what: str) -> list[str]:
    line = first_line(shown)
    if len(line) <= rules.max_first_line_chars:
        return []
    return [f"{what}第一行有 {len(line)} 个字（「{line[:12]}…」）：手机上职工先看这一行，"
            f"请控制在 {rules.max_first_line_chars} 个字以内，细节放到下面几行"]


def _text_rules(text: str, renderer: Renderer) -> list[tuple[str, str]]:
    """Plain text, known placeholders, no promise config cannot keep: (message, severity)."""
    found = []
    for pattern, what, severity in ((_HTML, "HTML 标签", "error"),
                                    (_MARKDOWN, "Markdown 记号", "warning")):
        mark = pattern.search(text)
        if mark:
            found.append((f"有 {what}「{mark.group(0).strip()}」：职工会原样看到这些符号，"
                          "请只用纯文字", severity))
    for name in unknown_placeholders(text):
        found.append((f"{{{name}}} 不是机器人会替换的占位符（可以用 {{contacts}}、"
                      f"{{source_note}}），职工会看到原样的「{{{name}}}」", "error"))
    promise = local_promise(text, renderer.contacts)
    if promise:
        found.append((f"让职工找「{promise}」，但 config.yaml 的 contacts 里没有市、县工会的"
                      "联系方式：只能写 {contacts} 里有的，或请 config.yaml 加上", "error"))
    return found
