"""A batch run's settings (``BatchSettings``: what every row is written with) and running
totals (``BatchTotals``: rows by status, tokens, cost, warnings)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from copyassist.backends.base import Usage
from copyassist.product_language import LanguageChoice
from copyassist.templates import Template

__all__ = ["MAX_WARNINGS", "BatchSettings", "BatchTotals"]


@dataclass
class BatchSettings:
    templates: dict[str, Template]  # language -> template; rows in other languages use `language`
    language: str
    forced_language: str | None = None  # else each row in its own language (product_language)
    persona: str | None = None
    channel: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # tone, words, keywords... for prepare
    params: dict[str, Any] = field(default_factory=dict)  # temperature, max_tokens
    concurrency: int = 8
    max_attempts: int = 3
    max_cost: float | None = None
    use_cache: bool = True
    score: tuple[str, ...] = ()  # criteria each generated row is graded on (copyassist.scoring)
    #: a listing (several templates, batch.listing): each field's templates by language, in the
    #: order they are written, ``templates`` being the first's; empty for one template
    listing: tuple[dict[str, Template], ...] = ()
    variants: int = 1  # candidates per field (copyassist.variants), all kept (batch.candidates)


#: Reading warnings kept in ``BatchTotals.warnings``; past it they are only counted.
MAX_WARNINGS = 1000


@dataclass
class BatchTotals:
    counts: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0
    unknown_cost: bool = False
    stopped: str | None = None  # why the run stopped early, if it did
    failures: list[tuple[int, str]] = field(default_factory=list)  # failed, unreadable, skipped with an error
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (row, note): repaired bytes, merged rows
    warning_count: int = 0
    languages: Counter[LanguageChoice] = field(default_factory=Counter)  # rows written, by language
    field_counts: Counter[str] = field(default_factory=Counter)  # a listing's fields, by status

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def has_errors(self) -> bool:
        """A row failed, could not be read, or was skipped with an error (no title...)."""
        return bool(self.failures)
