"""What became of one generation or one batch row: the status names and what each one means.

The names are stored in the result store (SQLite) and written to every output file
(``copyassist_status``): never rename one. ``Status`` is a ``str`` enum, so a member compares
equal to its name and a name read back from the store counts under the same key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Status(StrEnum):
    #: Valid on the first answer.
    OK = "ok"
    #: Valid after re-asking the model with the problems listed.
    REPAIRED = "repaired"
    #: The best answer still breaks rules (warnings, or errors after the last attempt); its
    #: violations are attached and it is left for review.
    FLAGGED = "flagged"
    #: No answer passed: an output built by rules from the product's own data is offered
    #: instead, labelled as such and never passed off as model output.
    FALLBACK = "fallback"
    #: A batch row with no output: the call failed or no answer could be read.
    FAILED = "failed"
    #: A batch row no copy was asked for (a variant row, an unreadable line...).
    SKIPPED = "skipped"


#: What one generation ends with; only a batch row can also be failed or skipped.
GENERATION_STATUSES = (Status.OK, Status.REPAIRED, Status.FLAGGED, Status.FALLBACK)
#: Statuses whose copy fills a feed's target cell (Shopify ``Title``...); flagged copy still
#: breaks rules and stays in its review column.
FILL_STATUSES = frozenset({Status.OK, Status.REPAIRED, Status.FALLBACK})
#: Column heads of ``copyassist runs list``, five characters at most.
SHORT_NAMES: Mapping[Status, str] = {
    Status.OK: "ok",
    Status.REPAIRED: "rep",
    Status.FLAGGED: "flag",
    Status.FALLBACK: "fallb",
    Status.FAILED: "fail",
    Status.SKIPPED: "skip",
}

__all__ = ["FILL_STATUSES", "GENERATION_STATUSES", "SHORT_NAMES", "Status", "worst_status"]


#: How bad a status is for a whole listing row: the row takes its worst field's status.
_SEVERITY: Mapping[str, int] = {
    Status.OK: 0,
    Status.REPAIRED: 1,
    Status.FALLBACK: 2,
    Status.FLAGGED: 3,
    Status.SKIPPED: 4,
    Status.FAILED: 5,
}


def worst_status(statuses: Iterable[str]) -> Status:
    """The status of a row made of several fields: the worst of theirs (failed > skipped >
    flagged > fallback > repaired > ok); skipped with no field at all."""
    ranked = [Status(s) for s in statuses]
    return max(ranked, key=_SEVERITY.__getitem__) if ranked else Status.SKIPPED
