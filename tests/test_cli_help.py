"""What a newcomer reads first: ``--version``, each command's ``--help``, the no-product error."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from copyassist import __version__
from copyassist.cli import app
from tests.helpers import assert_exited

runner = CliRunner()
#: what typer prints for an option that names no metavar: a Python type
PYTHON_TYPE = re.compile(r"<(?:str|int|float|bool|path|file|list\[[^\]]*\]|int range|float range|text)>")


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as the words that reach it."""
    paths: list[list[str]] = [[]]

    def walk(group: Any, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            paths.append([*prefix, name])
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert_exited(result, 0)
    assert result.stdout.strip() == f"copyassist {__version__}"


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "copyassist")
def test_help_names_what_each_option_takes_never_a_python_type(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "160"})
    assert_exited(result, 0)
    assert "Show this message and exit." in result.stdout
    assert not PYTHON_TYPE.findall(result.stdout), result.stdout


def test_help_shows_chosen_words() -> None:
    shown = runner.invoke(app, ["generate", "--help"], env={"COLUMNS": "160"}).stdout
    for label in ("FILE", "FIELD=VALUE", "LANG", "URL", "TEMPLATE"):
        assert label in shown
    assert re.search(r"--help\s+Show this message", shown)  # a flag takes nothing
    batch = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "160"}).stdout
    assert re.search(r"--concurrency\s+N \[1<=x<=512\]", batch) and "FEED" in batch


@pytest.mark.parametrize("command", ["generate", "render"])
@pytest.mark.parametrize("extra", [[], ["-s", "price=12"]])
def test_no_product_says_how_to_give_one(command: str, extra: list[str]) -> None:
    result = runner.invoke(app, [command, "product-title", *extra])
    assert_exited(result, 2)
    assert "--product FILE" in result.stderr and "--set title=" in result.stderr
    assert "product=..." not in result.stderr
