"""Normalisation: both sides of a match are folded the same way."""

from __future__ import annotations

import pytest

from faq.matcher import units
from faq.text import Normalizer, cn_to_int, synonym_map, to_pinyin


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    groups = [["下岗", "失业", "分流"], ["借款", "借钱"], ["大工匠", "工匠"]]
    return Normalizer(synonyms=synonym_map(groups), fillers=["请问", "你好", "师傅", "呢", "吧"])


@pytest.mark.parametrize(("raw", "expected"), [
    ("１０万", "10万"),  # full-width digits
    ("ＡＢＣ借款", "abc借款"),  # full-width letters, lower case
    ("請問貸款怎麼辦", "贷款怎么办"),  # traditional -> simplified, filler removed
    ("能借10w吗", "能借10万吗"),  # 10w -> 10万; 借 alone is not 借钱
    ("能借十万吗", "能借10万吗"),
    ("5k够吗", "5千够吗"),
    ("最多五十万", "最多50万"),
    ("借三年", "借3年"),
    ("师傅你好，失业了咋办呢？？？😭🙏", "下岗了咋办"),  # fillers, punctuation, emoji, synonym
    ("借钱 要 利息 吗", "借款要利息吗"),
    ("工匠评选", "大工匠评选"),
    ("1.5万", "1.5万"),
    ("a\x00b\u200bc\x1b", "abc"),  # control and format characters
])
def test_normalize(norm: Normalizer, raw: str, expected: str) -> None:
    assert norm.normalize(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "😀😀🙏", "？？！！。。", "\x00\x01"])
def test_nothing_matchable_gives_empty(norm: Normalizer, raw: str) -> None:
    assert norm.normalize(raw) == ""


def test_long_input_keeps_the_end(norm: Normalizer) -> None:
    text = "啊" * 5000 + "前面" * 3000 + "无息借款多久还"
    out = Normalizer(max_chars=50).normalize(text)
    assert len(out) == 50 and out.endswith("无息借款多久还")


def test_cn_to_int() -> None:
    assert [cn_to_int(x) for x in ["十", "十五", "二十", "三百零五", "两千"]] == [10, 15, 20, 305,
                                                                             2000]
    assert cn_to_int("万") is None


def test_pinyin_makes_sound_alikes_share_units() -> None:
    assert to_pinyin("借款") == to_pinyin("接款") == ["jie", "kuan"]
    assert to_pinyin("技校") == to_pinyin("计校")
    assert "pjie kuan" in units("接款") and "pjie kuan" in units("借款")
    assert "b借款" in units("借款") and "b借款" not in units("接款")


def test_longest_synonym_wins() -> None:
    n = Normalizer(synonyms=synonym_map([["下岗", "下岗失业", "失业"]]))
    assert n.normalize("下岗失业职工") == "下岗职工"


def test_pinyin_cache_gives_the_same_table(tmp_path, monkeypatch) -> None:
    from faq import text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text._pinyin_table.cache_clear()
    built = text._pinyin_table()  # from pypinyin, then written to the cache
    assert list((tmp_path / "unionbot").glob("pinyin-*.marshal"))
    text._pinyin_table.cache_clear()
    cached = text._pinyin_table()  # read back
    text._pinyin_table.cache_clear()
    assert cached == built and built[ord("借")] == "jie" and built[ord("绿")] == "lv"


def test_index_cache_gives_the_same_phrasings(tmp_path, monkeypatch) -> None:
    from faq.index import prepare

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    n = Normalizer(synonyms=synonym_map([["借款", "借钱"]]))
    phrasings = [("a", "无息借钱能借几年"), ("b", "？？"), ("c", "技校在哪")]
    built = prepare(phrasings, n)  # normalised, then written to the cache
    assert [p.entry_id for p in built] == ["a", "c"] and built[0].norm == "无息借款能借几年"
    assert list((tmp_path / "unionbot").glob("index-*.marshal"))
    assert prepare(phrasings, n) == built  # read back
    changed = prepare([("a", "无息借钱能借多久")], n)  # other content: another cache entry
    assert changed[0].norm == "无息借款能借多久"
