"""From an output to the text of the columns a feed writer adds for it.

Which columns an output model has is declared on the model (``CopyOutput.columns``); this module
only turns each one into text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from copyassist.batch.store_records import StoredResult
from copyassist.outputs import OUTPUT_MODELS, CopyOutput

if TYPE_CHECKING:
    from copyassist.results import CopyResult

#: Every column any output model writes (``copyassist_<name>`` in an output file), in the
#: order the models are registered.
OUTPUT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(column for model in OUTPUT_MODELS.values() for column in model.columns)
)


def _column(output: CopyOutput, name: str, language: str) -> str:
    model = type(output)
    if name not in model.model_fields:
        return output.as_text(language)
    value = getattr(output, name)
    if value is None:  # a field the output leaves out (a translation of a listing without it)
        return ""
    if isinstance(value, list):
        separator = "\n" if model.kind_of(name) == "bullets" else ", "
        return separator.join(str(getattr(item, "value", item)).strip() for item in value)
    return str(value)


def output_fields(output: CopyOutput, language: str = "en") -> dict[str, str]:
    """The text of each column of ``output``, in the model's column order."""
    return {name: _column(output, name, language) for name in type(output).columns}


def stored_result(result: CopyResult, cost: float | None) -> StoredResult:
    """What the store keeps of a generation: the output, its columns, status and spend."""
    return StoredResult(
        output=json.dumps(result.output.model_dump(mode="json"), ensure_ascii=False),
        fields=output_fields(result.output, result.language),
        status=result.status,
        violations=[f"{v.rule}: {v.message}" for v in result.violations],
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        cost=cost,
        model=result.model,
        template=result.template,
        template_version=result.template_version,
        persona=result.persona,
    )
