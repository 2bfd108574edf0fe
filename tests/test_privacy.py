"""Masking personal numbers: long numbers hidden digit by digit, everything else as written."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.dialogue import Dialogue
from bot.privacy import mask_personal
from faq.evaluate import load_question_set

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize(("raw", "masked"), [
    # mobile numbers, plain and grouped by a space, dash or dot
    ("13812345678", "***********"),
    ("138 1234 5678", "*** **** ****"),
    ("138-1234-5678", "***-****-****"),
    ("138.1234.5678", "***.****.****"),
    ("138 - 1234 - 5678", "*** - **** - ****"),
    ("+86 138 1234 5678", "+** *** **** ****"),
    # landlines, with and without the area code; 7 digits is the shortest
    ("0311-8888-1234", "****-****-****"),
    ("(0311)88881234", "(0311)********"),  # an area code alone is not personal
    ("8888123", "*******"),
    # ID cards: 18 digits, or 17 and a check X/x, which is hidden too
    ("130102199001011234", "******************"),
    ("13010219900101123X", "******************"),
    ("13010219900101123x号", "******************号"),
    ("130102 19900101 123X", "****** ******** ****"),
    # bank cards, 16 to 19 digits, often in groups of four
    ("6222021234567890", "****************"),
    ("6222 0212 3456 7890 123", "**** **** **** **** ***"),
    # full-width digits and separators count; the rest keeps its full-width form
    ("电话１３８１２３４５６７８", "电话***********"),
    ("０３１１－８８８８－１２３４", "****－****－****"),
    ("１３０１０２１９９００１０１１２３Ｘ", "******************"),
    ("能借１０万吗？", "能借１０万吗？"),
    # Chinese and numbers mixed, Chinese punctuation kept
    ("我电话13812345678，身份证130102199001011234",
     "我电话***********，身份证******************"),
    ("QQ号12345678，微信abc1234567", "QQ号********，微信abc*******"),
    # short numbers stay: amounts, years, counts, the 12351 hotline, a 6-digit postcode
    ("能借10万吗", "能借10万吗"),
    ("借50个人", "借50个人"),
    ("2017年的大工匠", "2017年的大工匠"),
    ("借3年，1.5万，拨打12351", "借3年，1.5万，拨打12351"),
    ("邮编050000", "邮编050000"),
    ("第1 2 3期", "第1 2 3期"),
    ("3x4米的店面", "3x4米的店面"),
    ("订单1234567x", "订单*******x"),  # an X after a number that is not an ID stays
    ("", ""),
])
def test_mask_personal(raw: str, masked: str) -> None:
    assert mask_personal(raw) == masked


def test_masking_keeps_the_shape() -> None:
    rng = random.Random(4)
    text = "".join(rng.choice("0123456789 -.x电话，１－") for _ in range(5_000))
    out = mask_personal(text)
    assert len(out) == len(text)
    assert all(o == t or o == "*" for o, t in zip(out, text, strict=True))
    assert "*" in out


def test_ordinary_questions_are_unchanged(shipped_dialogue: Dialogue) -> None:
    questions = [q.text for name in ("dev_set.yaml", "test_set.yaml")
                 for q in load_question_set(DATA / name)]
    questions += [p for e in shipped_dialogue.knowledge.entries.values() for p in e.phrasings]
    assert len(questions) > 500
    assert [q for q in questions if mask_personal(q) != q] == []


@pytest.mark.parametrize("text", ["1" * 100_000, "1 " * 100_000, "１" * 100_000,
                                  "1 - " * 50_000, "123456，" * 20_000],
                         ids=["100k digits", "100k '1 '", "100k full-width", "50k '1 - '",
                              "20k six-digit numbers"])
def test_long_input(text: str) -> None:
    out = mask_personal(text)
    assert len(out) == len(text)
    digits_left = sum(ch.isdecimal() for ch in out)
    assert digits_left == (120_000 if text.startswith("123456") else 0)
