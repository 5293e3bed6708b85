"""``copyassist check``: audit existing listings against a channel's rules, no model call."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copyassist.audit import CheckReport, check
from copyassist.cli.backend_options import BaseUrlOpt, ModelOpt, ProviderOpt
from copyassist.cli.errors import friendly_errors
from copyassist.cli.grades import (
    ScoreOpt,
    check_json_with_scores,
    chosen_criteria,
    score_checked,
    show_grades,
)
from copyassist.cli.option_checks import checked_channel
from copyassist.cli.options import BrandFileOpt, NoBrandOpt, PersonaOpt
from copyassist.errors import InputError
from copyassist.feeds.sniffing import regular_file
from copyassist.feeds.writing import check_report_path
from copyassist.review.report import check_report_html

FileArg = Annotated[
    Path, typer.Argument(help="Listings: CSV (any delimiter, UTF-8 or Windows-1252), JSONL or JSON.")
]
ChannelOpt = Annotated[
    str,
    typer.Option(
        help="Channel: amazon, google-shopping, shopify, rakuten-fr, cdiscount, meta-tags, generic."
    ),
]
FieldOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        "-f",
        help="KIND=COLUMN to check, repeatable; kinds: title, bullets, description, seo_title, "
        "meta_description, faq, keywords (one a line, or split on ; or ,). Default: the column names "
        "it recognises.",
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang", "-l", help="Language the copy must be in (else a language column, else unchecked)."
    ),
]
KeywordOpt = Annotated[
    list[str] | None,
    typer.Option("--keyword", "-k", help="Keyword every listing should contain, repeatable."),
]


def parse_fields(specs: list[str] | None) -> dict[str, str] | None:
    if not specs:
        return None
    fields: dict[str, str] = {}
    for spec in specs:
        kind, sep, column = spec.partition("=")
        if not kind.strip():
            raise InputError(f"--field expects KIND=COLUMN or KIND, got {spec!r}")
        fields[kind.strip()] = column.strip() if sep else kind.strip()
    return fields


def _print_table(report: CheckReport) -> None:
    for row in report.rows:
        if row.error:
            typer.secho(f"row {row.row}: unreadable: {row.error}", fg=typer.colors.RED)
        for v in row.violations:
            colour = typer.colors.RED if v.severity == "error" else typer.colors.YELLOW
            label = f"row {row.row}" + (f" ({row.id})" if row.id else "")
            quoted = f"  « {v.text} »" if v.text else ""
            typer.secho(
                f"{label:<24} {v.field:<16} {v.severity:<7} {v.rule:<26} {v.message}{quoted}", fg=colour
            )
    typer.echo()
    clean = sum(r.status == "ok" for r in report.rows)
    checked = ", ".join(f"{kind}={column}" for kind, column in report.fields.items())
    unreadable = f", {report.unreadable_count} unreadable" if report.unreadable_count else ""
    typer.secho(
        f"{len(report.rows)} rows checked for {report.channel} ({checked}): "
        f"{clean} clean, {report.error_count} errors, {report.warning_count} warnings{unreadable}",
        bold=True,
    )
    for rule, severity, count, rows in report.summary():
        typer.echo(f"  {rule:<28} {severity:<7} {count:>5} in {rows} row(s)")


FactsFromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--facts-from",
        metavar="COLUMNS",
        help="Columns that hold the product's true data (comma-separated or repeated): the facts "
        "guard checks the copy's figures against them. Default: the listing itself.",
        show_default=False,
    ),
]
NoFactsOpt = Annotated[
    bool,
    typer.Option("--no-facts", metavar="", help="Skip the facts guard (facts.unsupported) for this run."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="table, csv, json or html (a one-page report).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")]


def _rendered(report: CheckReport, output_format: str, file: Path) -> str:
    if output_format == "html":
        return check_report_html(report, source=str(file))
    return report.to_json() if output_format == "json" else report.to_csv()


@friendly_errors
def check_command(
    file: FileArg,
    channel: ChannelOpt = "generic",
    fields: FieldOpt = None,
    language: LangOpt = None,
    keywords: KeywordOpt = None,
    facts_from: FactsFromOpt = None,
    no_facts: NoFactsOpt = False,
    output_format: FormatOpt = "table",
    output: OutputOpt = None,
    score: ScoreOpt = None,
    persona: PersonaOpt = None,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    brand_voice: BrandFileOpt = None,
    no_brand: NoBrandOpt = False,
) -> None:
    """Check listings against a channel's rules. Exit 1 when any error is found or a row cannot be
    read (usable in CI). --score also has a model grade each listing (table or json format; the exit
    code stays the rules', and --persona, --provider, --model and --base-url are for grading)."""
    checked_channel(channel)
    if output_format not in ("table", "csv", "json", "html"):
        raise InputError(f"--format must be table, csv, json or html, not {output_format!r}")
    criteria = chosen_criteria(score, persona) if score else ()
    if criteria and output_format in ("csv", "html"):
        raise InputError(
            f"--score writes no {output_format}: use --format table or json,"
            " or 'copyassist score FILE -o x.csv'"
        )
    if output is not None:
        check_report_path(output, source=file)
    if facts_from and no_facts:
        raise InputError("--facts-from and --no-facts contradict each other: keep one")
    report = check(
        regular_file(file), channel=channel, fields=parse_fields(fields), language=language,
        keywords=keywords or (), facts_from=facts_from, facts=not no_facts,
        brand_voice=False if no_brand else brand_voice,
    )  # fmt: skip
    typer.echo(f"copyassist: checked columns: {report.mapping_report()}", err=True)
    grades = score_checked(file, report, criteria, persona=persona, language=language,
                           keywords=keywords or (), provider=provider, model=model,
                           base_url=base_url)  # fmt: skip
    if output_format == "table" and output is None:
        _print_table(report)
        if grades is not None:
            show_grades(grades)
    else:
        text = _rendered(report, output_format, file)
        text = text if grades is None else check_json_with_scores(report, grades)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            unreadable = f", {report.unreadable_count} unreadable rows" if report.unreadable_count else ""
            typer.echo(
                f"report written to {output}: {report.error_count} errors, "
                f"{report.warning_count} warnings{unreadable}"
            )
    if report.failed:
        raise typer.Exit(1)
