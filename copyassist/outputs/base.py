"""The base every output model derives from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CopyOutput(BaseModel):
    """Structured output of one template.

    Every field is required and unknown keys are refused, so the JSON schema sent to the model
    is valid for strict structured-output modes (all properties required,
    ``additionalProperties: false``).
    """

    model_config = ConfigDict(extra="forbid")

    def as_text(self, language: str = "en") -> str:
        """The output as a person reads it: the assembled copy, not the JSON.

        ``language`` picks the language of any labels or headings the text carries.
        """
        raise NotImplementedError
