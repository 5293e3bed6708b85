"""Where prompts and personas are found.

Precedence, first match wins: folders passed explicitly (``prompts_dirs``/``personas_dirs``),
then the folders listed in ``COPYASSIST_PROMPTS_PATH``/``COPYASSIST_PERSONAS_PATH``
(``os.pathsep``-separated), then the user folder (``~/.config/copyassist/<kind>`` or under
``COPYASSIST_HOME``), then the copies bundled with the package.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

AssetKind = Literal["prompts", "personas"]

_PACKAGE_DIR = Path(__file__).resolve().parent
_ENV_VARS: dict[str, str] = {
    "prompts": "COPYASSIST_PROMPTS_PATH",
    "personas": "COPYASSIST_PERSONAS_PATH",
}


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
    """The shipped copy: inside the wheel, or the source tree in an editable install."""
    in_wheel = _PACKAGE_DIR / "_bundled" / kind
    if in_wheel.is_dir():
        return in_wheel
    source_root = _PACKAGE_DIR.parent
    if (source_root / "pyproject.toml").is_file() and (source_root / kind).is_dir():
        return source_root / kind
    return in_wheel


def search_path(kind: AssetKind, extra: Iterable[str | Path] = ()) -> list[Path]:
    """The folders to look in for ``kind``, in order of precedence, without duplicates."""
    folders: list[Path] = [Path(p).expanduser() for p in extra]
    env_value = os.environ.get(_ENV_VARS[kind], "")
    folders += [Path(p).expanduser() for p in env_value.split(os.pathsep) if p]
    folders += [user_dir(kind), bundled_dir(kind)]
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique
