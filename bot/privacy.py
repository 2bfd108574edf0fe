"""Masking phone, ID-card and bank-card numbers before a worker's words are stored or logged.

Workers' questions are kept for staff reports, and workers do type their own numbers into
them (「我电话13812345678」). Any number of MIN_DIGITS or more digits is personal enough to
hide: mobile (11) and landline (7-8, with area code 10-12) numbers, ID cards (18, the last may
be X), bank cards (16-19). Amounts, years and counts (10万, 50, 2017年, 3年) are shorter and
stay, so reports still read naturally. Each digit becomes MASK and separators stay, so staff can
still see that a phone number was given (`*** **** ****`) without seeing which.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MIN_DIGITS = 7  # the shortest landline number without its area code
MASK = "*"
ID_DIGITS = 17  # an 18-character ID card: 17 digits and a check character, 0-9 or X

# Inside a number, spaces, dashes or dots may separate digits (138 1234 5678, 0311-8888-1234,
# 138.1234.5678), up to three together so that 138 - 1234 - 5678 is one number too. The pattern
# runs on the NFKC form, where full-width －．and spaces are these; digits are any script's (\d).
# A run is taken whole and possessively from its first digit, and between two digits at most
# three characters are tried: each character is looked at a bounded number of times, so the
# time is linear on any input.
_SEPARATOR = r"[ \-.\u00b7\u2010-\u2015\u2212]"
_DIGIT_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,3}}\d)*+[Xx]?")


def mask_personal(text: str) -> str:
    """The text with every digit of each long number (and an ID card's X) replaced by MASK.

    Numbers are found in the text's NFKC form, character by character, so full-width digits
    and separators count (１３８－１２３４…); everything that is not masked is returned exactly
    as written, Chinese punctuation included."""
    shadow = text if text.isascii() else "".join(map(_fold, text))  # same length as text
    out: list[str] = []
    done = 0
    for match in _DIGIT_RUN.finditer(shadow):
        start, end = match.span()
        found = match.group(0)
        check = found[-1] in "Xx"
        digits = sum(ch.isdecimal() for ch in found)
        if digits < MIN_DIGITS:
            continue
        if check and digits != ID_DIGITS:
            end -= 1  # an X after some other number is just a letter
        out.append(text[done:start])
        out.extend(MASK if folded.isdecimal() or folded in "Xx" else raw
                   for folded, raw in zip(shadow[start:end], text[start:end], strict=True))
        done = end
    out.append(text[done:])
    return "".join(out)


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """One character as NFKC writes it (full-width ０ -> 0), or itself if NFKC makes several."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch
