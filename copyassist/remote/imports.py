"""A results file from an engine that ran an exported request file (vLLM's ``run_batch``).

Its lines are the Batch API's output lines (``answers.from_output_line``). Every answer is
kept; the requests the file does not answer are exported again with the next round. A line
that is not JSON stops the import before anything is stored: the file is not what it seems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from copyassist import errors
from copyassist.remote.answers import Answer, cost_of, from_output_line
from copyassist.remote.tables import RemoteTables


@dataclass(frozen=True)
class Imported:
    answers: int  # lines kept
    unknown: int  # of them, answers to no request exported from this store
    unanswered: int  # exported requests the file did not answer: exported again next round


def import_results_file(path: Path, tables: RemoteTables, model: str) -> Imported:
    answers: list[tuple[str, Answer, float | None]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise errors.InputError(
                        f"{path} line {number} is not JSON ({exc.msg}); nothing imported"
                    ) from None
                if not isinstance(line, dict) or not line.get("custom_id"):
                    raise errors.InputError(
                        f"{path} line {number} is not a batch output line (no custom_id); nothing imported"
                    )
                custom, answer = from_output_line(line)
                if answer is not None:
                    answers.append((custom, answer, cost_of(answer, model, batch=True)))
    except OSError as exc:
        raise errors.InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise errors.InputError(f"{path} is not UTF-8 text; nothing imported") from None
    known = tables.known(custom for custom, _, _ in answers)
    unknown = sum(1 for custom, _, _ in answers if custom not in known)
    tables.record_answers(answers, source="import")
    unanswered = tables.want_again(engine="export")
    return Imported(len(answers), unknown, unanswered)
