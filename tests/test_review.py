"""Learning from the records: questions linked with what followed, flow sessions, and the review
queue (kinds, grouping, counts, stable ids, decisions, what the FAQ already handles)."""

from __future__ import annotations

from bot.evidence import NOT_THIS, Asked, FlowOutcome, flow_sessions, link
from bot.records import EventKind, EventRecord, QuestionRecord
from bot.review import (
    ID_PATTERN,
    SuggestionKind,
    collect,
    find,
    queue,
    wording_key,
)
from bot.storage import StoredEvent, StoredQuestion

HOUR = 3600.0


def question(qid: str, text: str, outcome: str = "clarify", entry: str | None = None,
             worker: str = "w1", when: float = 0.0, query: str | None = None) -> StoredQuestion:
    return StoredQuestion(when, worker, QuestionRecord(
        question_id=qid, text=text, query=query if query is not None else text,
        outcome=outcome, entry_id=entry, score=40.0, candidates=("loan", "subsidy")))


def event(kind: EventKind, qid: str | None = None, entry: str | None = None,
          worker: str = "w1", when: float = 1.0, flow: str | None = None) -> StoredEvent:
    return StoredEvent(when, worker, EventRecord(kind=kind, question_id=qid, entry_id=entry,
                                                 flow_id=flow))


def nothing_answered(text: str) -> str | None:
    return None


def test_a_pick_teaches_the_wording_unless_the_worker_then_says_no() -> None:
    asked = link([question("q1", "借钱多久"), question("q2", "借钱几年", worker="w2")],
                 [event(EventKind.PICK, "q1", "loan"), event(EventKind.PICK, "q2", "loan",
                                                             worker="w2"),
                  event(EventKind.FEEDBACK_NO, "q2", "loan", worker="w2", when=2.0)])
    assert [a.learnt_entry for a in asked] == ["loan", None]
    assert asked[1].disowned == {"loan"}
    kinds = {(w.kind, w.entry_id) for w in collect(asked).values()}
    assert kinds == {(SuggestionKind.ALTERNATE, "loan"), (SuggestionKind.REVIEW_ANSWER, "loan")}


def test_the_last_pick_counts_and_none_of_these_only_without_a_pick() -> None:
    asked = link([question("q1", "借钱"), question("q2", "天气")],
                 [event(EventKind.PICK, "q1", "subsidy"), event(EventKind.PICK, "q1", "loan"),
                  event(EventKind.NONE_OF_THESE, "q1"), event(EventKind.NONE_OF_THESE, "q2")])
    assert (asked[0].picked, asked[0].none_of_these) == ("loan", False)
    assert (asked[1].picked, asked[1].none_of_these) == (None, True)


def test_an_answered_question_picked_again_teaches_nothing() -> None:
    [asked] = link([question("q1", "借钱", outcome="answer", entry="loan")],
                   [event(EventKind.FEEDBACK_YES, "q1", "loan")])
    assert asked.learnt_entry is None and asked.confirmed == {"loan"}
    assert collect([asked]) == {}


def test_six_workers_one_wording_one_suggestion_with_count_six() -> None:
    questions = [question(f"q{n}", words, worker=f"w{n}", when=float(n), query="借钱多久")
                 for n, words in enumerate(["借钱多久", "请问借钱多久", "借钱多久？",
                                            "借钱多久呢", "借钱多久", "师傅 借钱多久"])]
    events = [event(EventKind.PICK, f"q{n}", "loan", worker=f"w{n}") for n in range(6)]
    [suggestion] = queue(collect(link(questions, events)).values(), set(), nothing_answered)
    assert (suggestion.kind, suggestion.entry_id, suggestion.count, suggestion.workers) == \
        (SuggestionKind.ALTERNATE, "loan", 6, 6)
    assert suggestion.text == "借钱多久"  # the most frequent own words
    assert set(suggestion.variants) == {"请问借钱多久", "借钱多久？", "借钱多久呢", "师傅 借钱多久"}
    assert suggestion.id == wording_key(SuggestionKind.ALTERNATE, "loan", "借钱多久")
    assert ID_PATTERN.match(suggestion.id)


def test_similar_wordings_group_and_min_count_counts_workers() -> None:
    texts = ["工会无息借款能借多久", "工会无息借款能借多久啊", "工会的无息借款能借多久"]
    questions = [question(f"q{n}", t, worker="same", when=float(n)) for n, t in enumerate(texts)]
    events = [event(EventKind.PICK, f"q{n}", "loan", worker="same") for n in range(3)]
    wordings = collect(link(questions, events)).values()
    [group] = queue(wordings, set(), nothing_answered, min_count=1)
    assert (group.count, group.workers, len(group.wordings)) == (3, 1, 3)
    assert queue(wordings, set(), nothing_answered, min_count=2) == []


def test_unanswered_needs_two_workers_by_default_and_masked_words_are_never_alternates() -> None:
    questions = [question("q1", "今天天气怎么样", outcome="fallback"),
                 question("q2", "今天天气怎么样？", outcome="fallback", worker="w2",
                          query="今天天气怎么样"),
                 question("q3", "我电话***********借钱多久", worker="w3")]
    events = [event(EventKind.PICK, "q3", "loan", worker="w3")]
    wordings = collect(link(questions, events)).values()
    [new] = queue(wordings, set(), nothing_answered)
    assert (new.kind, new.entry_id, new.count, new.workers) == (SuggestionKind.NEW_ENTRY, None,
                                                                2, 2)
    alone = collect(link(questions[:1], [])).values()
    assert queue(alone, set(), nothing_answered) == []  # one worker: not yet
    assert len(queue(alone, set(), nothing_answered, min_count=1)) == 1


def test_decided_and_already_handled_wordings_leave_the_queue() -> None:
    questions = [question("q1", "借钱多久"), question("q2", "天气", outcome="fallback"),
                 question("q3", "天气", outcome="fallback", worker="w2")]
    events = [event(EventKind.PICK, "q1", "loan")]
    wordings = collect(link(questions, events)).values()
    assert len(queue(wordings, set(), nothing_answered)) == 2
    assert queue(wordings, set(), lambda text: "loan") == []  # both answered now
    alternate = wording_key(SuggestionKind.ALTERNATE, "loan", "借钱多久")
    [left] = queue(wordings, {alternate}, nothing_answered)
    assert left.kind is SuggestionKind.NEW_ENTRY
    assert [s.kind for s in queue(wordings, set(), lambda t: "other")] == \
        [SuggestionKind.ALTERNATE]  # answered with another entry: still worth adding


def test_queue_groups_by_entry_newest_evidence_first() -> None:
    questions = [question("q1", "借钱多久", when=10), question("q2", "贴息多少", when=20),
                 question("q3", "借款要还吗", when=30)]
    events = [event(EventKind.PICK, "q1", "loan"), event(EventKind.PICK, "q2", "subsidy"),
              event(EventKind.PICK, "q3", "loan")]
    order = [(s.entry_id, s.text) for s in queue(collect(link(questions, events)).values(),
                                                 set(), nothing_answered)]
    assert order == [("loan", "借款要还吗"), ("loan", "借钱多久"), ("subsidy", "贴息多少")]


def test_find_by_id_whatever_the_window() -> None:
    questions = [question("q1", "借钱多久"), question("q2", "借钱多久啊", worker="w2")]
    events = [event(EventKind.PICK, "q1", "loan"), event(EventKind.PICK, "q2", "loan",
                                                         worker="w2")]
    wordings = collect(link(questions, events))
    lead = wording_key(SuggestionKind.ALTERNATE, "loan", "借钱多久啊")
    found = find(wordings, lead)
    assert found is not None and found.id == lead and found.text == "借钱多久啊"
    assert len(found.keys) == 2  # the similar wording comes with it
    assert find(wordings, "azzzzzz") is None


def test_flow_sessions_completed_cancelled_abandoned_in_progress() -> None:
    f = "startup-aid-check"
    events = [
        event(EventKind.FLOW_START, flow=f, worker="done", when=0),
        event(EventKind.FLOW_STEP, flow=f, worker="done", when=10),
        event(EventKind.FLOW_START, flow=f, worker="done", when=20),  # restart: same session
        event(EventKind.FLOW_RESULT, flow=f, worker="done", when=30),
        event(EventKind.FLOW_START, flow=f, worker="quit", when=0),
        event(EventKind.FLOW_CANCEL, flow=f, worker="quit", when=5),
        event(EventKind.FLOW_START, flow=f, worker="gone", when=0),
        event(EventKind.FLOW_STEP, flow=f, worker="gone", when=60),
        event(EventKind.FLOW_START, flow=f, worker="gone", when=60 + HOUR + 1),  # a new one
        event(EventKind.FLOW_RESULT, flow=f, worker="gone", when=60 + HOUR + 9),
        event(EventKind.FLOW_STEP, flow=f, worker="late", when=1),  # began before the records
        event(EventKind.FLOW_START, flow=f, worker="now", when=3 * HOUR),
    ]
    sessions = flow_sessions(events, now=3 * HOUR + 60)
    outcomes = sorted((s.worker, s.outcome.value) for s in sessions)
    assert outcomes == [("done", FlowOutcome.COMPLETED.value),
                        ("gone", FlowOutcome.ABANDONED.value),
                        ("gone", FlowOutcome.COMPLETED.value),
                        ("now", FlowOutcome.IN_PROGRESS.value),
                        ("quit", FlowOutcome.CANCELLED.value)]
    [still] = [s for s in flow_sessions(events, now=5 * HOUR) if s.worker == "now"]
    assert still.outcome is FlowOutcome.ABANDONED


def test_not_this_counts_as_disowning_where_it_exists() -> None:
    kind = NOT_THIS
    if kind is None:
        return  # the 「不是这个」 button is not in this version
    [asked] = link([question("q1", "借钱", outcome="answer", entry="loan")],
                   [event(kind, "q1", "loan")])
    assert isinstance(asked, Asked) and asked.disowned == {"loan"}
