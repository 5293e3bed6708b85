"""One pydantic output model per template, looked up by the class name a template declares."""

from __future__ import annotations

from copyassist.errors import TemplateError
from copyassist.outputs import copywriting, market, plan, score, study, translation
from copyassist.outputs.base import CopyOutput


def _collect() -> dict[str, type[CopyOutput]]:
    models: dict[str, type[CopyOutput]] = {}
    for module in (copywriting, market, plan, study, score, translation):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, CopyOutput) and value is not CopyOutput:
                models[value.__name__] = value
    return models


OUTPUT_MODELS: dict[str, type[CopyOutput]] = _collect()


def output_model(name: str) -> type[CopyOutput]:
    """The output model class called ``name``; a TemplateError names the known ones if absent."""
    try:
        return OUTPUT_MODELS[name]
    except KeyError:
        known = ", ".join(sorted(OUTPUT_MODELS))
        raise TemplateError(f"unknown output model {name!r}; known models: {known}") from None


__all__ = ["OUTPUT_MODELS", "CopyOutput", "output_model"]
