"""The wheel carries the prompts and personas, and the public API stays honest."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import copyassist

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


def test_all_is_sorted_and_exports_what_it_names() -> None:
    assert copyassist.__all__ == sorted(copyassist.__all__)
    for name in copyassist.__all__:
        assert hasattr(copyassist, name), name
    errors = [n for n in dir(copyassist) if n.endswith("Error") and not n.startswith("_")]
    assert set(errors) <= set(copyassist.__all__)


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


def test_import_reads_no_keys_or_network() -> None:
    code = (
        "import os, socket; os.environ['OPENAI_API_KEY']='sk-x';"
        "socket.socket.connect = lambda *a: (_ for _ in ()).throw(AssertionError('network'));"
        "import copyassist; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr
