"""Channel profiles: each sales channel's published listing rules, kept as YAML data.

A profile is ``<name>.yaml`` (or ``.yml``). A name is looked up, first match wins, in: the folders
passed in, then ``COPYASSIST_PROFILES_PATH`` (``os.pathsep``-separated), then
``user_home()/"profiles"``, then the copies bundled in ``copyassist/rules/profiles/``, so a user
file overrides a bundled profile of the same name. ``inherits: <name>`` merges the parent's field
rules key by key, the child's keys winning; a profile that inherits its own name extends the next
profile of that name further down the search path (:func:`copyassist.assets.search_path`). Files
are read with :mod:`copyassist.safe_yaml` and checked strictly: every problem is a one-line
:class:`ConfigError` naming the file.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from copyassist.assets import bundled_dir, file_in, file_stamp, locate, reachable, search_path, unknown_name
from copyassist.errors import ConfigError
from copyassist.rules.base import FIELD_KINDS, FieldRules, Profile
from copyassist.safe_yaml import YamlError, did_you_mean, read_yaml_file

__all__ = ["BUNDLED_DIR", "list_profiles", "load_profile", "profile_search_path"]

BUNDLED_DIR = bundled_dir("profiles")
SUFFIXES = (".yaml", ".yml")

_RULE_TYPES: dict[str, Any] = typing.get_type_hints(FieldRules)
_RULE_KEYS = tuple(f.name for f in fields(FieldRules))
_TOP_KEYS: tuple[str, ...] = ("name", "description", "inherits", "language", "sources", "fields")
_TOP_KEYS += ("french_environmental_claims", "unverifiable_claims")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# (low, high): low must not be above high once the chain is merged
_ORDERED = [("min_chars", "max_chars"), ("advised_max_chars", "max_chars")]
_ORDERED += [("min_words", "max_words"), ("min_items", "max_items")]


@dataclass
class _Raw:
    """One file's own settings, checked but not yet merged with its parents."""

    path: Path
    top: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def _fail(path: Path, problem: str) -> ConfigError:
    return ConfigError(" ".join(f"{path}: {problem}".split()))


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml_file(path)
    except YamlError as exc:
        raise _fail(path, str(exc)) from None


_WANT: dict[Any, tuple[str, Any]] = {  # annotation -> (what is expected, test)
    int | None: ("a whole number of 0 or more, or null", lambda v: v is None or (type(v) is int and v >= 0)),
    bool: ("true or false", lambda v: isinstance(v, bool)),
    str: ("text", lambda v: isinstance(v, str)),
    tuple[str, ...]: (
        "a list of text items",
        lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    ),
}


def _rule_value(value: Any, hint: Any, where: str, path: Path) -> Any:
    """``value`` checked against the FieldRules annotation ``hint``; lists become tuples."""
    want, test = _WANT[hint]  # a KeyError here means FieldRules gained a type to support
    if not test(value):
        raise _fail(path, f"{where} must be {want}; got {value!r}")
    return tuple(value) if isinstance(value, list) else value


def _parse(path: Path) -> _Raw:
    """One profile file; parsed again only when it changed (a batch loads its profile per row)."""
    try:
        stamp = file_stamp(path)
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except OSError as exc:
        raise _fail(path, f"cannot read the file ({exc.strerror or exc})") from None
    return _parse_file(path, stamp)


@lru_cache(maxsize=64)
def _parse_file(path: Path, stamp: tuple[int, int]) -> _Raw:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise _fail(path, "expected a mapping of profile settings at the top level")
    raw = _Raw(path)
    for key, value in data.items():
        if key not in _TOP_KEYS:
            extra = (
                " (field rules go under 'fields:')"
                if key in FIELD_KINDS
                else did_you_mean(str(key), _TOP_KEYS)
            )
            raise _fail(path, f"unknown key '{key}'{extra}")
        if key == "fields":
            raw.rules = _parse_fields(value, path)
        elif key in ("french_environmental_claims", "unverifiable_claims"):
            raw.top[key] = _rule_value(value, bool, key, path)
        elif key == "sources":
            raw.top[key] = _rule_value(value, tuple[str, ...], key, path)
        elif key == "language":
            if value is not None and not (isinstance(value, str) and _LANGUAGE.fullmatch(value)):
                raise _fail(path, f"language must be a lowercase ISO 639 code such as 'fr'; got {value!r}")
            raw.top[key] = value
        elif isinstance(value, str) and value.strip():
            raw.top[key] = value.strip()
        else:
            raise _fail(path, f"{key} must be non-empty text; got {value!r}")
    return raw


def _parse_fields(value: Any, path: Path) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise _fail(path, f"fields must map field kinds ({', '.join(FIELD_KINDS)}) to rules")
    parsed: dict[str, dict[str, Any]] = {}
    for kind, rules in value.items():
        if kind not in FIELD_KINDS:
            raise _fail(path, f"unknown field kind 'fields.{kind}'{did_you_mean(str(kind), FIELD_KINDS)}")
        rules = {} if rules is None else rules
        if not isinstance(rules, dict):
            raise _fail(path, f"fields.{kind} must be a mapping of rules; got {rules!r}")
        for key in rules:
            if key not in _RULE_KEYS:
                raise _fail(path, f"unknown key 'fields.{kind}.{key}'{did_you_mean(str(key), _RULE_KEYS)}")
        parsed[kind] = {
            k: _rule_value(v, _RULE_TYPES[k], f"fields.{kind}.{k}", path) for k, v in rules.items()
        }
    return parsed


def profile_search_path(search_dirs: Iterable[str | Path] = ()) -> list[Path]:
    """The folders a profile name is looked up in, in order of precedence, without duplicates."""
    return search_path("profiles", search_dirs)


def _find_parent(child: Path, name: str, folders: list[Path]) -> Path | None:
    """``name`` for ``child``'s ``inherits``; its own name means the next one down the path."""
    start = 0
    if name == child.stem:
        home = child.parent.resolve()
        ranks = [i for i, folder in enumerate(folders) if folder.resolve() == home]
        start = ranks[0] + 1 if ranks else 0
    for folder in folders[start:]:
        found = file_in(folder, name, SUFFIXES)
        if found is not None and found.resolve() != child.resolve():
            return found
    return None


def _chain(path: Path, folders: list[Path]) -> list[_Raw]:
    """``path`` and its ancestors, child first."""
    chain = [_parse(path)]
    while (parent := chain[-1].top.get("inherits")) is not None:
        child = chain[-1].path
        found = _find_parent(child, parent, folders)
        if found is None:
            raise _fail(child, unknown_name("parent profile", parent, folders, SUFFIXES))
        if found.resolve() in {raw.path.resolve() for raw in chain}:
            names = " -> ".join([*(str(raw.path) for raw in chain), str(found)])
            raise _fail(path, f"inheritance cycle: {names}")
        chain.append(_parse(found))
    return chain


def _merge(chain: list[_Raw]) -> Profile:
    child = chain[0]
    top: dict[str, Any] = {}
    rules: dict[str, dict[str, Any]] = {}
    for raw in reversed(chain):  # root first, so every child overrides its parent
        top.update({k: v for k, v in raw.top.items() if k not in ("name", "description")})
        for kind, values in raw.rules.items():
            rules.setdefault(kind, {}).update(values)
    merged: dict[str, FieldRules] = {}
    for kind, values in rules.items():
        for low, high in _ORDERED:
            if values.get(low) is not None and values.get(high) is not None and values[low] > values[high]:
                problem = f"{low} {values[low]} is above {high} {values[high]}"
                raise _fail(child.path, f"fields.{kind}: {problem} (after inheritance)")
        if values.get("no_html") and values.get("html_allowed_tags"):
            raise _fail(child.path, f"fields.{kind}: no_html and html_allowed_tags are both set")
        merged[kind] = FieldRules(**values)
    return Profile(
        name=child.top.get("name", child.path.stem),
        description=child.top.get("description", ""),
        language=top.get("language"),
        fields=MappingProxyType(merged),
        french_environmental_claims=top.get("french_environmental_claims", False),
        unverifiable_claims=top.get("unverifiable_claims", True),
        sources=tuple(dict.fromkeys(url for raw in chain for url in raw.top.get("sources", ()))),
    )


#: The merged profile of each chain of parsed files (parsed again only when a file changes, so
#: an unchanged chain is the same objects): one Profile object per channel for a whole batch,
#: and whatever the checks build once per profile is built once.
_MERGED: dict[tuple[int, ...], tuple[tuple[_Raw, ...], Profile]] = {}


def _merged(chain: list[_Raw]) -> Profile:
    key = tuple(map(id, chain))
    kept = _MERGED.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], chain, strict=True)):
        return kept[1]
    profile = _merge(chain)
    if len(_MERGED) >= 64:
        _MERGED.clear()
    _MERGED[key] = (tuple(chain), profile)  # the files held, so their ids are not reused
    return profile


def load_profile(name_or_path: str | Path, search_dirs: Iterable[str | Path] = ()) -> Profile:
    """A profile by name (``amazon``) or from a ``.yaml``/``.yml`` file, its parents merged in."""
    folders = profile_search_path(search_dirs)
    return _merged(_chain(locate(name_or_path, folders, SUFFIXES, "profile", ConfigError), folders))


def list_profiles(search_dirs: Iterable[str | Path] = ()) -> list[tuple[str, Path]]:
    """Every profile a name reaches, as ``(name, file)`` sorted by name; shadowed files left out."""
    return reachable(profile_search_path(search_dirs), SUFFIXES)
