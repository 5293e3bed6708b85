"""Phrase lists kept as data, and the accent- and case-blind matcher built from them.

A list is a text file ``<name>.<lang>.txt`` (``superlatives.fr.txt``) or ``<name>.txt``: one
phrase a line; ``# `` (a hash and a space) starts a comment, so ``#1`` is a phrase. A phrase
matches whole words, whatever the case and the accents: ``eco-responsable`` finds
``Éco-responsable``, ``écoresponsable`` and ``éco responsable``. Two bits of syntax:

- ``(e)`` right after a word is an optional ending: ``meilleur(e)(s)``;
- a line starting with ``!`` is an exception: a hit inside a match of it is not reported
  (``!best before`` keeps ``best`` from firing on a food label).

The bundled list comes first; a file of the same name in ``<COPYASSIST_HOME>/wordlists/`` adds
phrases and exceptions to it. Each file is read once and cached until it changes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from copyassist.assets import user_home
from copyassist.i18n import language_code

BUNDLED_DIR = Path(__file__).resolve().parent

_SPECIAL: dict[str, str] = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u00b4": "'",
    "`": "'",
    "\u0153": "oe",
    "\u0152": "oe",
    "\u00e6": "ae",
    "\u00c6": "ae",
    "\u00df": "ss",
    "\u00ba": "\u00b0",
    "\u2010": "-",
    "\u2011": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if not unicodedata.combining(c))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased, without accents, with one kind of apostrophe, dash and space.

    The list gives, for each character of the result, its index in ``text``: a match in the
    folded text is ``text[index[start]:index[end - 1] + 1]``.
    """
    parts = [_fold_char(char) for char in text]
    folded = "".join(parts)
    if len(folded) == len(text) and all(len(part) == 1 for part in parts):
        return folded, list(range(len(text)))  # the usual case: one character for one
    index: list[int] = []
    for position, part in enumerate(parts):
        index.extend([position] * len(part))
    return folded, index


def fold(text: str) -> str:
    return fold_with_map(text)[0]


def original_span(text: str, index: list[int], start: int, end: int) -> str:
    """The part of ``text`` behind ``folded[start:end]``."""
    if start >= end or not index:
        return ""
    return text[index[start] : index[end - 1] + 1]


_PIECES = re.compile(r"\(\w+\)|\w+|[^\w\s]|\s+")


def phrase_pattern(phrase: str) -> str:
    """A regular expression (for folded text) matching ``phrase`` as whole words."""
    pieces = _PIECES.findall(fold(phrase).strip())
    parts: list[str] = []
    for i, piece in enumerate(pieces):
        before = pieces[i - 1] if i else ""
        after = pieces[i + 1] if i + 1 < len(pieces) else ""
        between_words = bool(re.fullmatch(r"\w+|\(\w+\)", before)) and bool(re.fullmatch(r"\w+", after))
        if piece.isspace():
            joins_words = bool(re.fullmatch(r"\w+|\(\w+\)", before)) and bool(re.match(r"\w", after))
            parts.append(r"[\s\-]+" if joins_words else r"\s*")
        elif piece == "-" and between_words:
            parts.append(r"[\s\-]?")
        elif piece.startswith("(") and len(piece) > 2:
            parts.append(f"(?:{re.escape(piece[1:-1])})?")
        elif re.fullmatch(r"\w+", piece):
            parts.append(re.escape(piece))
        else:
            parts.append(r"\s*" + re.escape(piece) + r"\s*")
    if not parts:
        return ""
    head = r"(?<!\w)" if re.match(r"\w", pieces[0]) else ""
    tail = r"(?!\w)" if re.search(r"\w\)?$", pieces[-1]) else ""
    return head + "".join(parts) + tail


def parse_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """(phrases, exceptions) from the lines of a list file."""
    phrases: list[str] = []
    exceptions: list[str] = []
    for raw in lines:
        line = raw.split(" # ", 1)[0].strip()
        if not line or line == "#" or line.startswith("# "):
            continue
        if line.startswith("!"):
            if line[1:].strip():
                exceptions.append(line[1:].strip())
        else:
            phrases.append(line)
    return phrases, exceptions


@lru_cache(maxsize=64)
def _read(path: Path, stamp: tuple[int, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    phrases, exceptions = parse_lines(path.read_text("utf-8").splitlines())
    return tuple(phrases), tuple(exceptions)


def _read_if_there(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        status = path.stat()
    except OSError:
        return (), ()
    return _read(path, (status.st_mtime_ns, status.st_size))


def user_dir() -> Path:
    """Where users put their own lists: ``<COPYASSIST_HOME>/wordlists``."""
    return user_home() / "wordlists"


def load_list(filename: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(phrases, exceptions) of the bundled ``filename`` plus the user's file of that name."""
    bundled = _read_if_there(BUNDLED_DIR / filename)
    extra = _read_if_there(user_dir() / filename)
    return bundled[0] + extra[0], bundled[1] + extra[1]


@dataclass(frozen=True)
class Hit:
    phrase: str  # the text as written in the copy
    start: int  # in the original text
    end: int


class PhraseMatcher:
    """Finds the phrases of one or more lists in a text."""

    def __init__(self, phrases: tuple[str, ...], exceptions: tuple[str, ...] = ()) -> None:
        self.phrases = phrases
        self.exceptions = exceptions
        self._regex = _alternation(phrases)
        self._exceptions = _alternation(exceptions)

    def find(self, text: str) -> list[Hit]:
        if self._regex is None or not text:
            return []
        folded, index = fold_with_map(text)
        blocked = [m.span() for m in self._exceptions.finditer(folded)] if self._exceptions else []
        hits: list[Hit] = []
        for match in self._regex.finditer(folded):
            start, end = match.span()
            if start == end or any(start < b_end and b_start < end for b_start, b_end in blocked):
                continue
            original = original_span(text, index, start, end).strip()
            hits.append(Hit(original, index[start], index[end - 1] + 1))
        return hits


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all phrases, longest first. Those that start on a word share one leading
    word-boundary test, so positions inside words are skipped at once."""
    patterns = {phrase_pattern(p) for p in phrases} - {""}
    if not patterns:
        return None
    ordered = sorted(patterns, key=lambda p: (-len(p), p))
    head = r"(?<!\w)"
    at_word = [p[len(head) :] for p in ordered if p.startswith(head)]
    others = [p for p in ordered if not p.startswith(head)]
    branches = [f"(?:{p})" for p in others]
    if at_word:
        branches.insert(0, head + "(?:" + "|".join(f"(?:{p})" for p in at_word) + ")")
    return re.compile("|".join(branches))


@lru_cache(maxsize=64)
def _matcher(key: tuple[tuple[str, ...], tuple[str, ...]]) -> PhraseMatcher:
    return PhraseMatcher(key[0], key[1])


def matcher_for(filenames: tuple[str, ...]) -> PhraseMatcher:
    """One matcher over several list files (bundled and user), rebuilt only when they change."""
    phrases: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    for name in filenames:
        more, excepted = load_list(name)
        phrases += more
        exceptions += excepted
    return _matcher((phrases, exceptions))


def list_names(stem: str, language: str | None, always: tuple[str, ...] = ("fr", "en")) -> tuple[str, ...]:
    """The files of list ``stem`` that apply: those of ``always``, plus the asked language's."""
    codes = list(always)
    asked = language_code(language)
    if asked and asked not in codes:
        codes.append(asked)
    return tuple(f"{stem}.{code}.txt" for code in codes)


def clear_caches() -> None:
    _read.cache_clear()
    _matcher.cache_clear()
