"""What the parts of a batch hand each other: rows read from a feed, and what was written for
them. Readers make ``FeedRow``s, the runner turns each into a ``RowOutcome``, writers write
outcomes in input order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copyassist.status import Status


@dataclass
class FeedRow:
    """One input row. ``number`` is 1-based over data rows (a CSV header is row 0)."""

    number: int
    raw: dict[str, Any]  # every original column, in the input's order, values as read
    product: dict[str, Any] | None = None  # mapped product fields (Product.from_mapping input)
    language: str | None = None  # from a language column, when the feed has one
    skip: str | None = None  # why no copy is written (variant row, unreadable line...)
    error: bool = False  # True when ``skip`` is a problem to report, not a normal pass-through
    group: str | None = None  # rows of one product (Shopify Handle, WooCommerce parent)


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
