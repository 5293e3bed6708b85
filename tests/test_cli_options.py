"""The options generate, render and batch share, and the flag hints the CLI adds to library errors."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from copyassist.backends import get_backend
from copyassist.cli import app
from copyassist.cli.errors import error_line, flags_of
from copyassist.cli.generate import generate_command, render_command
from copyassist.cli.options import CopyOptions, with_copy_options
from copyassist.cli.study import persona_new_command
from copyassist.config import Settings
from copyassist.errors import ConfigError, CopyAssistError, InputError
from copyassist.product import load_product
from copyassist.templates import Template

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

#: Every flag generate and render had before the options got one home: none may go.
COPY_FLAGS = [
    "--product", "--set", "--persona", "--lang", "--channel", "--tone", "--objective", "--words",
    "--max-chars", "--count", "--keyword", "--format", "--location", "--competitor", "--text",
    "--brand", "--category", "--provider", "--model", "--temperature", "--max-tokens",
    "--prompts-dir", "--personas-dir", "--json",
]  # fmt: skip
SHARED_WITH_BATCH = ["--persona", "--channel", "--lang", "--provider", "--model", "--base-url", "--attempts"]


def _click_command(name: str) -> Any:
    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


def _flags(name: str) -> set[str]:
    return {opt for param in _click_command(name).params for opt in param.opts if opt.startswith("--")}


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("generate", [*COPY_FLAGS, "--base-url", "--attempts"]),
        ("render", COPY_FLAGS),
        ("batch", SHARED_WITH_BATCH),
    ],
)
def test_help_lists_the_shared_options(command: str, expected: list[str]) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    missing = [flag for flag in expected if not re.search(rf"{flag}(?![\w-])", result.output)]
    assert missing == []
    assert set(expected) <= _flags(command)


@pytest.mark.parametrize("command", ["generate", "render", "batch"])
def test_every_option_has_help(command: str) -> None:
    options = [p for p in _click_command(command).params if p.opts[0].startswith("-")]
    assert [p.name for p in options if not (p.help or "").strip()] == []


def test_render_and_generate_keep_their_short_flags() -> None:
    for command in ("generate", "render"):
        short = {opt for p in _click_command(command).params for opt in p.opts if re.fullmatch(r"-\w", opt)}
        assert {"-p", "-s", "-l", "-k"} <= short


class _Reached(Exception):
    """Raised by the spy once the library has the values: nothing further runs."""


def _values_reaching_the_template(
    monkeypatch: pytest.MonkeyPatch, args: list[str], tmp_path: Path
) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []

    def spy(self: Template, values: Any) -> Any:
        seen.append(dict(values))
        raise _Reached

    monkeypatch.setattr(Template, "context", spy)
    monkeypatch.setenv("COPYASSIST_DEBUG", "1")  # let the spy's exception through the CLI
    result = runner.invoke(app, args)
    if args[0] != "batch":  # a batch fails the row, not the run
        assert isinstance(result.exception, _Reached), result.output
    assert len(seen) == 1, result.output
    return seen[0]


#: a template that takes every input (a bundled one declares only those it uses)
EVERY_INPUT = """---
name: every-input
task: framework
description: Takes every input.
output: AidaOutput
inputs:
  required: [product]
  optional: [persona, brand, category, tone, objective, words, max_chars, count, keywords, format,
             location, competitors, text]
---
<<user>>
{{ product.title }}
"""


def test_a_value_reaches_the_library_the_same_way_from_render_and_generate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    existing = tmp_path / "old.txt"
    existing.write_text("Ancienne description.", encoding="utf-8")
    template = tmp_path / "every-input.fr.j2"
    template.write_text(EVERY_INPUT, encoding="utf-8")
    options = [
        "--lang", "fr", "--words", "120", "--keyword", "montre", "--keyword", "gps", "--tone", "premium",
        "--competitor", "Garmin", "--competitor", "Polar", "--max-chars", "900", "--count", "3",
        "--text", f"@{existing}", "--brand", "Kairos", "--channel", "shopify",
    ]  # fmt: skip
    shared = [str(template), *options, "--set", "title=Kairos S2", "--set", "attributes.colour=noir",
              "--format", "html"]  # fmt: skip
    backend = ["--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    from_generate = _values_reaching_the_template(monkeypatch, ["generate", *shared, *backend], tmp_path)
    from_render = _values_reaching_the_template(monkeypatch, ["render", *shared, *backend], tmp_path)
    assert from_generate == from_render
    feed = tmp_path / "feed.csv"
    feed.write_text("title,colour\nKairos S2,noir\n", encoding="utf-8")
    batch = ["batch", str(feed), "-t", str(template), *options, "--copy-format", "html", *backend,
             "-o", str(tmp_path / "out.csv"), "--db", str(tmp_path / "s.db"),
             "-q", "--no-report"]  # fmt: skip
    from_batch = _values_reaching_the_template(monkeypatch, batch, tmp_path)
    assert {**from_batch, "product": None} == {**from_render, "product": None}
    assert from_render["words"] == 120 and from_render["max_chars"] == 900 and from_render["count"] == 3
    assert from_render["keywords"] == ["montre", "gps"]
    assert from_render["competitors"] == ["Garmin", "Polar"]
    assert from_render["product"]["title"] == "Kairos S2"
    assert from_render["product"]["attributes"] == {"colour": "noir"}
    assert from_render["text"] == "Ancienne description."
    assert from_render["format"] == "html" and from_render["channel"] == "shopify"


def test_copy_options_become_prepare_keyword_arguments() -> None:
    kwargs = CopyOptions(assignments=["title=Lampe"], temperature=0.2, max_tokens=300).library_kwargs()
    assert kwargs["product"] == load_product(None, ["title=Lampe"])
    assert kwargs["params"] == {"temperature": 0.2, "max_tokens": 300}
    assert kwargs["keywords"] is None and kwargs["competitors"] is None
    assert CopyOptions().library_kwargs()["product"] is None  # no product data at all: none passed


def test_a_command_without_an_options_parameter_is_refused() -> None:
    def command(template: str) -> None: ...

    with pytest.raises(TypeError, match="options"):
        with_copy_options(command)


# -- errors: the library names its setting, the CLI names the flag ---------------------------


def test_a_library_error_names_the_setting_not_the_flag() -> None:
    with pytest.raises(ConfigError) as caught:
        get_backend("compatible", settings=Settings())
    assert "base_url" in str(caught.value) and "--" not in str(caught.value)
    assert caught.value.hint_options == ("base_url",)
    with pytest.raises(InputError) as bad_set:
        load_product(None, ["oops"])
    assert "--" not in str(bad_set.value) and bad_set.value.hint_options == ("assignments",)


FRENCH_ONLY_CHANNEL_IN_ENGLISH = [
    "generate", "product-title", "-s", "title=x", "--channel", "cdiscount", "--lang", "en",
    "--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["generate", "aida", "-s", "title=x", "--provider", "compatible"], "(option --base-url)"),
        (["render", "aida", "-s", "oops"], "(option --set)"),
        (["render", "aida"], "--set description='...'"),  # the message names the flags itself
        (["study", "--sections", "trends"], "(option --category)"),
        (FRENCH_ONLY_CHANNEL_IN_ENGLISH, "(option --lang)"),
    ],
)
def test_the_cli_adds_the_flag_to_a_library_error(
    monkeypatch: pytest.MonkeyPatch, args: list[str], hint: str
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # typer.Exit: no traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("copyassist: error:") and lines[0].endswith(hint)


def test_the_hint_names_only_flags_the_command_has() -> None:
    error = ConfigError("the compatible provider needs a server URL").with_hint("base_url", "model")
    assert error_line(error, generate_command).endswith("(options --base-url, --model)")
    assert error_line(error, render_command).endswith("(options --base-url, --model)")
    assert error_line(error, persona_new_command).endswith("(option --model)")  # it has no --base-url
    assert error_line(CopyAssistError("plain"), render_command) == "plain"
    assert flags_of(generate_command)["assignments"] == "--set"
    assert flags_of(generate_command)["keywords"] == "--keyword"


def _cli_parameter_names() -> set[str]:
    names: set[str] = set()

    def walk(command: Any) -> None:
        names.update(p.name for p in command.params)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return names


def _library_sources() -> list[Path]:
    package = ROOT / "copyassist"
    return [p for p in package.rglob("*.py") if "cli" not in p.relative_to(package).parts]


def test_every_hint_in_the_library_names_a_cli_parameter() -> None:
    hinted = set()
    for path in _library_sources():
        for call in re.findall(r"\.with_hint\(([^)]*)\)", path.read_text("utf-8")):
            hinted.update(re.findall(r"[\"'](\w+)[\"']", call))
    assert {"base_url", "model", "max_tokens", "assignments", "category"} <= hinted
    assert sorted(hinted - _cli_parameter_names()) == []


def test_no_library_string_names_a_cli_flag() -> None:
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
    found = []
    for path in _library_sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and flag.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:60]}")
    assert found == []
