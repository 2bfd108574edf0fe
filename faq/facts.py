"""Facts an answer may state only if its sources state them: the one place that decides
whether a text's quantities are backed by the report (answers, labels and flow texts alike).

A quantity is a number as workers read it — Arabic or Chinese numerals (10, 十万, 五十万,
一到三年, 三百多), scaled by 万/亿, with 多/余 ("more than") and a unit (年 名 家 所 项 人 元 种 …),
or a share (百分之八十 = 80%, 十分之一).
Quantities are compared by value, not by spelling, so 10万 in an answer is backed by 10万元
or 十万 in the source, while 5万, 1万 (for 1万多) or 一到五年 (for 1到3年) are not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from faq.text import cn_to_int

_SPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

UNITS = "年名家所项人元批届月天位倍岁个日期场种%"
_BIG = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# An ordinal or a pointer (第五届, 第三种, 哪一种, 这一种, 每一个) is not a count; a number is read
# from where its run starts (第15届 is not 5届).
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_NOT_A_COUNT = rf"(?<![第哪这那每某\d.{_CN_DIGITS}])"
_NUMERAL = rf"\d+(?:\.\d+)?|[{_CN_DIGITS}]+"
_QUANTITY = re.compile(
    _NOT_A_COUNT + rf"(?:(?P<den>{_NUMERAL})分之)?"  # 百分之八十 is 80%, 十分之一 is 0.1
    rf"(?P<num>{_NUMERAL})"
    r"(?P<more1>[多余])?(?P<big>[万亿]{0,2})(?P<more2>[多余])?"
    rf"(?P<unit>个月|[{UNITS}])?")  # 3个月 is a span, 3月 a month
_RANGE = re.compile(r"\s*(?:到|至|-|~|～|—|－)\s*$")


@dataclass(frozen=True)
class Quantity:
    """One quantity as written (`text`) and as compared (value, unit, "more than")."""

    text: str
    value: Decimal
    unit: str = ""
    more: bool = False  # 多/余: "more than"

    def backed_by(self, other: Quantity) -> bool:
        """Same value and "more than"; units agree where both texts name one."""
        return (self.value == other.value and self.more == other.more
                and (not self.unit or not other.unit or self.unit == other.unit))

    @property
    def plain(self) -> str:
        """The compared form, e.g. 100000元, for messages (a share as written: 十分之一)."""
        if self.unit == "分之":
            return self.text
        value = format(self.value.normalize(), "f")
        return value + ("多" if self.more else "") + self.unit


def squash(text: str) -> str:
    """Text without whitespace: the OCR'd report breaks lines anywhere."""
    return _SPACE.sub("", text)


def strip_placeholders(text: str) -> str:
    """Text without {contacts}, {source_note} …: their facts come from config, not the report."""
    return _PLACEHOLDER.sub("", text)


def cn_value(text: str) -> int | None:
    """A Chinese numeral below 10,000 (十, 二十五, 三百零五), and a year such as 二〇一七
    read digit by digit."""
    if len(text) >= 3 and not any(ch in "十百千" for ch in text):
        digits = [cn_to_int(ch) for ch in text]
        return int("".join(map(str, digits))) if None not in digits else None
    return cn_to_int(text)


def quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in order. A bare Chinese numeral (一是…, 十九大) is a word,
    not a quantity, unless a unit, 万/亿, 多 or a range (一到三年) makes it one."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[re.Match[str], Quantity | None]] = []
    for match in _QUANTITY.finditer(text):
        found.append((match, _quantity(match)))
    result: list[Quantity] = []
    for i, (match, quantity) in enumerate(found):
        following = found[i + 1] if i + 1 < len(found) else None
        if quantity is not None and following is not None and following[1] is not None \
                and _RANGE.match(text[match.end():following[0].start()]):
            quantity = _range_start(match, quantity, following[0], following[1])
        if quantity is not None and (match.group("num").isascii() or _counts(match, quantity)):
            result.append(quantity)
    return result


def _quantity(match: re.Match[str]) -> Quantity | None:
    num = match.group("num")
    if num.isascii():
        try:
            value = Decimal(num)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    else:
        if num in ("百", "千"):  # 百万, 千万 as in 千万别: words, not amounts
            return None
        as_int = cn_value(num)
        if as_int is None:
            return None
        value = Decimal(as_int)
    for big in match.group("big"):
        value *= _BIG[big]
    unit = match.group("unit") or ""
    den = match.group("den")
    if den in ("百", "100"):
        unit = "%"
    elif den:
        denominator = Decimal(den) if den.isascii() else Decimal(cn_value(den) or 0)
        if not denominator:
            return None
        value, unit = value / denominator, "分之"
    more = bool(match.group("more1") or match.group("more2"))
    return Quantity(match.group(0), value, unit, more)


def _counts(match: re.Match[str], quantity: Quantity) -> bool:
    """Whether a Chinese numeral reads as a quantity rather than as part of a word."""
    return bool(quantity.unit or match.group("big") or quantity.more or match.group("den"))


def _range_start(match: re.Match[str], start: Quantity, end_match: re.Match[str],
                 end: Quantity) -> Quantity:
    """一到三年, 10到50万: the first number takes the second's unit and scale."""
    value = start.value
    if not match.group("big") and end_match.group("big"):
        for big in end_match.group("big"):
            value *= _BIG[big]
    return Quantity(start.text, value, start.unit or end.unit, start.more)


@lru_cache(maxsize=4096)
def _source_quantities(source: str) -> tuple[Quantity, ...]:
    """A passage's quantities (a passage backs many texts: flows read all their entries')."""
    return tuple(quantities(squash(source)))


def unsupported_quantities(text: str, sources: Iterable[str]) -> list[Quantity]:
    """The quantities in `text` (placeholders aside) that none of `sources` backs, each once."""
    backing = [q for source in sources for q in _source_quantities(source)]
    missing: dict[str, Quantity] = {}
    for quantity in quantities(squash(strip_placeholders(text))):
        if not any(quantity.backed_by(b) for b in backing):
            missing.setdefault(quantity.text, quantity)
    return list(missing.values())
