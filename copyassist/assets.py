"""Where the files users may override are found: prompts, personas, channel profiles, word lists.

Precedence, first match wins: folders passed explicitly (``prompts_dirs``, ``personas_dirs``,
``search_dirs``), then the folders listed in the kind's environment variable
(``COPYASSIST_PROMPTS_PATH``, ``COPYASSIST_PERSONAS_PATH``, ``COPYASSIST_PROFILES_PATH``;
``os.pathsep``-separated), then the user folder (``~/.config/copyassist/<kind>`` or under
``COPYASSIST_HOME``), then the copy bundled with the package. Word lists do not replace each
other: every folder's file of a name adds to the bundled one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Generic, Literal, TypeVar

from copyassist.safe_yaml import did_you_mean

AssetKind = Literal["prompts", "personas", "profiles", "wordlists"]

_PACKAGE_DIR = Path(__file__).resolve().parent
ENV_VARS: dict[AssetKind, str] = {
    "prompts": "COPYASSIST_PROMPTS_PATH",
    "personas": "COPYASSIST_PERSONAS_PATH",
    "profiles": "COPYASSIST_PROFILES_PATH",
}
#: Kinds shipped inside the ``copyassist`` package itself (the others sit next to it in a
#: source tree and are copied into ``_bundled/`` in a wheel).
_IN_PACKAGE: dict[AssetKind, Path] = {
    "profiles": _PACKAGE_DIR / "rules" / "profiles",
    "wordlists": _PACKAGE_DIR / "rules" / "wordlists",
}


#: Seconds a file's stamp (modification time and size) is trusted before the file is looked at
#: again: a batch reads its templates, profile and word lists for every row, and a change made
#: while it runs is seen within a second.
STAMP_TTL = 1.0
_MAX_KEPT = 4096  # entries of a Rechecked before it starts afresh (paths: a handful in practice)

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Rechecked(Generic[Key, Value]):
    """``compute(key)``, remembered for ``ttl`` seconds of ``clock``; an OSError it raises is
    remembered the same way (a missing file stays missing until it is looked at again)."""

    def __init__(
        self,
        compute: Callable[[Key], Value],
        ttl: float = STAMP_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.compute, self.ttl, self.clock = compute, ttl, clock
        self._kept: dict[Key, tuple[float, Value | None, OSError | None]] = {}

    def __call__(self, key: Key) -> Value:
        now = self.clock()
        kept = self._kept.get(key)
        if kept is None or now - kept[0] >= self.ttl:
            if len(self._kept) >= _MAX_KEPT:
                self._kept.clear()
            try:
                kept = (now, self.compute(key), None)
            except OSError as exc:
                kept = (now, None, exc)
            self._kept[key] = kept
        if kept[2] is not None:  # without its last traceback: raised again and again, it would grow
            raise kept[2].with_traceback(None)
        return kept[1]  # type: ignore[return-value]

    def forget(self) -> None:
        self._kept.clear()


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size


#: ``file_stamp(path)``: (modification time in ns, size) of a file, looked at most once a
#: second; raises the OSError of a file that cannot be read (FileNotFoundError...).
file_stamp: Rechecked[Path, tuple[int, int]] = Rechecked(_stamp)


def user_home() -> Path:
    """copyassist's own folder for user files (config, personas, templates)."""
    configured = os.environ.get("COPYASSIST_HOME")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "copyassist"


def user_dir(kind: AssetKind) -> Path:
    return user_home() / kind


def bundled_dir(kind: AssetKind) -> Path:
    """The shipped copy: inside the package, inside the wheel, or the source tree in an
    editable install."""
    if kind in _IN_PACKAGE:
        return _IN_PACKAGE[kind]
    in_wheel = _PACKAGE_DIR / "_bundled" / kind
    if in_wheel.is_dir():
        return in_wheel
    source_root = _PACKAGE_DIR.parent
    if (source_root / "pyproject.toml").is_file() and (source_root / kind).is_dir():
        return source_root / kind
    return in_wheel


def search_path(kind: AssetKind, extra: Iterable[str | Path] = ()) -> list[Path]:
    """The folders to look in for ``kind``, in order of precedence, without duplicates."""
    env = os.environ
    listed = env.get(ENV_VARS[kind], "") if kind in ENV_VARS else ""
    key = (kind, tuple(map(str, extra)), listed, env.get("COPYASSIST_HOME"), env.get("XDG_CONFIG_HOME"),
           env.get("HOME"))  # fmt: skip
    return list(_search_paths(key))  # a copy: callers may add to theirs


def _search_path(
    key: tuple[AssetKind, tuple[str, ...], str, str | None, str | None, str | None],
) -> tuple[Path, ...]:
    kind, extra, env_value = key[0], key[1], key[2]
    folders: list[Path] = [Path(p).expanduser() for p in extra]
    folders += [Path(p).expanduser() for p in env_value.split(os.pathsep) if p]
    folders += [user_dir(kind), bundled_dir(kind)]
    return tuple(dict.fromkeys(folders))


#: every input of a search path is in its key (the environment too); the bundled folder is
#: looked for on disk, once a second at most
_search_paths = Rechecked(_search_path)


# ------------------------------------------------------------------- named files in folders


#: The longest name looked up as a file: file systems refuse names over 255 bytes.
MAX_NAME = 100


def file_in(folder: Path, name: str, suffixes: tuple[str, ...]) -> Path | None:
    """``folder/<name><suffix>`` for the first of ``suffixes`` that is a file."""
    return next((c for c in (folder / f"{name}{s}" for s in suffixes) if c.is_file()), None)


def names_in(folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    """The names (file stems) of the ``suffixes`` files in ``folder``, hidden ones left out."""
    if not folder.is_dir():
        return []
    names = {p.stem for p in folder.iterdir() if p.suffix in suffixes and p.is_file()}
    return sorted(name for name in names if not name.startswith("."))


def reachable(folders: list[Path], suffixes: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Every ``(name, file)`` a name reaches in ``folders``, sorted by name: a file shadowed by
    one of the same name in an earlier folder is left out."""
    found: dict[str, Path] = {}
    for folder in folders:
        for name in names_in(folder, suffixes):
            if name not in found and (path := file_in(folder, name, suffixes)) is not None:
                found[name] = path
    return sorted(found.items())


def unknown_name(what: str, name: str, folders: list[Path], suffixes: tuple[str, ...]) -> str:
    """``unknown <what> 'x' (did you mean 'y'?); available: ...; Searched: ...``."""
    available = sorted({stem for folder in folders for stem in names_in(folder, suffixes)})
    listed = ", ".join(available) or "none"
    searched = os.pathsep.join(str(f) for f in folders)
    return (
        f"unknown {what} '{name}'{did_you_mean(name, available)}; available: {listed}. Searched: {searched}"
    )


def locate(
    name_or_path: str | Path,
    folders: list[Path],
    suffixes: tuple[str, ...],
    what: str,
    error: Callable[[str], Exception],
) -> Path:
    """The file a name (``amazon``) or a path (``mine.yaml``, ``./x/amazon.yaml``) stands for.

    A path is taken as it is, even when it does not exist (reading it says so), except a bare
    ``<name><suffix>`` that is not in the current folder: that one is looked up by name, first
    match in ``folders`` winning. An unusable or unknown name raises ``error(message)``.
    """
    value = str(name_or_path)
    if isinstance(name_or_path, Path) or value.lower().endswith(suffixes) or "/" in value or os.sep in value:
        path = Path(value).expanduser()
        bare = path.parent == Path(".") and path.suffix.lower() in suffixes
        if path.is_file() or not bare:
            return path
        value = path.stem
    if not value or value.startswith("."):
        raise error(f"invalid {what} name {value!r}")
    if len(value) > MAX_NAME:
        raise error(f"{what} name too long ({len(value)} characters, at most {MAX_NAME}); give a shorter one")
    for folder in folders:
        found = file_in(folder, value, suffixes)
        if found is not None:
            return found
    raise error(unknown_name(what, value, folders, suffixes))
