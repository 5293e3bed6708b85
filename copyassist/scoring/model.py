"""What a grade is, as every part of scoring hands it on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """One criterion's grade of one listing: ``score`` 1 to 5, or None with ``error`` saying why
    it could not be graded. Tokens and cost are those the grade took when it was made; a grade
    ``cached`` from the store cost nothing this time."""

    criterion: str
    score: int | None
    reason: str = ""
    language: str | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    cached: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "criterion": self.criterion,
            "score": self.score,
            "reason": self.reason,
            "language": self.language,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost,
            "cached": self.cached,
            "error": self.error,
        }
