"""What one generation gives back: the copy, its usage and cost, how it went, its timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copyassist.backends import Usage
from copyassist.candidate import Candidate
from copyassist.outputs import CopyOutput
from copyassist.rules.base import Violation

__all__ = ["CopyResult", "Timings"]


@dataclass(frozen=True)
class Timings:
    render_ms: float
    model_ms: float
    total_ms: float


@dataclass(frozen=True)
class CopyResult:
    """What one generation produced, and what it cost."""

    output: CopyOutput
    raw: str
    template: str
    template_version: int
    language: str
    persona: str | None
    provider: str
    model: str
    usage: Usage
    cost: float | None
    attempts: int
    status: str
    timings: Timings
    channel: str | None = None
    violations: list[Violation] = field(default_factory=list)
    first_pass: bool = False
    #: with status "fallback": what was wrong with the best model answer
    rejected: list[Violation] = field(default_factory=list)
    #: the first request's messages, as sent in the mode the backend settled on
    messages: list[dict[str, str]] = field(repr=False, default_factory=list)
    #: with ``variants`` > 1: every candidate, the chosen one (``output``) among them
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def copy(self) -> str:
        """The copy as a person reads it."""
        return self.output.as_text(self.language)

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "template_version": self.template_version,
            "language": self.language,
            "persona": self.persona,
            "provider": self.provider,
            "model": self.model,
            "channel": self.channel,
            "status": self.status,
            "attempts": self.attempts,
            "violations": [v.as_dict() for v in self.violations],
            "rejected": [v.as_dict() for v in self.rejected],
            "output": self.output.model_dump(mode="json"),
            "text": self.copy,
            "usage": {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
            },
            "cost_usd": self.cost,
            "timings_ms": {
                "render": round(self.timings.render_ms, 1),
                "model": round(self.timings.model_ms, 1),
                "total": round(self.timings.total_ms, 1),
            },
        } | ({"candidates": [c.to_dict(self.language) for c in self.candidates]} if self.candidates else {})
