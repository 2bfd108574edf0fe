"""CSV exports for staff who work in Excel or WPS: questions, the review queue, entry and flow
use. UTF-8 with a byte-order mark (without it Excel on Windows reads Chinese as mojibake), one
row per item, Chinese column headers. The headers are a file format, fixed here with the rows
they describe."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.dialogue import Dialogue
from bot.evidence import Asked, FlowOutcome
from bot.review import Suggestion, SuggestionKind
from bot.usage import Usage

ENCODING = "utf-8-sig"  # UTF-8 with BOM
OUTCOME = {"answer": "直接回答", "clarify": "您是想问", "fallback": "没能回答"}
KIND = {SuggestionKind.ALTERNATE: "加为问法", SuggestionKind.REVIEW_ANSWER: "检查答案",
        SuggestionKind.NEW_ENTRY: "新条目或同义词"}
QUESTION_HEADERS = ("时间", "职工（匿名编号）", "问题编号", "职工原话（号码已遮盖）", "规范化后",
                    "结果", "回答的条目", "得分", "「您是想问」里的条目", "职工选的条目",
                    "点了「都不是」", "👍 的条目", "👎 或「不是这个」的条目")
REVIEW_HEADERS = ("编号", "建议", "条目", "条目的标准问法", "次数", "职工数", "最近一次",
                  "职工原话（例）", "相似说法")
STATS_HEADERS = ("类别", "编号", "名称", "直接回答", "出现在「您是想问」", "被选", "选中率",
                 "👍", "👎 或「不是这个」", "测评开始", "做完", "中途退出", "放弃（1 小时没再点）",
                 "还在做")


def stamp(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write the table; returns the number of rows (headers not counted)."""
    count = 0
    with path.open("w", encoding=ENCODING, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def question_rows(asked: list[Asked]) -> Iterable[Sequence[object]]:
    for a in asked:
        r = a.record
        yield (stamp(a.time), a.worker, r.question_id, r.text, r.query,
               OUTCOME.get(r.outcome, r.outcome), r.entry_id or "", f"{r.score:.1f}",
               " ".join(r.candidates), a.picked or "", "是" if a.none_of_these else "",
               " ".join(sorted(a.confirmed)), " ".join(sorted(a.disowned)))


def review_rows(dialogue: Dialogue, suggestions: list[Suggestion]
                ) -> Iterable[Sequence[object]]:
    entries = dialogue.knowledge.entries
    for s in suggestions:
        entry = entries.get(s.entry_id or "")
        kind = f"报道里没写（{s.unsaid}）" if s.unsaid else KIND[s.kind]
        yield (s.id, kind, s.entry_id or "", entry.question if entry else "", s.count,
               s.workers, stamp(s.last_seen), s.text, " / ".join(s.variants))


def stats_rows(dialogue: Dialogue, usage: Usage) -> Iterable[Sequence[object]]:
    """Every entry of the FAQ (used or not), then every guided check."""
    entries = dialogue.knowledge.entries
    for entry_id in list(entries) + sorted(set(usage.entries) - set(entries)):
        u = usage.entry(entry_id)
        name = entries[entry_id].question if entry_id in entries else ""
        yield ("条目", entry_id, name, u.answered, u.offered, u.picked,
               f"{u.pick_rate:.0%}" if u.offered else "", u.yes, u.no, "", "", "", "", "")
    flows = dialogue.knowledge.content.flows
    for flow_id in list(flows) + sorted(set(usage.flows) - set(flows)):
        f = usage.flows.get(flow_id)
        counts = [f.count(o) if f else 0 for o in (FlowOutcome.COMPLETED, FlowOutcome.CANCELLED,
                                                   FlowOutcome.ABANDONED, FlowOutcome.IN_PROGRESS)]
        yield ("测评", flow_id, flows[flow_id].title if flow_id in flows else "", "", "", "",
               "", "", "", f.started if f else 0, *counts)
