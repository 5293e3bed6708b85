"""Text as a person reads it, and as the checks compare it.

- :func:`visible_text`: what a reader sees of copy, on one line (tags, comments, script and
  style gone, entities unescaped, spaces collapsed); :func:`count_chars` and
  :func:`count_words` count it.
- :func:`html_to_text`: product HTML as plain text that keeps its layout (blank lines between
  paragraphs, ``- `` list items), for reading feeds.
- :func:`fold`: text without case or accents, with one kind of apostrophe, dash and space, so
  ``Éco‑responsable`` compares equal to ``eco-responsable``; :func:`fold_with_map` also says
  where each folded character came from, and :func:`find_folded` uses it to report a match in
  folded text as it is written in the original.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# ------------------------------------------------------------------------------ markup

#: An HTML tag: group 1 is ``/`` on a closing tag, group 2 the name, group 3 the attributes.
#: ``5 < 10`` is not a tag; ``<o:p>`` (Word's HTML) is.
HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[\s/][^<>]*)?)>")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_DECLARATION = re.compile(r"<![a-zA-Z][^<>]*>|<\?[^<>]*>")  # <!DOCTYPE html>, <?xml ...?>
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_BLOCK_TAGS = frozenset(
    "p br div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tr td th blockquote hr section article".split()  # noqa: SIM905
)
_SPACES = re.compile(r"[ \t\r\n\f]+")


def has_html(text: str) -> bool:
    """Whether ``text`` holds a tag, a comment or an entity."""
    return bool(HTML_TAG.search(text) or HTML_COMMENT.search(text) or _ENTITY.search(text))


def _strip_markup(text: str, separator: Callable[[bool, str], str], hidden: str) -> str:
    """``text`` with comments, declarations and script or style bodies removed (each replaced
    by ``hidden``), each tag replaced by ``separator(closing, name)``, entities unescaped."""
    text = _HIDDEN.sub(hidden, _DECLARATION.sub("", HTML_COMMENT.sub("", text)))
    text = HTML_TAG.sub(lambda m: separator(m.group(1) == "/", m.group(2).lower()), text)
    return html_lib.unescape(text)


def _line_break(closing: bool, name: str) -> str:
    return "\n" if name in _BLOCK_TAGS else ""


@lru_cache(maxsize=512)
def visible_text(text: str) -> str:
    """What a reader sees, on one line. For HTML: tags and comments removed, script and style
    bodies dropped, entities unescaped, runs of spaces and newlines collapsed (a no-break space
    stays). Plain text is returned as is."""
    if not has_html(text):
        return text
    return _SPACES.sub(" ", _strip_markup(text, _line_break, "")).strip()


def _layout_break(closing: bool, name: str) -> str:
    if name == "li":
        return "" if closing else "\n- "
    if name == "p":
        return "\n\n"
    if name in ("td", "th"):
        return " "  # cells of a row stay on its line
    return _line_break(closing, name)


def html_to_text(text: str) -> str:
    """Product HTML as plain text with its layout: a blank line between paragraphs, each list
    item a ``- `` line, a line for each ``<br>``, heading, row or other block; spaces collapsed
    within each line. Text without markup comes back stripped."""
    if not has_html(text):
        return text.strip()
    lines = (" ".join(line.split()) for line in _strip_markup(text, _layout_break, " ").splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def count_chars(text: str) -> int:
    """Characters as a person sees them: code points of the NFC-composed visible text."""
    return len(unicodedata.normalize("NFC", visible_text(text)))


def count_words(text: str) -> int:
    """Whitespace-separated words of the visible text; a lone ``!`` or ``:`` is not a word."""
    return sum(1 for token in visible_text(text).split() if any(c.isalnum() for c in token))


# ------------------------------------------------------------------------------ folding

#: Characters that NFKD leaves apart from what they compare equal to.
_FOLDED: dict[str, str] = (
    dict.fromkeys("\u2019\u2018\u02bc\u00b4`", "'")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
    | dict.fromkeys("\u00a0\u202f\u2009", " ")
    | {"\u0153": "oe", "\u0152": "oe", "\u00e6": "ae", "\u00c6": "ae", "\u00df": "ss", "\u00ba": "\u00b0"}
)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _FOLDED:
        return _FOLDED[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if not unicodedata.combining(c))


class CharTable(dict[int, str]):
    """``str.translate``'s table of ``convert`` (a character to what it reads as), each worked
    out on first sight; ``noted`` gathers the characters met for which ``notable(char, converted)``."""

    def __init__(self, convert: Callable[[str], str], notable: Callable[[str, str], bool]) -> None:
        super().__init__()
        self._convert, self._notable = convert, notable
        self.noted: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        converted = self._convert(char)
        if self._notable(char, converted):
            self.noted.add(char)  # before the table has it: another thread reads both
        if len(self) < 65536:
            self[code] = converted
        return converted


_FOLD_TABLE = CharTable(_fold_char, lambda _char, folded: len(folded) != 1)
#: The characters met whose fold is not one character (œ -> oe, a lone accent -> nothing).
_NOT_ONE_TO_ONE = _FOLD_TABLE.noted


@lru_cache(maxsize=1024)
def fold_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` folded (see :func:`fold`), and for each character of the result its index in
    ``text``: a match ``folded[start:end]`` is ``text[index[start]:index[end - 1] + 1]``."""
    folded = text.translate(_FOLD_TABLE)
    if _NOT_ONE_TO_ONE.isdisjoint(text):
        return folded, tuple(range(len(text)))  # the usual case: one character for one
    parts = [_fold_char(char) for char in text]
    return folded, tuple(position for position, part in enumerate(parts) for _ in part)


def fold(text: str) -> str:
    """``text`` without case or accents, for comparing words: ``Étanche`` -> ``etanche``,
    ``Cœur d’ÉTÉ`` -> ``coeur d'ete``."""
    return fold_with_map(text)[0]


@dataclass(frozen=True)
class Hit:
    """A match, as written in the text searched: ``text[start:end]``, stripped, is ``phrase``."""

    phrase: str
    start: int
    end: int


def find_folded(pattern: re.Pattern[str], text: str) -> list[Hit]:
    """Every non-blank match of ``pattern``, which is written for folded text, in ``text``."""
    if not text:
        return []
    folded, index = fold_with_map(text)
    hits: list[Hit] = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if start < end and (phrase := text[index[start] : index[end - 1] + 1].strip()):
            hits.append(Hit(phrase, index[start], index[end - 1] + 1))
    return hits
