"""From an output to the text of the columns a feed writer adds for it.

Which columns an output model has is declared on the model (``CopyOutput.columns``); this module
only turns each one into text.
"""

from __future__ import annotations

from copyassist.outputs import OUTPUT_MODELS, CopyOutput

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
    if isinstance(value, list):
        separator = "\n" if model.kind_of(name) == "bullets" else ", "
        return separator.join(str(getattr(item, "value", item)).strip() for item in value)
    return str(value)


def output_fields(output: CopyOutput, language: str = "en") -> dict[str, str]:
    """The text of each column of ``output``, in the model's column order."""
    return {name: _column(output, name, language) for name in type(output).columns}
