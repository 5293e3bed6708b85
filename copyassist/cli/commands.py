"""How every command's ``--help`` names what an option takes, and ``copyassist --version``.

typer labels an option without a metavar by its Python type (``<str>``, ``<list[str]>``,
``<int range>``) and flags, ``--help`` included, as ``<bool>``. Options declare their own
metavar (``FILE``, ``N``, ``KIND=COLUMN``...); :class:`CommandGroup` gives flags none and the
rest a plain word by type, for every command it hands out, so no Python type ever shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from copyassist import __version__

_WORDS: dict[type[Any], str] = {int: "N", float: "NUMBER", Path: "PATH", str: "TEXT"}


def _no_type(ctx: Any) -> None:
    return None


# Commands and contexts are typed Any: recent typer vendors its own click, older ones use click.
def _name_what_options_take(command: Any, ctx: Any) -> None:
    for param in command.get_params(ctx):  # the help option too
        if getattr(param, "param_type_name", None) == "argument" and hasattr(param, "display_type_rich"):
            param.display_type_rich = _no_type  # its name is its label: FEED, TEMPLATE...
            if param.metavar is None and param.name:
                param.metavar = param.name.upper()
        if getattr(param, "param_type_name", None) != "option" or param.metavar is not None:
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
            continue
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        element = getattr(annotation, "__args__", (annotation,))[0] if annotation is not None else None
        param.metavar = _WORDS.get(element if isinstance(element, type) else str, "TEXT")


class CommandGroup(typer.core.TyperGroup):
    """A group whose commands (and itself) show a word, never a Python type, for each option."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _name_what_options_take(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _name_what_options_take(self, ctx)
        super().format_help(ctx, formatter)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"copyassist {__version__}")
        raise typer.Exit()


def root_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """The options of ``copyassist`` itself, before any command."""
