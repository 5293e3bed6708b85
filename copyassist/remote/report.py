"""What one ``remote_batch`` step did: ``RemoteReport``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from copyassist.batch.api import BatchSummary
from copyassist.remote.plan import PlanCounts
from copyassist.remote.tables import RemoteBatch

__all__ = ["RemoteReport"]


@dataclass
class RemoteReport:
    run_id: int
    counts: PlanCounts
    open_batches: list[RemoteBatch] = field(default_factory=list)  # still to submit or collect
    submitted: list[RemoteBatch] = field(default_factory=list)  # by this call
    collected: list[RemoteBatch] = field(default_factory=list)  # by this call
    export_path: Path | None = None
    exported: int = 0  # requests written to export_path
    imported: int = 0  # answers read from the results file
    held_back: int = 0  # requests not sent: they would cross max_cost
    repaired_live: int = 0
    unsent: int = 0  # re-asks neither exported nor made live (import without either)
    summary: BatchSummary | None = None  # the output run, once every row is settled
    model: str = ""  # the model named in the requests

    @property
    def settled(self) -> bool:
        return self.summary is not None
