"""Who a worker can ask: the contacts config.yaml holds, and what `{contacts}` shows.

Answers may promise only what config holds: sending workers to 「所在市县总工会」 (or
「去市总工会问问」, 「找县工会」) is a broken promise unless a city or county contact is listed, so
the check looks for such promises. Naming a city union in a fact (「市级以下工会和银行签协议」) is
not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SHOWN = 4  # lines of {contacts} on a phone; the ☎️ button lists them all
_PROMISE = re.compile(r"(?:所在|当地)的?[市县区]?、?[县区]?级?总?工会"
                      r"|市、?县级?总?工会(?:咨询|联系|问)"
                      r"|(?:去|到|找|问问?|联系|咨询)(?:一下)?[市县区](?:里|级)?的?总?工会")
_LOCAL = re.compile(r"[市县区]")


@dataclass(frozen=True)
class Contact:
    """One contact: a name and a number or address; office hours if config gives them."""

    name: str
    value: str
    hours: str = ""

    @property
    def line(self) -> str:
        hours = f"（{self.hours}）" if self.hours else ""
        return f"• {self.name}：{self.value}{hours}"


def contacts_block(contacts: tuple[Contact, ...], limit: int | None = MAX_SHOWN) -> str:
    """The lines `{contacts}` becomes: the first `limit` contacts (None: all)."""
    return "\n".join(c.line for c in contacts[:limit])


def local_promise(text: str, contacts: tuple[Contact, ...]) -> str | None:
    """The words in `text` that send a worker to a city or county union when config holds
    no city or county contact, else None."""
    match = _PROMISE.search(text)
    if match is None or any(_LOCAL.search(c.name) for c in contacts):
        return None
    return match.group(0)
