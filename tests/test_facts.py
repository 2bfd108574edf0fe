"""Quantities an answer states must be backed by its sources, compared by value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from faq.facts import quantities, unsupported_quantities

AMOUNT = "每个项目一般不超过10万元，对于确有发展前途、吸纳就业人数较多的项目不超过50万元。"
LOAN = "使用期限为1到3年，到期全额归还借款。"
ONLINE = "有1万多培训课程资源"
METHODS = "通过贷款贴息、无息借款、资金入股、风险抵押金4种方式实施扶持"
COST = "成本仅为外购产品的十分之一"
SOURCES = [AMOUNT, LOAN, ONLINE, METHODS, COST]


@pytest.mark.parametrize(("text", "found"), [
    ("10万元", [("10万元", "100000", "元", False)]),
    ("十万", [("十万", "100000", "", False)]),
    ("五十万", [("五十万", "500000", "", False)]),
    ("三百多个", [("三百多个", "300", "个", True)]),
    ("1万多名", [("1万多名", "10000", "名", True)]),
    ("10多万", [("10多万", "100000", "", True)]),
    ("15.13万名", [("15.13万名", "151300", "名", False)]),
    ("88.2%", [("88.2%", "88.2", "%", False)]),
    ("百分之八十", [("百分之八十", "80", "%", False)]),
    ("十分之一", [("十分之一", "0.1", "分之", False)]),
    ("4种", [("4种", "4", "种", False)]),
    ("二〇一七年", [("二〇一七年", "2017", "年", False)]),
    ("１０万", [("10万", "100000", "", False)]),  # full-width digits
    ("一到三年", [("一", "1", "年", False), ("三年", "3", "年", False)]),
    ("10到50万元", [("10", "100000", "元", False), ("50万元", "500000", "元", False)]),
    ("2017年10月", [("2017年", "2017", "年", False), ("10月", "10", "月", False)]),
    ("一个", [("一个", "1", "个", False)]),
])
def test_quantities_are_read_as_workers_read_them(text: str, found: list[tuple]) -> None:
    assert [(q.text, q.value, q.unit, q.more) for q in quantities(text)] == \
        [(t, Decimal(v), u, m) for t, v, u, m in found]


@pytest.mark.parametrize("text", ["一是小额贷款贴息方式", "党的十九大", "千万别着急", "统一组织",
                                  "万一还不上", "第一代高铁工人", "一线职工",
                                  "第五届", "第15届", "第三种方式", "哪一种", "这一种", "每一个"])
def test_chinese_numerals_in_words_are_not_quantities(text: str) -> None:
    assert quantities(text) == []


@pytest.mark.parametrize(("answer", "wrong"), [
    ("确有发展前途的项目不超过5万元", "5万元"),  # 50万 -> 5万
    ("每个项目一般不超过1万元", "1万元"),  # 10万 -> 1万
    ("无息借款能用一到五年", "五年"),  # 1到3年 -> 一到五年
    ("无息借款能用1到5年", "5年"),
    ("有1万培训课程资源", "1万"),  # 1万多 is "more than" 1万
    ("每个项目一般不超过10万人", "10万人"),  # the unit is not the source's
    ("使用期限为3个月", "3个月"),
    ("工会有五种扶持方式", "五种"),  # 4种 -> 五种
    ("成本只有外购的五分之一", "五分之一"),  # 十分之一 -> 五分之一
])
def test_a_changed_quantity_is_not_backed(answer: str, wrong: str) -> None:
    assert [q.text for q in unsupported_quantities(answer, SOURCES)] == [wrong]


@pytest.mark.parametrize("answer", [
    "每个项目一般不超过10万元", "每个项目一般不超过十万", "最多10万", "不超过五十万元",
    "无息借款能用一到三年", "能用1到3年", "用3年", "有1万多培训课程资源", "一万多门课",
    "{source_note}，每个项目10万元。{contacts}",  # placeholders are config's facts
    "有四种扶持方式", "4种方式", "第三种方式是资金入股", "成本只有外购的十分之一",
])
def test_the_same_quantity_in_other_words_is_backed(answer: str) -> None:
    assert unsupported_quantities(answer, SOURCES) == []


def test_sources_broken_across_ocr_lines_still_back_quantities() -> None:
    assert unsupported_quantities("不超过10万元", ["每个项目一般不超过10\n万元"]) == []
