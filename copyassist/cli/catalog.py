"""``copyassist templates ...`` and ``copyassist personas ...``: what is installed, and checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

from copyassist.cli.commands import CommandGroup
from copyassist.cli.errors import fail, friendly_errors
from copyassist.errors import PersonaError
from copyassist.persona import list_personas, load_persona, validate_persona_file
from copyassist.product_language import DEFAULT_LANGUAGE
from copyassist.template_sets import list_sets
from copyassist.templates import list_templates, load_template

templates_app = typer.Typer(help="List and inspect prompt templates.", no_args_is_help=True, cls=CommandGroup)
personas_app = typer.Typer(
    help="List, inspect and validate buyer personas.", no_args_is_help=True, cls=CommandGroup
)

DirsOpt = Annotated[list[Path] | None, typer.Option("--dir", help="Extra folder, searched first.")]


@templates_app.command("list")
@friendly_errors
def templates_list(
    prompts_dirs: DirsOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every template with its languages, task and description; then the template sets."""
    by_name: dict[str, list[str]] = {}
    described: dict[str, tuple[str, str, int]] = {}
    for template in list_templates(prompts_dirs or []):
        by_name.setdefault(template.name, []).append(template.language)
        if template.language == "en" or template.name not in described:
            meta = template.meta
            described[template.name] = (meta.task, meta.description, meta.version)
    sets = list_sets(prompts_dirs or [])
    if as_json:
        rows = [
            {
                "name": n,
                "languages": by_name[n],
                "task": described[n][0],
                "description": described[n][1],
                "version": described[n][2],
            }
            for n in sorted(by_name)
        ]
        listed = [{"name": s.name, "set": list(s.templates), "description": s.description()} for s in sets]
        typer.echo(json.dumps(rows + listed, ensure_ascii=False, indent=2))
        return
    width = max(len(n) for n in [*by_name, *(s.name for s in sets)]) if by_name else 10
    for name in sorted(by_name):
        task, description, _ = described[name]
        langs = ",".join(sorted(by_name[name]))
        typer.echo(f"{name:<{width}}  {langs:<5}  {task:<11}  {description}")
    if sets:
        typer.echo("\nsets (-t <set>: every template, in order, each knowing the fields before it):")
    for found in sets:
        typer.echo(f"{found.name:<{width}}  {', '.join(found.templates)}  — {found.description()}")


@templates_app.command("show")
@friendly_errors
def templates_show(
    name: Annotated[str, typer.Argument(help="Template name.")],
    language: Annotated[
        str,
        typer.Option(
            "--lang", "-l", envvar="COPYASSIST_LANG", metavar="LANG", help="The version to show (fr, en)."
        ),
    ] = DEFAULT_LANGUAGE,
    prompts_dirs: DirsOpt = None,
) -> None:
    """The template's front matter, output fields and source file."""
    template = load_template(name, language, prompts_dirs or [])
    meta = template.meta
    typer.secho(f"{meta.name} ({template.language}) v{meta.version} — {meta.description}", bold=True)
    typer.echo(f"file:      {template.path}")
    typer.echo(f"task:      {meta.task}")
    typer.echo(f"output:    {meta.output} ({', '.join(template.output_model.model_fields)})")
    typer.echo(f"required:  {', '.join(meta.inputs.required) or '-'}")
    typer.echo(f"optional:  {', '.join(meta.inputs.optional) or '-'}")
    defaults = ", ".join(f"{k}={v}" for k, v in meta.defaults.items())
    typer.echo(f"defaults:  {defaults or '-'}")
    typer.echo(f"try:       copyassist render {meta.name} --lang {template.language} --set title=...")


@personas_app.command("list")
@friendly_errors
def personas_list(
    personas_dirs: DirsOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every persona a name can reach (user folders first, then the bundled ones)."""
    infos = list_personas(personas_dirs or [])
    if as_json:
        rows = [
            {
                "name": i.name,
                "kind": i.kind,
                "language": i.language,
                "path": str(i.path),
                "display_name": i.display_name,
                "error": i.error,
            }
            for i in infos
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max((len(i.name) for i in infos), default=10)
    for info in infos:
        if info.error:
            typer.secho(f"{info.name:<{width}}  invalid: {info.error}", fg=typer.colors.RED)
        else:
            typer.echo(f"{info.name:<{width}}  {info.kind:<9}  {info.language}  {info.display_name}")


@personas_app.command("show")
@friendly_errors
def personas_show(
    name: Annotated[str, typer.Argument(help="Persona name or YAML file.")],
    personas_dirs: DirsOpt = None,
) -> None:
    """The persona sheet, as YAML."""
    persona = load_persona(name, personas_dirs or [])
    typer.secho(f"# {persona.path}", dim=True)
    typer.echo(yaml.safe_dump(persona.to_context(), allow_unicode=True, sort_keys=False).rstrip())


@personas_app.command("validate")
@friendly_errors
def personas_validate(
    paths: Annotated[list[Path], typer.Argument(help="Persona YAML files to check.")],
) -> None:
    """Check persona files; exit 2 when any is invalid, naming the file and the problem."""
    bad = 0
    for path in paths:
        try:
            persona = validate_persona_file(path)
        except PersonaError as exc:
            bad += 1
            typer.secho(f"✗ {exc}", err=True, fg=typer.colors.RED)
        else:
            typer.echo(f"✓ {path}: {persona.name} ({persona.kind}, {persona.language})")
    if bad:
        raise fail(f"{bad} of {len(paths)} persona file(s) invalid", 2)
