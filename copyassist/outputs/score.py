"""The output model of the grading templates (``score-<criterion>``): one grade and its reason.

Written for the model, like the other output models: the docstring and the field descriptions
end up in the JSON schema it is shown.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from copyassist.outputs.base import CopyOutput, kinds

#: The lowest and highest grade a rubric gives.
MIN_GRADE, MAX_GRADE = 1, 5
MIN_REASON_WORDS = 2


class ListingGrade(CopyOutput):
    """A grade from 1 to 5 for one criterion of a product listing, and the reason for it."""

    # a grade is not copy a shopper reads: no channel rule applies to it
    field_kinds = kinds(score="data", reason="data")
    columns = ("text",)  # run through batch as a template, a grade is one "4/5: reason" cell

    score: int = Field(
        ge=MIN_GRADE,
        le=MAX_GRADE,
        description="The grade, a whole number from 1 (poor) to 5 (excellent), as the rubric defines it",
    )
    reason: str = Field(
        min_length=1,
        max_length=300,
        description="One short sentence that says why, naming what the listing does well or lacks",
    )

    @field_validator("reason")
    @classmethod
    def _a_sentence(cls, reason: str) -> str:
        # small models answer a field's name ("text") or the criterion's ("clarity") as the reason
        if len(reason.split()) < MIN_REASON_WORDS:
            raise ValueError("the reason must be a short sentence that says why, not a single word")
        return reason

    def as_text(self, language: str = "en") -> str:
        return f"{self.score}/{MAX_GRADE}: {' '.join(self.reason.split())}"
