"""``copyassist score``, and the ``--score`` of ``check`` and ``batch``: model-graded listings."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from copyassist.batch.store import Store
from copyassist.cli.backend_options import AttemptsOpt, BaseUrlOpt, ModelOpt, ProviderOpt
from copyassist.cli.check import FieldOpt, KeywordOpt, LangOpt, parse_fields
from copyassist.cli.errors import friendly_errors
from copyassist.cli.grades import NOT_RULES, chosen_criteria, print_rows, print_summary
from copyassist.cli.option_checks import checked_channel
from copyassist.cli.options import ChannelOpt, PersonaOpt, PersonasDirOpt, PromptsDirOpt
from copyassist.errors import InputError
from copyassist.feeds.sniffing import regular_file
from copyassist.feeds.writing import check_report_path
from copyassist.scoring.feed import score
from copyassist.scoring.grader import DEFAULT_GRADE_ATTEMPTS

Opt = typer.Option

SCORE_HELP = (
    "Grade each listing of a feed from 1 to 5 on written criteria, with a one-line reason.\n\n"
    "The feed is read as 'check' reads it (the same columns, --field to choose them); each listing is "
    "graded in its own language against the criterion's rubric (a template named score-<criterion>, "
    "French and English, overridable like any template). Grades are kept in the result store: grading "
    f"the same listings again costs nothing (--no-cache to redo them). {NOT_RULES} Exit 1 when a row "
    "could not be read or graded, 2 on bad input, 3 when grading stopped early (a spending cap, a "
    "refused key)."
)

CriteriaOpt = Annotated[
    str | None,
    Opt(
        "--criteria",
        "-c",
        metavar="LIST",
        help="Comma-separated criteria: persuasive, clear, persona-fit (needs --persona), seo, or your own "
        "score-<criterion> templates. Default: persuasive,clear,seo (and persona-fit with --persona).",
        show_default=False,
    ),
]


@friendly_errors
def score_command(
    feed: Annotated[
        Path, typer.Argument(help="Listings: CSV (any delimiter), JSONL or JSON, as for 'check'.")
    ],
    criteria: CriteriaOpt = None,
    persona: PersonaOpt = None,
    channel: ChannelOpt = None,
    fields: FieldOpt = None,
    language: LangOpt = None,
    keywords: KeywordOpt = None,
    output: Annotated[
        Path | None,
        Opt(
            "--output",
            "-o",
            help="Write the feed's rows with score_<criterion> and "
            "reason_<criterion> columns (.csv), or the report (.json).",
        ),
    ] = None,
    as_json: Annotated[bool, Opt("--json", help="Print the report as JSON.")] = False,
    concurrency: Annotated[int, Opt(min=1, max=64, help="Grading calls in flight at once.")] = 4,
    max_cost: Annotated[
        float | None, Opt(min=0, help="Stop grading (keeping every grade made) once this many USD are spent.")
    ] = None,
    attempts: AttemptsOpt = DEFAULT_GRADE_ATTEMPTS,
    no_cache: Annotated[bool, Opt("--no-cache", help="Grade again listings already graded.")] = False,
    db: Annotated[Path | None, Opt(help="Result store (default: your copyassist folder).")] = None,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    prompts_dirs: PromptsDirOpt = None,
    personas_dirs: PersonasDirOpt = None,
) -> None:
    """Grade listings on written criteria (see SCORE_HELP)."""
    chosen = chosen_criteria(criteria, persona, prompts_dirs or ())
    checked_channel(channel)
    if output is not None and output.suffix.lower() not in (".csv", ".json"):
        raise InputError(f"--output must end in .csv or .json, not {output.name!r}")
    if output is not None:
        check_report_path(output, source=feed)
    with Store(db) if db else contextlib.nullcontext() as store:
        report = score(
            regular_file(feed), criteria=chosen, persona=persona, channel=channel,
            fields=parse_fields(fields), language=language, keywords=keywords or (), provider=provider,
            model=model, base_url=base_url, store=store, use_cache=not no_cache, concurrency=concurrency,
            max_attempts=attempts, max_cost=max_cost, prompts_dirs=prompts_dirs or (),
            personas_dirs=personas_dirs or (),
        )  # fmt: skip
    if output is not None:
        text = report.to_json() if output.suffix.lower() == ".json" else report.to_csv()
        output.write_text(text, encoding="utf-8")
        typer.echo(f"grades written to {output}")
        print_summary(report)
    elif as_json:
        typer.echo(report.to_json())
        print_summary(report, err=True)
    else:
        print_rows(report.rows)
        typer.echo()
        print_summary(report)
    if report.stopped:
        raise typer.Exit(3)
    if report.failed_count:
        raise typer.Exit(1)
