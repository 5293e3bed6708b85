"""YAML written by anyone (personas, channel profiles, template front matter), read defensively.

* only plain YAML: a tag outside the core set (``!!str``, ``!!int``...) is refused before
  anything is constructed, so ``!!python/object/...`` payloads never run;
* no anchors or aliases at all, which makes alias bombs ("billion laughs") fail at the first
  ``&anchor``, before anything is expanded;
* a size cap (:data:`MAX_FILE_BYTES`), a nesting cap (:data:`MAX_DEPTH`), one document, no key
  given twice in one mapping (the second would silently win);
* with ``text_scalars``, plain scalars are read as text (only ``null``/``~``/empty stay null),
  so ``no``, ``on`` or ``2500`` stay the strings the author typed.

Every problem is a one-line :class:`YamlError` without the file name: the caller adds it and
raises its own error type. :func:`did_you_mean` serves the checks that follow the reading.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "YamlError",
    "closest",
    "did_you_mean",
    "parse_yaml",
    "read_yaml_file",
]

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 8

_CORE = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({None, "!", *(_CORE + t for t in ("str", "seq", "map", "null"))})
_TYPED_TAGS = _TEXT_TAGS | {_CORE + t for t in ("bool", "int", "float")}
_SYNTAX_ERRORS = (yaml.scanner.ScannerError, yaml.parser.ParserError, yaml.reader.ReaderError)


class YamlError(ValueError):
    """Why a YAML text was refused, in one line."""


class _TypedLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class _TextLoader(_TypedLoader):
    """Plain scalars are text; only the null resolver is kept."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == _CORE + "null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` that ``word`` was probably meant to be, if any is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing."""
    meant = closest(word, choices)
    return f" (did you mean '{meant}'?)" if meant else ""


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _check_events(text: str, allowed_tags: frozenset[str | None], first_line: int) -> None:
    """Refuse tags, anchors, aliases, deep nesting and extra documents before constructing."""
    depth = documents = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + first_line if event.start_mark else "?"
        where = f"invalid YAML at line {line}"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlError(f"{where}: anchors and aliases (&, *) are not allowed")
        tag: str | None = getattr(event, "tag", None)
        if tag not in allowed_tags:
            raise YamlError(f"{where}: tag '{_short_tag(str(tag))}' is not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlError(f"{where}: only one YAML document is allowed")


def parse_yaml(text: str, *, text_scalars: bool = False, first_line: int = 1) -> Any:
    """The data of one YAML document, read as the module says. ``first_line`` is the line the
    text starts on in its file, for the messages."""
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(f"the YAML is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        _check_events(text, _TEXT_TAGS if text_scalars else _TYPED_TAGS, first_line)
        return yaml.load(text, Loader=_TextLoader if text_scalars else _TypedLoader)  # SafeLoaders
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + first_line}, column {mark.column + 1}" if mark else ""
        label = "YAML syntax error" if isinstance(exc, _SYNTAX_ERRORS) else "invalid YAML"
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(" ".join(f"{label}{where}: {problem}".split())) from None
    except yaml.YAMLError as exc:
        raise YamlError(" ".join(f"YAML error: {exc}".split())) from None


def read_yaml_file(path: Path, *, text_scalars: bool = False) -> Any:
    """The data of the YAML file ``path`` (UTF-8, a BOM allowed), read as the module says."""
    too_large = f"file is larger than {MAX_FILE_BYTES // 1024} KiB"
    if not path.is_file():
        raise YamlError("no such file")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise YamlError(too_large)
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # the file may grow after the stat
    except OSError as exc:
        raise YamlError(f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(too_large)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    return parse_yaml(text, text_scalars=text_scalars)
