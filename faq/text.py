"""Chinese text normalisation shared by the FAQ index and workers' questions.

Both sides go through the same `Normalizer.normalize`, so whatever it folds (full-width forms,
traditional characters, emoji, filler words, colloquial amounts, synonyms) can never make a
question and its FAQ phrasing disagree.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from faq.cache import read_cached, write_cached

if TYPE_CHECKING:
    from collections.abc import Callable

    import opencc

DEFAULT_MAX_QUERY_CHARS = 150  # workers tell their story first and ask last
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# Every pattern below runs in time linear in the text (Python's engine backtracks, so a pattern
# that can retry from each character of a long run is quadratic on that run):
# - a Chinese number starts only where a run of numerals starts (a numeral before it fails at
#   once); within the run the engine backs off at most the run's length to find a unit. The same
#   matches as without the anchor: a try from inside a run can only succeed where the try from
#   the run's start has already taken the whole run or failed for the same reason.
_CN_NUMBER = re.compile(r"(?<![零〇一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千]+"
                        r"(?=[万千元年个月名家项人岁块])")
# - a Latin amount likewise starts only where a run of digits starts, and its digits are taken
#   possessively (giving some back could only put a digit, never w/k, after them).
_LATIN_AMOUNT = re.compile(r"(?<!\d)(\d++(?:\.\d++)?+)([wk])(?![a-z])")
# - one character class repeated, and a dot judged by its two neighbours: nothing to retry.
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff.]+")
_DOT_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)")
# How much of a raw message normalisation looks at: the last RAW_PER_CHAR characters for each
# character the matcher uses, plus RAW_EDGE. See `Normalizer.tail`.
RAW_PER_CHAR = 4
RAW_EDGE = 64


def cn_to_int(text: str) -> int | None:
    """Convert a Chinese numeral below 10,000 (十, 二十五, 三百零五) to an int."""
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _fold_amounts(text: str) -> str:
    """10w -> 10万, 5k -> 5千, 十万 -> 10万, 三年 -> 3年."""
    text = _LATIN_AMOUNT.sub(lambda m: m.group(1) + ("万" if m.group(2) == "w" else "千"), text)

    def cn(match: re.Match[str]) -> str:
        value = cn_to_int(match.group(0))
        return match.group(0) if value is None else str(value)

    return _CN_NUMBER.sub(cn, text)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc  # compiled OpenCC: ~5 ms to import

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Code point -> first pinyin reading, tone marks removed.

    Built from pypinyin's single-character table, whose import costs ~170 ms; the folded table
    is cached (~5 ms to read) keyed by that file's size and date, so `unionbot ask` pays the
    import once per pypinyin install, not on every start."""
    spec = importlib.util.find_spec("pypinyin")
    source = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.py" if spec \
        and spec.submodule_search_locations else None
    name = ""
    if source is not None and source.is_file():
        stat = source.stat()
        name = f"pinyin-{stat.st_size}-{int(stat.st_mtime)}"
        cached = read_cached(name)
        if isinstance(cached, dict):
            return cached
    from pypinyin.pinyin_dict import pinyin_dict  # the single-character table only

    strip = {ord(a): b for a, b in zip("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
                                       "aaaaeeeeiiiioooouuuuvvvvvnnnm", strict=True)}
    table = {cp: readings.split(",", 1)[0].translate(strip) for cp, readings in pinyin_dict.items()}
    if name:
        write_cached(name, table)
    return table


def to_pinyin(text: str) -> list[str]:
    """One syllable per Chinese character; digits and Latin letters pass through as themselves."""
    table = _pinyin_table()
    return [table.get(ord(ch), ch) for ch in text]


def clean_control(text: str) -> str:
    """Drop control and format characters (keep newlines and tabs as spaces)."""
    return "".join(
        " " if ch in "\n\r\t" else ch
        for ch in text
        if ch in "\n\r\t" or unicodedata.category(ch)[0] != "C"
    )


@dataclass
class Normalizer:
    """Folds a question into the canonical form used for matching."""

    synonyms: dict[str, str] = field(default_factory=dict)  # variant -> canonical
    fillers: list[str] = field(default_factory=list)
    max_chars: int = DEFAULT_MAX_QUERY_CHARS

    def __post_init__(self) -> None:
        self._synonym_re = _alternation(self.synonyms)
        self._filler_re = _alternation(dict.fromkeys(self.fillers, ""))

    def tail(self, text: str) -> str:
        """The end of a raw message that normalisation looks at, so that no message however
        long (Telegram allows 4,096 characters, `unionbot ask` any number) costs more than a
        short one. max_chars 0 (used for staff content) means the whole text.

        Why it changes nothing for ordinary messages: only the last `max_chars` normalised
        characters are matched, and every step works on single characters or short stretches
        (a filler, a synonym, an OpenCC phrase; numbers fold at their own end). Steps only drop
        or shorten (NFKC may lengthen). The last RAW_PER_CHAR * max_chars characters therefore
        give the same result unless over three in four of them are dropped (ordinary questions
        lose 6%: punctuation, emoji, fillers), and the RAW_EDGE characters before them take
        whatever the cut splits. Otherwise (mostly emoji, a run of Chinese numerals longer than
        RAW_EDGE) the query is shorter but still the end of the message."""
        window = RAW_PER_CHAR * self.max_chars + RAW_EDGE
        return text[-window:] if self.max_chars > 0 and len(text) > window else text

    def normalize(self, text: str) -> str:
        """NFKC, lower case, traditional -> simplified, amounts, punctuation/emoji, fillers,
        synonyms. Returns '' for input with nothing matchable in it."""
        text = self.tail(text or "")
        text = unicodedata.normalize("NFKC", clean_control(text)).lower()
        text = _t2s().convert(text)
        text = _fold_amounts(text)
        text = _KEEP.sub("", text)
        text = _DOT_NOT_DECIMAL.sub("", text)
        if self._filler_re is not None:
            text = self._filler_re.sub("", text)
        if self._synonym_re is not None:
            text = self._synonym_re.sub(lambda m: self.synonyms[m.group(0)], text)
        return text[-self.max_chars:] if self.max_chars else text


def _alternation(mapping: dict[str, str]) -> re.Pattern[str] | None:
    """One regex matching any key, longest first, so the longest variant wins.

    Literal branches only: each try costs at most the keys' total length, whatever the text."""
    keys = sorted((k for k in mapping if k), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))) if keys else None


def synonym_map(groups: list[list[str]],
                fold: Callable[[str], str] | None = None) -> dict[str, str]:
    """Turn synonym groups (canonical first) into a variant -> canonical map.

    `fold` pre-normalises each word (so staff may write traditional forms or spaces)."""
    mapping: dict[str, str] = {}
    for group in groups:
        words = [fold(w) if fold else w for w in group]
        canonical = words[0]
        for word in words[1:]:
            if word and word != canonical:
                mapping[word] = canonical
    return mapping
