"""Loading the content for a dialogue, with one rule for start-up, /reload and `unionbot check`:
every check runs, and content with errors is refused. The checks' verdict on content that has not
changed is read back (faq/check_cache.py); `unionbot check`'s deep checks always run.

Apart from the service (bot/service.py) so that `unionbot ask` and `unionbot check` load without
importing asyncio and the storage they do not use.
"""

from __future__ import annotations

import secrets

from bot.config import Config
from bot.dialogue import Dialogue
from bot.payload import Codec, payload_problems
from faq.check_cache import checked
from faq.knowledge import Knowledge, load_knowledge
from faq.yamlfile import Problem


class ContentError(Exception):
    """The FAQ content has errors; `problems` lists each at its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the FAQ content")
        self.problems = problems


def check_content(config: Config, knowledge: Knowledge, codec: Codec, deep: bool = False,
                  verify_sources: bool = True) -> list[Problem]:
    """Every check that start-up, /reload and `unionbot check` apply alike (`deep`, the
    matcher-based ones, only in `unionbot check`)."""
    if deep:
        from faq.check import check_knowledge  # `unionbot check` alone: never kept

        problems = check_knowledge(knowledge, config.faq, config.check, deep=True,
                                   contacts=config.contacts, verify_sources=verify_sources)
    else:
        problems = checked(knowledge, config.faq, config.check, config.contacts,
                           verify_sources, config.match)
    return problems + payload_problems(knowledge.content, codec)


def load_checked(config: Config, codec: Codec, deep: bool = False,
                 verify_sources: bool = True) -> tuple[Knowledge, list[Problem]]:
    """Read and check the content without touching what is serving (thread-safe)."""
    knowledge, problems = load_knowledge(config.faq, config.match)
    return knowledge, problems + check_content(config, knowledge, codec, deep, verify_sources)


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def open_dialogue(config: Config, key: bytes | None = None) -> Dialogue:
    """The dialogue over freshly loaded content; raises ContentError when it has errors."""
    codec = Codec(key or secrets.token_bytes(32))
    knowledge, problems = load_checked(config, codec)
    if errors_of(problems):
        raise ContentError(errors_of(problems))
    return Dialogue(config, knowledge, codec, problems)
