"""The four replies: the decision rule, how the dialogue renders each, 「不是这个？」, and the
questions about what the report does not say (faq/data/silent.yaml)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from helpers import payload_of, targets

from bot.cli import reply_json
from bot.dialogue import Dialogue
from bot.payload import Action
from bot.records import EventKind, EventRecord, QuestionRecord
from bot.replies import ReplyKind
from faq.decision import FEATURES, Candidate, Match, Outcome, Thresholds, choose, load_model
from faq.messages import MessageKey
from faq.silent import Elsewhere, SilentFinder, SilentIntent, read_silent
from faq.silent_routing import TIE, route
from faq.views import Memo

T = Thresholds(answer=0.6, alternative=0.3, clarify=0.1, confirm=0.4)


def c(entry_id: str, confidence: float) -> Candidate:
    return Candidate(entry_id, 50.0, entry_id, confidence)


@pytest.mark.parametrize(("confidences", "outcome", "shown", "confirm"), [
    ([0.9, 0.05], Outcome.ANSWER, ["a"], False),  # confident: the answer alone
    ([0.9, 0.35, 0.31, 0.3], Outcome.ANSWER, ["a", "b", "c"], False),  # at most 2 alternatives
    ([0.5, 0.2], Outcome.CLARIFY, ["a", "b"], False),  # torn between two
    ([0.5, 0.02], Outcome.ANSWER, ["a"], True),  # one plausible: answer, 「不是这个？」
    ([0.3, 0.02], Outcome.FALLBACK, ["a", "b"], False),  # one, not plausible enough
    ([0.05, 0.2], Outcome.FALLBACK, ["b", "a"], False),  # most likely first
    ([], Outcome.FALLBACK, [], False),
])
def test_choose(confidences: list[float], outcome: Outcome, shown: list[str],
                confirm: bool) -> None:
    candidates = [c(chr(ord("a") + i), p) for i, p in enumerate(confidences)]
    got, candidates_shown, got_confirm = choose(candidates, T, 3)
    assert (got, [x.entry_id for x in candidates_shown], got_confirm) == (outcome, shown, confirm)


def test_did_you_mean_never_has_a_single_option() -> None:
    steps = [x / 20 for x in range(21)]
    for first in steps:
        for second in steps:
            outcome, shown, _ = choose([c("a", first), c("b", second)], T, 3)
            assert outcome is not Outcome.CLARIFY or len(shown) >= 2


def test_the_shipped_model_is_complete() -> None:
    model = load_model()
    assert set(model.weights) == set(FEATURES)
    t = model.thresholds
    assert 0 < t.clarify <= t.confirm <= t.answer < 1 and t.alternative <= t.answer
    assert 0 < t.silent <= t.answer


def answered(dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch, match: Match):
    monkeypatch.setattr(dialogue.knowledge.matcher, "match", lambda text: match)
    return dialogue.ask("随便问问")


def test_answer_with_alternatives(shipped_dialogue: Dialogue,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    match = Match(Outcome.ANSWER, "q", (c("interest-free-loan", 0.8),
                                        c("startup-aid-amount", 0.4), c("equity-stake", 0.3)))
    reply = answered(shipped_dialogue, monkeypatch, match)
    assert reply.answered and reply.entry_id == "interest-free-loan"
    assert reply.text.endswith(shipped_dialogue.msg(MessageKey.ALSO_ASK))
    assert [s.entry_id for s in reply.suggestions] == ["startup-aid-amount", "equity-stake"]
    # their own row, first, each a pick that follows this question
    first_row = reply.buttons[0]
    payloads = [shipped_dialogue.codec.decode(b.payload) for b in first_row]
    assert [(p.action, p.target, p.question) for p in payloads if p] == [
        (Action.ENTRY, "startup-aid-amount", reply.question_id),
        (Action.ENTRY, "equity-stake", reply.question_id)]
    [record] = reply.records
    assert isinstance(record, QuestionRecord) and record.outcome == "answer"
    assert record.candidates == ("interest-free-loan", "startup-aid-amount", "equity-stake")
    shown = reply_json("q", reply)
    assert shown["answered"] is True and [s["id"] for s in shown["suggestions"]] == [
        "startup-aid-amount", "equity-stake"]
    pick = shipped_dialogue.press(payload_of(shipped_dialogue, reply, Action.ENTRY,
                                             "equity-stake"))
    assert pick.records == (EventRecord(kind=EventKind.PICK, question_id=reply.question_id,
                                        entry_id="equity-stake"),)


def test_not_this_under_an_unsure_answer(shipped_dialogue: Dialogue,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    match = Match(Outcome.ANSWER, "q", (c("interest-free-loan", 0.5),), confirm=True)
    reply = answered(shipped_dialogue, monkeypatch, match)
    assert reply.answered and reply.suggestions == ()
    assert [b.label for b in reply.buttons[0]] == [shipped_dialogue.msg(MessageKey.NOT_THIS)]
    assert targets(shipped_dialogue, reply, Action.NOT_THIS) == ["interest-free-loan"]
    after = shipped_dialogue.press(payload_of(shipped_dialogue, reply, Action.NOT_THIS))
    assert after.kind is ReplyKind.FALLBACK and after.buttons
    assert after.records == (EventRecord(kind=EventKind.NOT_THIS, question_id=reply.question_id,
                                         entry_id="interest-free-loan"),)
    forged = payload_of(shipped_dialogue, reply, Action.NOT_THIS).replace(
        "interest-free-loan", "equity-stake")
    assert shipped_dialogue.press(forged).records[0].question_id is None  # counted for nobody


def test_silent_note_follows_the_answer(shipped_dialogue: Dialogue,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    contacts = shipped_dialogue.render("{contacts}")
    for entry in shipped_dialogue.knowledge.entries.values():
        match = Match(Outcome.ANSWER, "q", (c(entry.id, 0.9),), silent="具体怎么申请")
        reply = answered(shipped_dialogue, monkeypatch, match)
        assert reply.text.startswith(shipped_dialogue.render(entry.answer))
        assert "具体怎么申请" in reply.text and contacts in reply.text
        assert reply.silent == "具体怎么申请" and reply_json("q", reply)["silent"]


def test_a_question_about_what_the_report_does_not_say(shipped_dialogue: Dialogue) -> None:
    reply = shipped_dialogue.ask("无息借款在哪办")  # dev set: the loan, and where is not said
    assert reply.answered and reply.entry_id == "interest-free-loan" and reply.silent
    assert shipped_dialogue.render("{contacts}") in reply.text
    own = shipped_dialogue.ask("创业扶持怎么申请")  # the entry on applying says it itself
    assert own.entry_id == "startup-aid-how-to-apply" and not own.silent
    off = shipped_dialogue.ask("劳动仲裁怎么申请")  # how to apply for what the FAQ lacks
    assert off.kind is ReplyKind.FALLBACK


@pytest.mark.parametrize(("second", "expected"), [
    # stripping left a vaguer question that leans elsewhere, less surely: the first entry
    (Match(Outcome.CLARIFY, "工作室", (c("b", 0.5), c("a", 0.4))), ("a", True)),
    # it leans elsewhere more surely: neither is trusted, the decision stays
    (Match(Outcome.CLARIFY, "工作室", (c("b", 0.62), c("a", 0.3))), None),
    # the same entry, now confident: answered outright
    (Match(Outcome.ANSWER, "工作室", (c("a", 0.9),)), ("a", False)),
    # another entry, confident, that the first weighing put well behind: not trusted
    (Match(Outcome.ANSWER, "工作室", (c("b", 0.9),)), None),
])
def test_a_silent_question_weighed_again(shipped_dialogue: Dialogue,
                                         monkeypatch: pytest.MonkeyPatch, second: Match,
                                         expected: tuple[str, bool] | None) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    first = Match(Outcome.CLARIFY, "劳模工作室怎么申请", (c("a", 0.59), c("b", 0.32)))
    assert 0.59 >= matcher.model.thresholds.silent > 0.32  # the rule's cut-off, as shipped
    monkeypatch.setattr(matcher, "decide", lambda *args, **kwargs: second)
    asked = matcher.silent.find(first.query)
    assert asked and not any(intent.detail for intent, _ in asked)  # a way of asking: stripped
    got = route(matcher, first, first.query, asked, Memo())
    assert got.silent  # what the report does not say, whichever way it goes
    if expected is None:  # the decision stays, flagged
        assert replace(got, silent="") == first
    else:
        assert got.outcome is Outcome.ANSWER and got.best is not None
        assert (got.best.entry_id, got.confirm) == expected and got.query == first.query


def test_a_tie_is_broken_by_the_question_without_its_asking_words(
        shipped_dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    first = Match(Outcome.FALLBACK, "转岗培训怎么报名",
                  (c("a", 0.26), c("b", 0.26 - TIE), c("d", 0.25 - TIE)))
    asked = matcher.silent.find(first.query)
    for second_best, expected in (("b", "b"), ("d", None)):  # within the tie, or just outside
        second = Match(Outcome.ANSWER, "转岗培训", (c(second_best, 0.92),))
        monkeypatch.setattr(matcher, "decide", lambda *args, answer=second, **kwargs: answer)
        got = route(matcher, first, first.query, asked, Memo())
        assert (got.best.entry_id if got.outcome is Outcome.ANSWER and got.best else None) \
            == expected


@pytest.mark.parametrize(("second", "expected"), [
    (Match(Outcome.ANSWER, "吴明", (c("wu-ming-studio", 0.99),)), "wu-ming-studio"),
    # only plausible without the asking words: the entry that speaks to them stays
    (Match(Outcome.ANSWER, "吴明", (c("wu-ming-studio", 0.55),), confirm=True), None),
    (Match(Outcome.FALLBACK, "吴明", (c("wu-ming-studio", 0.3),)), None),
])
def test_an_entry_that_speaks_to_it_only_through_the_asking_words(
        shipped_dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch, second: Match,
        expected: str | None) -> None:
    matcher = shipped_dialogue.knowledge.matcher
    first = Match(Outcome.FALLBACK, "吴明电话多少",
                  (c("contact-union", 0.44), c("wu-ming-studio", 0.23)))
    asked = matcher.silent.find(first.query)
    assert asked and not matcher.unsaid(asked, "contact-union")  # it speaks to phone numbers
    monkeypatch.setattr(matcher, "decide", lambda *args, **kwargs: second)
    got = route(matcher, first, first.query, asked, Memo())
    if expected is None:
        assert got == first
    else:
        assert got.outcome is Outcome.ANSWER and got.best is not None
        assert got.best.entry_id == expected and got.query == first.query and got.silent


def test_silent_finder_and_its_file(tmp_path: Path) -> None:
    finder = SilentFinder.build([SilentIntent("申请办法", ("怎么申请", "去哪办")),
                                 SilentIntent("电话", ("电话",))], str)
    found = finder.find("扶持去哪办电话多少")
    assert [(i.name, hits) for i, hits in found] == [("申请办法", ("去哪办",)), ("电话", ("电话",))]
    assert finder.strip("扶持去哪办电话多少", ["去哪办", "电话"]) == "扶持多少"
    apply, phone = found[0][0], found[1][0]
    said = "创业扶持怎么申请\n扶持"  # an entry's phrasings: one way of asking covers the intent
    assert finder.speaks_to(apply, ("去哪办",), said, "") and not finder.speaks_to(
        phone, ("电话",), said, "")
    bad = tmp_path / "silent.yaml"
    bad.write_text("intents:\n  - name: 电话\n    words: [电话]\n  - name: 缺词\n", "utf-8")
    intents, _, problems = read_silent(bad, tmp_path)
    assert [i.name for i in intents] == ["电话"]
    assert [(p.file, p.line) for p in problems] == [("silent.yaml", 4)]
    bad.write_text("intents:\n  - {name: 电话, words: [电话]}\nelsewhere: 上海\n", "utf-8")
    assert [(p.file, p.line) for p in read_silent(bad, tmp_path)[2]] == [("silent.yaml", 3)]


def test_detail_intents_are_spoken_to_word_by_word_or_by_a_number() -> None:
    money = SilentIntent("钱数", ("多少钱",), answered_by=("元",), detail=True)
    rules = SilentIntent("规定", ("担保人", "提前还"), detail=True)
    finder = SilentFinder.build([money, rules], str)
    (asked_money, hits), = finder.find("借款多少钱")
    assert finder.speaks_to(asked_money, hits, "", "最多借10万元")  # the answer gives it
    assert not finder.speaks_to(asked_money, hits, "", "借款用1到3年")  # a number, no amount
    (asked_rules, hits), = finder.find("要担保人吗能提前还吗")
    assert not finder.speaks_to(asked_rules, hits, "要担保人吗", "")  # 提前还 is not spoken to
    assert finder.speaks_to(asked_rules, hits, "要担保人吗\n能提前还吗", "")


def test_detail_intents_keep_their_words_when_weighed(shipped_dialogue: Dialogue) -> None:
    """「创业担保贷款」 is the labour bureau's loan: a detail word is no way of asking, so the
    question is not weighed again without it."""
    reply = shipped_dialogue.ask("无息借款要担保人吗")
    assert reply.answered and reply.entry_id == "interest-free-loan"
    assert "具体的规定" in reply.silent
    assert not shipped_dialogue.ask("人社局的创业担保贷款能贷多少").answered
    amount = shipped_dialogue.ask("无息借款最多借多少钱")  # its answer gives the amount
    assert amount.answered and "钱数" not in amount.silent



def test_who_else_is_no_list(shipped_dialogue: Dialogue) -> None:
    """「还有谁」 asks who else takes part (the report says), not for a list it lacks."""
    equity = shipped_dialogue.ask("资金入股是省总自己入股吗，还有谁一起持股")
    assert equity.entry_id == "equity-stake" and not equity.silent
    assert "名单" in shipped_dialogue.ask("大干60天竞赛最后谁赢了").silent

def test_a_story_uses_asking_words_in_passing(shipped_dialogue: Dialogue) -> None:
    """Only a long message's last clauses ask: 「打电话」 and 「写个材料」 told first are story."""
    stories = {"俺闺女昨天打电话跟我说，她们厂里在评河北大工匠，俺就想问问这个河北大工匠到底是啥":
               "hebei-great-craftsman",
               "领导让我写个材料，要用到河北有几家全国示范性劳模创新工作室，一共几家":
               "innovation-studio-national-honours"}
    for story, entry in stories.items():
        reply = shipped_dialogue.ask(story)
        assert reply.answered and reply.entry_id == entry and not reply.silent
    asked_last = shipped_dialogue.ask(
        "俺在厂里干了二十年，听说有无息借款，俺想问问去哪申请，电话多少")
    assert asked_last.answered and asked_last.silent


def test_silent_file_problems_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "silent.yaml"
    bad.write_text("intents:\n  - {name: 钱, words: [多少钱], answered_by: 元}\n"
                   "  - {name: 规定, words: [担保人], detail: 是}\n", "utf-8")
    intents, _, problems = read_silent(bad, tmp_path)
    assert intents == []
    assert [(p.file, p.line) for p in problems] == [("silent.yaml", 2), ("silent.yaml", 3)]
    assert "answered_by" in problems[0].message and "detail" in problems[1].message


def test_places_outside_hebei() -> None:
    finder = SilentFinder.build([], str, Elsewhere(("上海", "北京"), ("河北", "京津冀")))
    assert finder.place("上海工会无息借款") == "上海"
    assert finder.place("河北京津冀大赛") == ""  # 北京 inside 河北京津冀 is no place
    assert finder.place("在北京打工回河北创业") == ""  # names Hebei last: asks about Hebei
    assert finder.place("我是河北人在北京上班北京的创业补贴多少") == "北京"  # asks last about 北京
    assert finder.place("河北京剧团") == ""
    assert finder.place("无息借款") == ""


def test_a_question_about_another_province(shipped_dialogue: Dialogue) -> None:
    contacts = shipped_dialogue.render("{contacts}")
    for question in ("广东工会的无息借款能借多少", "上海的大工匠咋评"):
        reply = shipped_dialogue.ask(question)
        assert reply.kind is ReplyKind.FALLBACK and question[:2] in reply.text
        assert contacts in reply.text and reply.records
    # the entry on the 2022 Winter Olympics venues names 北京 itself
    kept = shipped_dialogue.ask("北京冬奥会张家口场馆的劳动竞赛")
    assert kept.answered and kept.entry_id == "competition-new-fields-2017"


def test_did_you_mean_says_what_the_report_does_not(shipped_dialogue: Dialogue,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    match = Match(Outcome.CLARIFY, "q", (c("interest-free-loan", 0.4), c("equity-stake", 0.3)),
                  silent="联系电话和地址")
    monkeypatch.setattr(shipped_dialogue.knowledge.matcher, "match", lambda text: match)
    reply = shipped_dialogue.ask("q")
    assert reply.kind is ReplyKind.CLARIFY and len(reply.suggestions) == 2
    assert "联系电话和地址" in reply.text and shipped_dialogue.render("{contacts}") in reply.text


def test_match_confidence_is_the_first_candidates() -> None:
    match = Match(Outcome.ANSWER, "q", (c("a", 0.8), c("b", 0.4)))
    assert match.confidence == 0.8 and match.alternatives == (c("b", 0.4),)
    assert replace(match, outcome=Outcome.CLARIFY).alternatives == ()
