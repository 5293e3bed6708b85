"""What the parts of a batch hand each other: rows read from a feed, and what was written for
them. Readers make ``FeedRow``s, the runner turns each into a ``RowOutcome``, writers write
outcomes in input order."""

from __future__ import annotations

from dataclasses import dataclass, field

from copyassist.feeds import FeedRow

#: Output field names a writer knows, from the output models: ProductTitle.title -> "title",
#: ProductDescription -> "description" (+ "headline", "call_to_action"), Bullets -> "bullets"
#: (joined one per line), SeoOutput -> "seo_title", "meta_description", "keywords" (joined with
#: ", "), frameworks -> "text", FaqOutput -> "faq" (Q/A lines).
OUTPUT_FIELDS = (
    "title", "headline", "description", "call_to_action", "bullets", "seo_title",
    "meta_description", "keywords", "text", "faq",
)  # fmt: skip


@dataclass
class RowOutcome:
    """What the run produced for one row; a writer turns it into an output row."""

    row: FeedRow
    fields: dict[str, str] = field(default_factory=dict)  # OUTPUT_FIELDS name -> text
    status: str = "skipped"  # ok | repaired | flagged | fallback | failed | skipped
    template: str | None = None
    template_version: int | None = None
    persona: str | None = None
    model: str | None = None
    violations: list[str] = field(default_factory=list)  # "rule: message" lines
    error: str | None = None
    cached: bool = False
