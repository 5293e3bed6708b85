"""One of a field's answers when several are asked for (``copyassist.variants``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copyassist.backends.base import Usage
from copyassist.outputs import CopyOutput
from copyassist.rules.base import Violation


@dataclass
class Candidate:
    """One of a field's answers: the chosen one (the copy) or one kept beside it."""

    number: int  # 1..N, in the order the backend gave them
    raw: str
    output: CopyOutput | None
    status: str  # the chosen one's status after its re-asks; the others' as they came
    violations: list[Violation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    chosen: bool = False
    problem: str = ""  # why there is no output
    cost: float | None = None  # filled in by the pipeline, which knows the prices

    def text(self, language: str) -> str:
        return self.output.as_text(language) if self.output is not None else ""

    def to_dict(self, language: str) -> dict[str, Any]:
        return {
            "number": self.number,
            "chosen": self.chosen,
            "status": self.status,
            "violations": [v.as_dict() for v in self.violations],
            "output": self.output.model_dump(mode="json") if self.output is not None else None,
            "text": self.text(language),
            "problem": self.problem,
            "usage": {"input_tokens": self.usage.input_tokens, "output_tokens": self.usage.output_tokens},
            "cost_usd": self.cost,
        }
