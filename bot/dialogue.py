"""The dialogue core: turns a worker's text or button press into a reply.

Shared by the Telegram handlers, the console chat and `unionbot ask`. It knows nothing of
Telegram: a reply is text plus rows of buttons whose payloads are short ASCII strings (they must
fit Telegram's 64-byte callback data), and every payload is self-contained, so any process can
act on a button pressed in another.

Payloads: `m` main menu, `t` topic list, `t:<topic>` a topic's entries, `e:<entry>` an entry,
`n` none of the suggestions, `c` contacts, `y:<entry>` / `x:<entry>` feedback, `f...` flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Config, contacts_text
from faq import flows
from faq.content import Entry
from faq.knowledge import Knowledge, load_knowledge
from faq.yamlfile import Problem


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """What the bot says back, independent of the channel."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    outcome: str = "info"  # answer | clarify | fallback | menu | flow | feedback | info
    answered: bool = False
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[tuple[str, str, float], ...] = ()  # (entry id, label, score)
    query: str = ""  # the normalised question, for the records
    event: str = ""  # e.g. "feedback:yes" or "flow-start:<id>", for the records


@dataclass
class Dialogue:
    """Holds the serving knowledge and answers with it; `reload` swaps it atomically."""

    config: Config
    knowledge: Knowledge
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(cls, config: Config) -> Dialogue:
        """Load the FAQ; keep serving even with problems (the check command reports them)."""
        knowledge, problems = load_knowledge(config.faq, config.match)
        return cls(config, knowledge, [p for p in problems if p.severity == "error"])

    def reload(self) -> list[Problem]:
        """Re-read and validate everything; swap only if there are no errors."""
        knowledge, errors = self.load_checked()
        if knowledge is not None:
            self.swap(knowledge)
        return errors

    def load_checked(self) -> tuple[Knowledge | None, list[Problem]]:
        """Read and validate the files without touching what is serving (safe to run in a
        worker thread); the knowledge is None when there are errors."""
        from faq.check import check_knowledge  # deferred: only staff reloads need it

        knowledge, problems = load_knowledge(self.config.faq, self.config.match)
        problems = problems + check_knowledge(knowledge, self.config.faq, self.config.check,
                                              deep=False,
                                              contacts=contacts_text(self.config.contacts))
        errors = [p for p in problems if p.severity == "error"]
        return (None if errors else knowledge), errors

    def swap(self, knowledge: Knowledge) -> None:
        """Serve `knowledge` from now on: one reference assignment, so a reply is built
        wholly from the old content or wholly from the new."""
        self.knowledge, self.problems = knowledge, []

    # ---- text -----------------------------------------------------------------------------
    def msg(self, key: str, **values: str) -> str:
        """A message from messages.yaml with {contacts} and other values filled in."""
        text = self.knowledge.content.messages.get(key, key)
        return self.render(text, **values)

    def render(self, text: str, **values: str) -> str:
        values.setdefault("contacts", contacts_text(self.config.contacts))
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    def label(self, entry: Entry) -> str:
        limit = self.config.check.max_button_label_chars
        text = entry.label
        return text if len(text) <= limit else text[: limit - 1] + "…"

    # ---- entry points ---------------------------------------------------------------------
    def start(self) -> Reply:
        return Reply(self.msg("welcome"), self.menu_buttons(), outcome="menu")

    def help(self) -> Reply:
        return Reply(self.msg("help"), self.menu_buttons(), outcome="info")

    def menu(self) -> Reply:
        return Reply(self.msg("menu"), self.menu_buttons(), outcome="menu")

    def topics(self) -> Reply:
        rows = tuple((Button(t.title, f"t:{t.id}"),) for t in self.knowledge.content.topics)
        return Reply(self.msg("topics"), rows + ((Button(self.msg("menu_button"), "m"),),),
                     outcome="menu")

    def ask(self, text: str) -> Reply:
        """Answer a typed question: answer, clarify or fall back."""
        matcher = self.knowledge.matcher
        match = matcher.match(text or "")
        if not match.query:
            return Reply(self.msg("empty"), self._topic_rows(), outcome="fallback")
        note = ""
        raw_len = len((text or "").strip())
        if raw_len > matcher.normalizer.max_chars * 2 > 0:
            note = self.msg("too_long_note") + "\n"
        entries = self.knowledge.entries
        if match.outcome == "answer":
            reply = self.answer(entries[match.candidates[0].entry_id])
            return Reply(note + reply.text, reply.buttons, "answer", True,
                         reply.entry_id, match.score, query=match.query)
        suggestions = tuple((c.entry_id, self.label(entries[c.entry_id]), c.score)
                            for c in match.candidates)
        if match.outcome == "clarify":
            rows = tuple((Button(label, f"e:{eid}"),) for eid, label, _ in suggestions)
            rows += ((Button(self.msg("none_of_these"), "n"),),)
            return Reply(note + self.msg("clarify"), rows, "clarify", False, None, match.score,
                         suggestions, match.query)
        return Reply(note + self.msg("fallback"), self._topic_rows(), "fallback", False, None,
                     match.score, (), match.query)

    def answer(self, entry: Entry) -> Reply:
        """An entry's answer with its related entries, its check, and feedback buttons."""
        entries = self.knowledge.entries
        rows: list[tuple[Button, ...]] = []
        for rid in entry.related:
            if rid in entries:
                rows.append((Button(self.msg("related_prefix") + self.label(entries[rid]),
                                    f"e:{rid}"),))
        flow_row = self._flow_button(entry.flow)
        if flow_row:
            rows.append(flow_row)
        rows.append((Button(self.msg("feedback_yes"), f"y:{entry.id}"),
                     Button(self.msg("feedback_no"), f"x:{entry.id}")))
        rows.append((Button(self.msg("menu_button"), "m"),))
        return Reply(self.render(entry.answer), tuple(rows), "answer", True, entry.id, 100.0)

    def press(self, payload: str) -> Reply:
        """Act on a button payload; unknown or stale payloads get a kind reply, never an error."""
        payload = (payload or "").strip()
        kind, _, arg = payload.partition(":")
        entries = self.knowledge.entries
        if payload.startswith("f"):
            return self.flow(payload)
        if kind == "m":
            return self.menu()
        if kind == "t" and not arg:
            return self.topics()
        if kind == "t" and self.knowledge.content.topic(arg):
            topic = self.knowledge.content.topic(arg)
            rows = tuple((Button(self.label(entries[eid]), f"e:{eid}"),)
                         for eid in topic.entry_ids if eid in entries)
            rows += ((Button(self.msg("topics_button"), "t"),
                      Button(self.msg("menu_button"), "m")),)
            return Reply(self.msg("topic_entries", topic=topic.title), rows, "menu")
        if kind == "e" and arg in entries:
            return self.answer(entries[arg])
        if kind == "n":
            return Reply(self.msg("none_fallback"), self._topic_rows(), "fallback",
                         event="none-of-these")
        if kind == "c":
            return Reply(self.render("{contacts}"), ((Button(self.msg("menu_button"), "m"),),))
        if kind in ("y", "x") and arg:
            text = self.msg("feedback_thanks_yes" if kind == "y" else "feedback_thanks_no")
            return Reply(text, (), "feedback", entry_id=arg if arg in entries else None,
                         event="feedback:" + ("yes" if kind == "y" else "no"))
        return Reply(self.msg("unknown_button"), ((Button(self.msg("menu_button"), "m"),),),
                     event="stale-button")

    # ---- flows (the engine lives in faq.flows) --------------------------------------------
    def flow(self, payload: str) -> Reply:
        """A step or result of a guided check; see faq.flows for the payload format."""
        return self.flow_reply(flows.press(self.knowledge.content, payload))

    def flow_reply(self, view: flows.FlowView) -> Reply:
        """A flow step's options, or a result's linked entries, then back/restart/exit."""
        rows = [(Button(label, payload),) for label, payload in view.options]
        for eid in view.entry_links:
            if eid in self.knowledge.entries:
                rows.append((Button(self.label(self.knowledge.entries[eid]), f"e:{eid}"),))
        rows.extend(tuple(Button(label, payload) for label, payload in row)
                    for row in view.controls)
        rows.append((Button(self.msg("menu_button"), "m"),))
        return Reply(self.render(view.text), tuple(rows), "flow", event=view.event)

    def _flow_button(self, flow_id: str | None) -> tuple[Button, ...] | None:
        flow = self.knowledge.content.flows.get(flow_id) if flow_id else None
        if flow is None:
            return None
        return (Button(self.msg("start_flow_prefix") + flow.title, flows.start_payload(flow)),)

    def menu_buttons(self) -> tuple[tuple[Button, ...], ...]:
        rows = list(self._topic_rows(with_menu=False))
        for flow in self.knowledge.content.flows.values():
            row = self._flow_button(flow.id)
            if row:
                rows.append(row)
        rows.append((Button(self.msg("contacts_button"), "c"),))
        return tuple(rows)

    def _topic_rows(self, with_menu: bool = True) -> tuple[tuple[Button, ...], ...]:
        topics = self.knowledge.content.topics
        rows = [tuple(Button(t.title, f"t:{t.id}") for t in topics[i:i + 2])
                for i in range(0, len(topics), 2)]
        if with_menu:
            rows.append((Button(self.msg("contacts_button"), "c"),))
        return tuple(rows)
