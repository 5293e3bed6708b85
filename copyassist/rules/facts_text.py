"""How the facts guard reads a text: :func:`prepare` gives the NFC text, its normalised form
(NFKC, all spaces one space, the multiplication sign an ``x``, double prime ``"``, HTML tags a
space and entities unescaped) and where each normalised character comes from.

Text read as written (no markup, no character that reads otherwise, no run of spaces) is
recognised at once: most copy is, and its spans are then the identity.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from copyassist.rules.text import CharTable

_I = re.IGNORECASE
_MARKUP = re.compile(
    r"</?[a-z][^<>\n]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);|.", _I | re.DOTALL
)  # tag|entity|char
_CHARS = {"\u2033": '"', "\u00d7": "x", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-"}
_CHARS |= {"\u00ba": "°", "\u02da": "°", "\u2019": "'"}


@lru_cache(maxsize=4096)
def _normal_char(raw: str) -> str:
    """One written character as the extractor reads it: its NFKC form, spaces made plain."""
    return "".join(
        " " if char.isspace() and char != "\n" else char
        for char in _CHARS.get(raw) or unicodedata.normalize("NFKC", raw)
    )


def _pieces(source: str) -> Iterator[tuple[str, tuple[int, int]]]:
    """(text read, source span) of each tag, entity or character of ``source``."""
    if "<" not in source and "&" not in source:  # no markup: one piece a character
        for position, char in enumerate(source):
            yield char, (position, position + 1)
        return
    for piece in _MARKUP.finditer(source):
        written = piece.group()
        yield " " if written.startswith("<") and len(written) > 1 else html.unescape(written), piece.span()


#: ``str.translate``'s table of :func:`_normal_char`, noting the characters it changes.
_NORMAL_TABLE = CharTable(_normal_char, lambda char, normal: normal != char)
_CHANGED = _NORMAL_TABLE.noted
_SPANS: list[tuple[tuple[int, int], ...]] = [()]


def _identity_spans(length: int) -> tuple[tuple[int, int], ...]:
    """((0, 1), (1, 2), ...) for ``length`` characters: text read as it is written."""
    if len(_SPANS[0]) < length:
        _SPANS[0] = tuple((i, i + 1) for i in range(max(length, 2 * len(_SPANS[0]))))
    return _SPANS[0][:length]


@lru_cache(maxsize=1024)
def prepare(text: str) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """The NFC text, its normalised form, and the source span of each normalised character."""
    source = unicodedata.normalize("NFC", text)
    source.translate(_NORMAL_TABLE)  # notes the characters that read otherwise
    if (
        "<" not in source
        and "&" not in source
        and _CHANGED.isdisjoint(source)
        and not source.startswith(" ")
        and "  " not in source
        and "\n " not in source
    ):
        return source, source, _identity_spans(len(source))  # read as written: the usual case
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for written, span in _pieces(source):
        for raw in written:
            for char in _normal_char(raw):
                if not (char == " " and (not chars or chars[-1] in " \n")):
                    chars.append(char)
                    spans.append(span)
    return source, "".join(chars), tuple(spans)
