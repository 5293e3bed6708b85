"""The wheel carries the prompts and personas; importing copyassist reads no key or setting,
opens no connection and prints nothing (the names it exports: test_exported_members.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("copyassist-*.whl"))


def test_the_wheel_ships_every_prompt_and_persona(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("prompts", "personas"):
        for source in (ROOT / folder).rglob("*"):
            if source.is_file():
                inside = f"copyassist/_bundled/{folder}/{source.relative_to(ROOT / folder).as_posix()}"
                assert inside in names, f"{inside} missing from the wheel"
    assert "copyassist/data/prices.json" in names
    for data in (ROOT / "copyassist" / "rules").rglob("*"):
        if data.suffix in (".yaml", ".txt"):
            assert data.relative_to(ROOT).as_posix() in names, f"{data.name} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "copyassist = copyassist.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_wheel_ships_the_review_pages_and_their_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for f in ("templates", "static") for p in (ROOT / "copyassist" / "review" / f).iterdir()]
    assert {p.suffix for p in shipped} >= {".html", ".js", ".css"}
    for source in shipped:
        assert source.relative_to(ROOT).as_posix() in names, f"{source.name} missing from the wheel"


def test_every_error_derives_from_the_root_and_is_drawn_in_the_docstring() -> None:
    from copyassist import errors

    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__:
            assert issubclass(value, errors.CopyAssistError)
            assert name in (errors.__doc__ or ""), f"{name} is not in the error tree"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "copyassist", "templates", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "aida" in result.stdout


# Runs ``sys.argv[1]`` with os.environ replaced by a mapping that records every lookup of an
# OPENAI_* or COPYASSIST_* variable (as "NAME by module"), and sockets that record (and refuse)
# every connection and name lookup; prints what was recorded as JSON.
_RECORD = """
import collections.abc, json, os, socket, sys

def reader():
    frame = sys._getframe(3)  # past reader, _note and the mapping method
    while frame.f_globals.get("__name__") in ("os", "_collections_abc"):
        frame = frame.f_back
    return frame.f_globals.get("__name__")

class RecordingEnviron(collections.abc.MutableMapping):
    def __init__(self, real):
        self.real, self.read = real, []
    def _note(self, key):
        if isinstance(key, str) and key.startswith(("OPENAI_", "COPYASSIST_")):
            self.read.append(f"{key} by {reader()}")
    def __getitem__(self, key):
        self._note(key)
        return self.real[key]
    def __contains__(self, key):
        self._note(key)
        return key in self.real
    def get(self, key, default=None):
        self._note(key)
        return self.real.get(key, default)
    def __setitem__(self, key, value):
        self.real[key] = value
    def __delitem__(self, key):
        del self.real[key]
    def __iter__(self):
        return iter(self.real)
    def __len__(self):
        return len(self.real)
    def copy(self):
        return self.real.copy()

network = []
def refuse(*args, **kwargs):
    network.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args))
    raise OSError("no network here")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
os.environ = RecordingEnviron(os.environ)
try:
    exec(sys.argv[1])
finally:
    print(json.dumps({"env": sorted(set(os.environ.read)), "network": network}))
"""


def reads_during(code: str) -> dict[str, list[str]]:
    """The OPENAI_*/COPYASSIST_* variables and the network addresses ``code`` looks up."""
    env = {**os.environ, "OPENAI_API_KEY": "sk-x", "COPYASSIST_MODEL": "gpt-4.1-mini"}
    result = subprocess.run(
        [sys.executable, "-c", _RECORD, code], capture_output=True, text=True, check=False, env=env
    )
    recorded: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return recorded


def test_import_reads_no_keys_or_network() -> None:
    seen = reads_during("import copyassist, copyassist.cli")
    assert [read for read in seen["env"] if " by copyassist" in read] == []  # no setting read
    assert [read for read in seen["env"] if "KEY" in read.split(" by ")[0]] == []  # by anyone
    assert seen["network"] == []


def test_the_import_check_sees_a_key_read_and_a_connection() -> None:
    seen = reads_during(
        "import copyassist.config, socket\n"
        "copyassist.config.load_settings()\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept OSError:\n    pass\n"
    )
    assert "OPENAI_API_KEY by copyassist.config" in seen["env"]
    assert "COPYASSIST_MODEL by copyassist.config" in seen["env"]
    assert seen["network"], "a connection attempt went unseen"


def test_the_library_logs_nothing_unless_the_application_asks() -> None:
    code = (
        "import logging, copyassist\n"
        "logging.getLogger('copyassist.batch').warning('a warning nobody asked to see')\n"
        "print(logging.getLogger().handlers, logging.getLogger().level)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stderr == ""  # no lastResort output, no warning
    assert result.stdout.strip() == f"[] {logging.WARNING}"  # the root logger is left alone
    handlers = logging.getLogger("copyassist").handlers
    assert any(isinstance(handler, logging.NullHandler) for handler in handlers)
    assert all(isinstance(handler, logging.NullHandler) for handler in handlers)
