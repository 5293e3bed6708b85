"""Review before publish: a batch run's rows, the reviewer's decisions, and the export.

``ReviewSession`` (``session``) pages a run's rows from the store and records approve, reject,
edit, revert and regenerate; ``export`` writes the feed back with the approved copy.
"""

from __future__ import annotations

from copyassist.review.checking import Flag
from copyassist.review.session import Decision, Facets, Page, ReviewRow, ReviewSession

__all__ = ["Decision", "Facets", "Flag", "Page", "ReviewRow", "ReviewSession"]
