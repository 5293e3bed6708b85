"""What ``score``, ``check --score`` and ``batch --score`` share: the criteria asked, the
grades shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from copyassist.audit import CheckReport
from copyassist.batch.store import Store
from copyassist.errors import InputError
from copyassist.scoring.criteria import parse_criteria
from copyassist.scoring.feed import RowScores, ScoreReport, score
from copyassist.scoring.store import ScoreStore

NOT_RULES = (
    "Grades are a model's opinion, opt-in and paid like any call; they never replace the rule "
    "checks (run 'copyassist check'), and statuses and exit codes stay the rules'."
)
DEFAULT_CRITERIA = ("persuasive", "clear", "seo")

ScoreOpt = Annotated[
    str | None,
    typer.Option(
        "--score",
        metavar="CRITERIA",
        help="Also have a model grade each listing 1-5 on these comma-separated criteria (persuasive, "
        "clear, persona-fit, seo); opt-in, paid calls, never the status or the exit code.",
        show_default=False,
    ),
]


def chosen_criteria(
    spec: str | None, persona: str | None, prompts_dirs: Sequence[Path] = ()
) -> tuple[str, ...]:
    """The criteria asked for, checked before any work (``--criteria`` when none given)."""
    if spec is None:
        return parse_criteria([*DEFAULT_CRITERIA, *(["persona-fit"] if persona else [])], prompts_dirs)
    try:
        return parse_criteria(spec, prompts_dirs)
    except InputError as exc:
        raise exc.with_hint("criteria", "score") from None


def _cell(score_value: int | None) -> str:
    return "-" if score_value is None else f"{score_value}/5"


def print_rows(rows: Sequence[RowScores]) -> None:
    for row in rows:
        label = f"row {row.row}" + (f" ({row.id})" if row.id else "")
        if row.error:
            typer.secho(f"{label:<24} {row.error}", fg=typer.colors.RED)
        for s in row.scores:
            colour = typer.colors.RED if s.score is None or s.score <= 2 else None
            typer.secho(f"{label:<24} {s.criterion:<14} {_cell(s.score):<5} {s.reason or s.error}", fg=colour)


def print_summary(report: ScoreReport, spend: bool = True, err: bool = False) -> None:
    for number, line in enumerate(report.summary_lines(spend)):
        typer.secho(line, bold=number == 0, err=err)


def run_scores_summary(db: Path | None, run_id: int, criteria: Sequence[str]) -> None:
    """After ``batch --score``: the run's grades, read back from the store."""
    with Store(db) as store:
        by_row = ScoreStore(store).for_run(run_id)
    report = ScoreReport(
        tuple(criteria), {}, rows=[RowScores(n, scores=s) for n, s in sorted(by_row.items())]
    )
    print_summary(report, spend=False, err=True)


def check_json_with_scores(report: CheckReport, scores: ScoreReport) -> str:
    data: dict[str, Any] = json.loads(report.to_json())
    data["scores"] = scores.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2)


def score_checked(
    file: Path, report: CheckReport, criteria: Sequence[str], **options: Any
) -> ScoreReport | None:
    """``check --score``: the checked listings graded, on the columns the check read (none asked: None).
    A grade that cannot be made is said on stderr; the check's verdict is untouched."""
    if not criteria:
        return None
    grades = score(file, criteria=criteria, channel=report.channel, fields=report.fields, **options)
    if grades.stopped or grades.failed_count:
        problem = grades.stopped or f"{grades.failed_count} rows could not be fully graded"
        typer.secho(f"copyassist: warning: grading: {problem}", err=True, fg=typer.colors.YELLOW)
    return grades


def show_grades(report: ScoreReport) -> None:
    typer.echo()
    print_rows(report.rows)
    print_summary(report)
