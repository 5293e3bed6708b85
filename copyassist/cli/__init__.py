"""The ``copyassist`` command: a thin typer layer over the library."""

from __future__ import annotations

import typer

from copyassist.cli.batch import BATCH_HELP, batch_command
from copyassist.cli.brand import brand_app
from copyassist.cli.catalog import personas_app, templates_app
from copyassist.cli.check import check_command
from copyassist.cli.commands import CommandGroup, root_options
from copyassist.cli.export import export_command
from copyassist.cli.generate import generate_command, render_command
from copyassist.cli.review import REVIEW_HELP, review_command
from copyassist.cli.runs import runs_app
from copyassist.cli.score import SCORE_HELP, score_command
from copyassist.cli.study import persona_new_command, study_command

app = typer.Typer(
    name="copyassist",
    help="E-commerce copy with LLMs: titles, descriptions, SEO, AIDA/BAB/PPP/SSS, FAQ, market studies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=CommandGroup,
)
app.callback()(root_options)
app.command("generate")(generate_command)
app.command("render")(render_command)
app.command("check")(check_command)
app.command("study")(study_command)
app.command("batch", help=BATCH_HELP)(batch_command)
app.command("score", help=SCORE_HELP)(score_command)
app.command("review", help=REVIEW_HELP)(review_command)
app.command("export")(export_command)
app.add_typer(runs_app, name="runs")
personas_app.command("new")(persona_new_command)
app.add_typer(templates_app, name="templates")
app.add_typer(personas_app, name="personas")
app.add_typer(brand_app, name="brand")


def main() -> None:
    app()
