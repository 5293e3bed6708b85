"""Word and phrase lists kept as data, and the accent- and case-blind matcher built from them.

Every check that looks for listed words reads its list here (promotional wording, acronyms, stop
words, claims, AI disclaimers). A list is a text file ``<name>.<lang>.txt``
(``superlatives.fr.txt``) or ``<name>.txt``: one phrase a line; ``# `` (a hash and a space)
starts a comment, so ``#1`` is a phrase. A phrase matches whole words, whatever the case and the
accents (:func:`copyassist.rules.text.fold`): ``eco-responsable`` finds ``Éco-responsable``,
``écoresponsable`` and ``éco responsable``. Two bits of syntax:

- ``(e)`` right after a word is an optional ending: ``meilleur(e)(s)``;
- a line starting with ``!`` is an exception: a hit inside a match of it is not reported
  (``!best before`` keeps ``best`` from firing on a food label).

The bundled list comes first; a file of the same name in the user's folder
(``<COPYASSIST_HOME>/wordlists/``, see :func:`copyassist.assets.search_path`) adds phrases and
exceptions to it. Each file is read once and cached until it changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from copyassist.assets import search_path
from copyassist.i18n import language_code
from copyassist.rules.text import Hit, find_folded, fold

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
        elif len(piece) > 2 and piece[0] == "(" and re.fullmatch(r"\w+|\(\w+\)", before):
            parts.append(f"(?:{re.escape(piece[1:-1])})?")  # an optional ending: meilleur(e)
        elif len(piece) > 2 and piece[0] == "(":
            parts.append(r"\s*\(\s*" + re.escape(piece[1:-1]) + r"\s*\)")  # words in brackets
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


#: One file of a list in every folder: ((path, (mtime_ns, size) or None if absent), ...).
_Located = tuple[tuple[str, tuple[int, int] | None], ...]


class _Snapshot:
    """Inside :func:`snapshot`: what each file name was found to be, and the folders there are."""

    def __init__(self) -> None:
        self.lists: dict[str, _Located] = {}
        self.folders: tuple[tuple[str, bool], ...] | None = None  # (folder, is a folder)


_SNAPSHOT: ContextVar[_Snapshot | None] = ContextVar("wordlist_snapshot", default=None)


@contextmanager
def snapshot() -> Iterator[None]:
    """Within this block each list file is looked up once (a validation's checks read the same
    lists many times); outside it every lookup sees the files as they are now."""
    token = _SNAPSHOT.set(_Snapshot()) if _SNAPSHOT.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _SNAPSHOT.reset(token)


def _folders() -> tuple[str, ...]:
    """The word-list folders, the bundled one first; they depend on the environment only."""
    environ = os.environ
    return _folders_for(environ.get("COPYASSIST_HOME"), environ.get("XDG_CONFIG_HOME"), environ.get("HOME"))


@lru_cache(maxsize=8)
def _folders_for(*environment: str | None) -> tuple[str, ...]:
    return tuple(os.path.join(str(folder), "") for folder in reversed(search_path("wordlists")))


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _locate(filename: str) -> _Located:
    seen = _SNAPSHOT.get()
    if seen is None:
        return tuple((path, _stamp(path)) for path in (folder + filename for folder in _folders()))
    if filename not in seen.lists:
        if seen.folders is None:  # a user folder that is not there holds no list: one look
            seen.folders = tuple((folder, os.path.isdir(folder)) for folder in _folders())
        seen.lists[filename] = tuple(
            (folder + filename, _stamp(folder + filename) if there else None)
            for folder, there in seen.folders
        )
    return seen.lists[filename]


@lru_cache(maxsize=256)
def _loaded(located: _Located) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return _joined(_read(Path(path), stamp) if stamp else ((), ()) for path, stamp in located)


def load_list(filename: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(phrases, exceptions) of ``filename`` in every word-list folder, the bundled one first."""
    return _loaded(_locate(filename))


def load_lists(filenames: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(phrases, exceptions) of several lists, in order."""
    return _joined(load_list(name) for name in filenames)


def _joined(
    lists: Iterable[tuple[tuple[str, ...], tuple[str, ...]]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    phrases: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    for more, excepted in lists:
        phrases += more
        exceptions += excepted
    return phrases, exceptions


def words(filename: str) -> frozenset[str]:
    """The folded entries of a list of single words (``acronyms.txt``, ``stopwords.txt``); a
    ``!word`` line takes ``word`` out, so a user's file can remove a bundled entry."""
    return _words(_locate(filename))


@lru_cache(maxsize=64)
def _words(located: _Located) -> frozenset[str]:
    entries, removed = _loaded(located)
    return frozenset(map(fold, entries)) - frozenset(map(fold, removed))


class PhraseMatcher:
    """Finds the phrases of one or more lists in a text."""

    def __init__(self, phrases: tuple[str, ...], exceptions: tuple[str, ...] = ()) -> None:
        self.phrases = phrases
        self.exceptions = exceptions
        self._regex = _Alternation(phrases)
        self._exceptions = _Alternation(exceptions)

    def find(self, text: str) -> list[Hit]:
        """Every phrase found in ``text``, as written there, unless inside an exception."""
        if not self._regex.patterns or not text:
            return []
        starts = _word_starts(fold(text))
        regex = self._regex.for_text(starts)
        if regex is None:
            return []
        excepted = self._exceptions.for_text(starts)
        blocked = find_folded(excepted, text) if excepted else []
        return [
            hit
            for hit in find_folded(regex, text)
            if not any(hit.start < b.end and b.start < hit.end for b in blocked)
        ]


_HEAD = r"(?<!\w)"
_WORD_RUN = re.compile(r"\w+")


@lru_cache(maxsize=256)
def _word_starts(folded: str) -> frozenset[str]:
    """Every beginning of every word of ``folded``: a phrase that starts with a word can only
    match where a word of the text begins with it."""
    return frozenset(word[:end] for word in set(_WORD_RUN.findall(folded)) for end in range(1, len(word) + 1))


class _Alternation:
    """All phrases of a list as one regex, longest first; phrases that start on a word share one
    leading word-boundary test, so positions inside words are skipped at once.

    For a given text the regex is built from only the phrases whose first word begins a word
    of the text (the others cannot match anywhere in it): the same matches, far fewer branches."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        first_words = {phrase_pattern(p): _first_word(p) for p in phrases}
        first_words.pop("", None)
        self.patterns = tuple(sorted(first_words, key=lambda p: (-len(p), p)))
        self._first: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, pattern in enumerate(self.patterns):
            word = first_words[pattern]
            if word is None:
                self._always.append(index)
            else:
                self._first.setdefault(word, []).append(index)
        self._words = frozenset(self._first)

    def for_text(self, starts: frozenset[str]) -> re.Pattern[str] | None:
        """The regex of the phrases that may match a text whose words begin with ``starts``."""
        chosen = list(self._always)
        for word in self._words & starts:
            chosen += self._first[word]
        if not chosen:
            return None
        return _compiled(tuple(self.patterns[i] for i in sorted(chosen)))


def _first_word(phrase: str) -> str | None:
    """The folded first word a match of ``phrase`` must begin with, if it starts with a word."""
    pieces = _PIECES.findall(fold(phrase).strip())
    return pieces[0] if pieces and re.fullmatch(r"\w+", pieces[0]) else None


@lru_cache(maxsize=1024)
def _compiled(ordered: tuple[str, ...]) -> re.Pattern[str]:
    at_word = [p[len(_HEAD) :] for p in ordered if p.startswith(_HEAD)]
    others = [p for p in ordered if not p.startswith(_HEAD)]
    branches = [f"(?:{p})" for p in others]
    if at_word:
        branches.insert(0, _HEAD + "(?:" + "|".join(f"(?:{p})" for p in at_word) + ")")
    return re.compile("|".join(branches))


@lru_cache(maxsize=256)
def matcher(phrases: tuple[str, ...], exceptions: tuple[str, ...] = ()) -> PhraseMatcher:
    """The matcher of ``phrases``, built once: compiling costs far more than matching."""
    return PhraseMatcher(phrases, exceptions)


def matcher_for(filenames: Iterable[str]) -> PhraseMatcher:
    """One matcher over several list files (bundled and user), rebuilt only when they change."""
    return _matcher_of(tuple(_locate(name) for name in filenames))


@lru_cache(maxsize=256)
def _matcher_of(files: tuple[_Located, ...]) -> PhraseMatcher:
    return matcher(*_joined(map(_loaded, files)))


def list_names(stem: str, language: str | None, always: tuple[str, ...] = ("fr", "en")) -> tuple[str, ...]:
    """The files of list ``stem`` that apply: those of ``always``, plus the asked language's."""
    codes = list(always)
    asked = language_code(language)
    if asked and asked not in codes:
        codes.append(asked)
    return tuple(f"{stem}.{code}.txt" for code in codes)


def clear_caches() -> None:
    for cached in (_read, _loaded, _words, _matcher_of, matcher, _folders_for, _compiled, _word_starts):
        cached.cache_clear()
