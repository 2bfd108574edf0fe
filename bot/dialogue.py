"""The dialogue core: turns a worker's text, button or command into a reply.

Shared by every channel (Telegram, the console chat, `unionbot ask`). It knows nothing of
Telegram: a reply is text plus rows of buttons whose payloads come from the one codec
(bot/payload.py), and every payload is self-contained, so any process can act on a button
pressed in another. It also decides what each turn records (`Reply.records`); the service
(bot/service.py) stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.config import Config
from bot.payload import Action, Codec, Payload
from bot.records import EventKind, EventRecord, QuestionRecord, new_question_id
from bot.replies import Button, Reply, ReplyKind, Rows, Suggestion
from faq.content import Entry, linked_passages
from faq.flows import engine
from faq.knowledge import Knowledge, TopicHint
from faq.layout import MAX_RELATED_SHOWN
from faq.matcher import Candidate, Match, Outcome
from faq.messages import MessageKey as K
from faq.placeholders import Renderer
from faq.sources import Passage
from faq.yamlfile import Problem

COMMANDS = ("start", "help", "menu", "topics", "cancel")  # the workers' commands


@dataclass
class Dialogue:
    """Answers with the serving knowledge; `swap` replaces it in one assignment."""

    config: Config
    knowledge: Knowledge
    codec: Codec
    problems: list[Problem] = field(default_factory=list)  # warnings of the serving content
    new_question_id: Callable[[], str] = new_question_id

    def swap(self, knowledge: Knowledge, warnings: list[Problem] | None = None) -> None:
        """Serve `knowledge` from now on: one reference assignment, so a reply is built
        wholly from the old content or wholly from the new."""
        self.knowledge, self.problems = knowledge, list(warnings or [])

    # ---- text -----------------------------------------------------------------------------
    @property
    def renderer(self) -> Renderer:
        """Fills {contacts} and {source_note} from config and the serving messages."""
        return Renderer(self.config.contacts, self.config.faq.sources,
                        self.knowledge.content.messages)

    def msg(self, key: K, **values: str) -> str:
        """A message from messages.yaml with {contacts} and other values filled in."""
        return self.knowledge.content.messages.get(key, **(self.renderer.values() | values))

    def render(self, text: str, passages: tuple[Passage, ...] = ()) -> str:
        """Content text (an answer, a flow step) with its placeholders filled in; {source_note}
        names the document `passages` come from (the default one without)."""
        return self.renderer.fill(text, passages)

    def label(self, entry: Entry) -> str:
        limit = self.config.check.max_label_chars  # the check holds labels to it already
        text = entry.label
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def button(self, label: str, payload: Payload) -> Button:
        return Button(label=label, payload=self.codec.encode(payload))

    def menu_row(self) -> tuple[Button, ...]:
        return (self.button(self.msg(K.MENU_BUTTON), Payload(action=Action.MENU)),)

    # ---- entry points ---------------------------------------------------------------------
    def command(self, name: str) -> Reply:
        """A worker's command (/start, /help, /menu, /topics, /cancel), in any channel."""
        if name == "start":
            return Reply(kind=ReplyKind.MENU, text=self.msg(K.WELCOME),
                         buttons=self.menu_buttons())
        if name == "help":
            return Reply(kind=ReplyKind.INFO, text=self.msg(K.HELP), buttons=self.menu_buttons())
        if name == "topics":
            return self.topics()
        if name == "cancel":  # flow state lives in the buttons: nothing to clear but the screen
            return Reply(kind=ReplyKind.INFO, text=self.msg(K.CANCELLED),
                         buttons=(self.menu_row(),))
        return self.menu()

    def menu(self) -> Reply:
        return Reply(kind=ReplyKind.MENU, text=self.msg(K.MENU), buttons=self.menu_buttons())

    def topics(self) -> Reply:
        rows = tuple((self.button(t.title, Payload(action=Action.TOPICS, target=t.id)),)
                     for t in self.knowledge.content.topics)
        return Reply(kind=ReplyKind.MENU, text=self.msg(K.TOPICS),
                     buttons=rows + (self.menu_row(),))

    def ask(self, text: str) -> Reply:
        """Answer a typed question (with "also maybe" or 「不是这个？」 when the matcher says
        so), offer "did you mean", or fall back; and record the question."""
        matcher = self.knowledge.matcher
        match = matcher.match(text or "")
        if not match.query:
            return Reply(kind=ReplyKind.FALLBACK, text=self.msg(K.EMPTY),
                         buttons=self.topic_rows())
        qid = self.new_question_id()
        note = ""
        if len((text or "").strip()) > matcher.normalizer.max_chars * 2 > 0:
            note = self.msg(K.TOO_LONG_NOTE) + "\n"
        record = self._question_record(qid, text, match)
        if match.outcome is Outcome.ANSWER:
            return self._answered(match, qid, note, record)
        if match.outcome is Outcome.CLARIFY:
            suggestions = self._suggestions(match.candidates)
            rows = self._entry_rows(suggestions, qid)
            rows += ((self.button(self.msg(K.NONE_OF_THESE),
                                  Payload(action=Action.NONE, question=qid)),),)
            text = note + self.msg(K.CLARIFY)
            if match.silent:  # what the report does not say holds whichever entry is meant
                text += "\n\n" + self.msg(K.SILENT_NOTE, what=match.silent)
            return Reply(kind=ReplyKind.CLARIFY, text=text, buttons=rows,
                         score=match.score, suggestions=suggestions, query=match.query,
                         question_id=qid, records=(record,), silent=match.silent)
        hint = self.knowledge.topic_hint(match)
        if hint is not None:
            return self._silent_topic(match, hint, qid, note, record)
        fallback = self.msg(K.ELSEWHERE, place=match.elsewhere) if match.elsewhere \
            else self.msg(K.FALLBACK)
        return Reply(kind=ReplyKind.FALLBACK, text=note + fallback,
                     buttons=self.topic_rows(), score=match.score, query=match.query,
                     question_id=qid, records=(record,))

    def _answered(self, match: Match, qid: str, note: str, record: QuestionRecord) -> Reply:
        """The answer; what the report does not say; then, in the first row, in place of the
        related entries, the "also maybe" entries or 「不是这个？」 (four rows at most)."""
        entry = self.knowledge.entries[match.candidates[0].entry_id]
        alternatives = self._suggestions(match.alternatives)
        lead = tuple(self.button(s.label, Payload(action=Action.ENTRY, target=s.entry_id,
                                                  question=qid)) for s in alternatives)
        if not alternatives and match.confirm:
            lead = (self.button(self.msg(K.NOT_THIS), Payload(action=Action.NOT_THIS,
                                                              target=entry.id, question=qid)),)
        reply = self.answer(entry, qid, lead=lead)
        text = note + reply.text
        given = self.render("{contacts}") in reply.text
        if match.silent:
            key = K.SILENT_NOTE_SEE_ABOVE if given else K.SILENT_NOTE
            text += "\n\n" + self.msg(key, what=match.silent)
        elif match.named:  # answered for the name alone: what was asked may not be in it
            key = K.NAMED_NOTE_SEE_ABOVE if given else K.NAMED_NOTE
            text += "\n\n" + self.msg(key, name=match.named)
        if alternatives:
            text += "\n\n" + self.msg(K.ALSO_ASK)
        return Reply(kind=ReplyKind.ANSWER, text=text, buttons=reply.buttons, entry_id=entry.id,
                     score=match.score, suggestions=alternatives, query=match.query,
                     question_id=qid, records=(record,), silent=match.silent)

    def _silent_topic(self, match: Match, hint: TopicHint, qid: str, note: str,
                      record: QuestionRecord) -> Reply:
        """Not answered: what the report does not say, the contacts, and the topic's likeliest
        entries to open (the worker's programme is plain, the entry is not)."""
        suggestions = self._suggestions(hint.candidates)
        rows = self._entry_rows(suggestions, qid) + (self.menu_row(),)
        text = note + self.msg(K.SILENT_TOPIC, what=match.silent, topic=hint.topic.title)
        return Reply(kind=ReplyKind.FALLBACK, text=text, buttons=rows,
                     score=match.score, suggestions=suggestions, query=match.query,
                     question_id=qid, records=(record,), silent=match.silent)

    def _entry_rows(self, suggestions: tuple[Suggestion, ...], qid: str) -> Rows:
        """One button a row for each suggested entry, a tap recorded as a pick for `qid`."""
        return tuple((self.button(s.label, Payload(action=Action.ENTRY, target=s.entry_id,
                                                   question=qid)),) for s in suggestions)

    def _suggestions(self, candidates: tuple[Candidate, ...]) -> tuple[Suggestion, ...]:
        entries = self.knowledge.entries
        return tuple(Suggestion(entry_id=c.entry_id, label=self.label(entries[c.entry_id]),
                                score=c.score) for c in candidates)

    def _question_record(self, qid: str, text: str, match: Match) -> QuestionRecord:
        from bot.privacy import mask_personal

        return QuestionRecord(question_id=qid, text=mask_personal(text),
                              query=mask_personal(match.query),
                              outcome=match.outcome.value, entry_id=match.entry_id,
                              score=match.score,
                              candidates=tuple(c.entry_id for c in match.candidates))

    def answer(self, entry: Entry, question_id: str = "", lead: Sequence[Button] = ()) -> Reply:
        """An entry's answer under at most four rows of buttons (faq.layout.MAX_ROWS):

            [相关：… ≤ 2]  — or `lead` (≤ 2: 也许您想问 alternatives, or 「不是这个？」),
                            which replaces them
            [🧭 the entry's flow]
            [👍 有帮助 | 👎 没帮助 | 📄 原文]
            [📋 主菜单]
        """
        qid = question_id or self.new_question_id()  # feedback on a browsed answer counts once
        rows = (tuple(lead) or self._related_row(entry),
                self._flow_button(entry.flow, question_id),
                self._feedback_row(entry, qid, question_id),
                self.menu_row())
        return Reply(kind=ReplyKind.ANSWER, text=self.render(entry.answer, entry.source),
                     buttons=tuple(row for row in rows if row), entry_id=entry.id, score=100.0,
                     question_id=question_id or None)

    def _related_row(self, entry: Entry) -> tuple[Button, ...]:
        entries = self.knowledge.entries
        shown = [rid for rid in entry.related if rid in entries][:MAX_RELATED_SHOWN]
        return tuple(self.button(self.msg(K.RELATED_PREFIX) + self.label(entries[rid]),
                                 Payload(action=Action.ENTRY, target=rid)) for rid in shown)

    def _feedback_row(self, entry: Entry, qid: str, question_id: str) -> tuple[Button, ...]:
        """👍 👎 (signed with the question, or a fresh id for a browsed answer) and 📄 原文."""
        return tuple(self.button(self.msg(key), Payload(action=action, target=entry.id,
                                                        question=question))
                     for key, action, question in (
                         (K.FEEDBACK_YES, Action.FEEDBACK_YES, qid),
                         (K.FEEDBACK_NO, Action.FEEDBACK_NO, qid),
                         (K.SOURCE_BUTTON, Action.SOURCE, question_id)))

    def press(self, data: str) -> Reply:
        """Act on a button payload; unknown or stale payloads get a kind reply, never an error."""
        from bot.buttons import act

        return act(self, self.codec.decode(data))

    # ---- flows (the engine lives in faq.flows) --------------------------------------------
    def flow_reply(self, view: engine.FlowView, question_id: str = "") -> Reply:
        """A flow step's options, or a result's linked entries, then back/restart/exit."""
        def link_button(link: engine.FlowLink) -> Button:
            action = Action.FLOW_EXIT if link.target.move is engine.Move.EXIT else Action.FLOW
            return self.button(link.label, Payload(action=action, target=link.target.flow_id,
                                                   flow=link.target))

        entries = self.knowledge.entries
        rows: list[tuple[Button, ...]] = [(link_button(o),) for o in view.options]
        links = [self.button(self.label(entries[eid]), Payload(action=Action.ENTRY, target=eid))
                 for eid in view.entry_links if eid in entries]
        rows += [tuple(links[i:i + 2]) for i in range(0, len(links), 2)]  # two to a row
        controls = [tuple(link_button(link) for link in row) for row in view.controls]
        if controls and view.flow_id:  # inside a flow the menu joins the last control row
            controls[-1] += self.menu_row()
        else:
            controls.append(self.menu_row())
        event = EventRecord(kind=EventKind(view.event.value), question_id=question_id or None,
                            flow_id=view.flow_id, node=view.node)
        text = self.render(view.text, linked_passages(self.knowledge.content, view.entry_links))
        return Reply(kind=ReplyKind.FLOW, text=text, buttons=tuple(rows + controls),
                     records=(event,))

    def _flow_button(self, flow_id: str | None, question_id: str = "") -> tuple[Button, ...]:
        flow = self.knowledge.content.flows.get(flow_id) if flow_id else None
        if flow is None:
            return ()
        payload = Payload(action=Action.FLOW, target=flow.id, question=question_id,
                          flow=engine.start_target(flow))
        return (self.button(self.msg(K.START_FLOW_PREFIX) + flow.title, payload),)

    def menu_buttons(self) -> Rows:
        rows = list(self.topic_rows(with_contacts=False))
        for flow in self.knowledge.content.flows.values():
            rows.append(self._flow_button(flow.id))
        rows.append((self.button(self.msg(K.CONTACTS_BUTTON), Payload(action=Action.CONTACTS)),))
        return tuple(rows)

    def topic_rows(self, with_contacts: bool = True) -> Rows:
        topics = self.knowledge.content.topics
        rows = [tuple(self.button(t.title, Payload(action=Action.TOPICS, target=t.id))
                      for t in topics[i:i + 2]) for i in range(0, len(topics), 2)]
        if with_contacts:
            rows.append((self.button(self.msg(K.CONTACTS_BUTTON),
                                     Payload(action=Action.CONTACTS)),))
        return tuple(rows)
