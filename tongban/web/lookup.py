"""Finding the citizen ID number in what a caseworker typed or a card reader pasted."""

from __future__ import annotations

import re

from tongban.core.identifiers import InvalidIdentifier, parse_citizen_id

_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\s\-]+(?=[0-9Xx])")


def find_citizen_id(text: str) -> str:
    """The 18-character ID number in ``text``, or the text itself, trimmed, for the parser to refuse.

    A card reader's text holds a name, an address and dates besides the number, and a
    number may be typed in groups (``4601 0019 9001 0100 19``). A token that already has
    18 characters wins; else groups are joined and the first one with a right check digit
    is taken. Nothing is guessed beyond that: the parser explains what is wrong.
    """
    candidates = _TOKEN.findall(text) + _TOKEN.findall(_BETWEEN_DIGITS.sub("", text))
    for candidate in candidates:
        try:
            return parse_citizen_id(candidate).number
        except InvalidIdentifier:
            continue
    return str(candidates[0]) if candidates else text.strip()
