"""What the parts of a batch hand each other: rows read from a feed, and what was written for
them. Readers make ``FeedRow``s, the runner turns each into a ``RowOutcome``, writers write
outcomes in input order."""

from __future__ import annotations

from dataclasses import dataclass, field

from copyassist.batch.candidates import StoredCandidate
from copyassist.batch.store_records import StoredResult
from copyassist.feeds import FeedRow
from copyassist.scoring.model import Score
from copyassist.status import Status


@dataclass
class RowOutcome:
    """What the run produced for one row; a writer turns it into an output row."""

    row: FeedRow
    fields: dict[str, str] = field(default_factory=dict)  # column (CopyOutput.columns) -> text
    status: str = Status.SKIPPED
    template: str | None = None
    template_version: int | None = None
    persona: str | None = None
    model: str | None = None
    violations: list[str] = field(default_factory=list)  # "rule: message" lines
    error: str | None = None
    cached: bool = False
    scores: list[Score] = field(default_factory=list)  # model grades, with --score (never the status)
    #: a listing's fields (batch.listing), one outcome per template in order; ``fields``,
    #: ``status`` and ``violations`` above are then the whole row's (the worst field's status)
    field_outcomes: list[RowOutcome] = field(default_factory=list)
    #: with variants: every candidate of this row's copy (of this field's, in a listing)
    candidates: list[StoredCandidate] = field(default_factory=list)


def from_stored(base: RowOutcome, stored: StoredResult, cached: bool = True) -> RowOutcome:
    """``base`` filled with a stored result's copy, status and violations."""
    base.fields = dict(stored.fields)
    base.status = stored.status
    base.violations = list(stored.violations)
    base.model = stored.model or base.model
    base.cached = cached
    return base
