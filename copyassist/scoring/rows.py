"""The batch runner's hook: each generated row graded once it is validated and stored.

A grade never changes a row's status, its output or the run's exit code; a grade that cannot be
made is left out (and tried again on the next run). A spending cap or a refused key reached while
grading stops the run as it would stop generating. Grades are counted in the run's tokens and cost.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from copyassist.backends import Backend, Usage
from copyassist.batch.model import RowOutcome
from copyassist.batch.store import Store
from copyassist.errors import one_line
from copyassist.scoring.grader import STOPPING, Grader
from copyassist.scoring.store import ScoreStore
from copyassist.status import Status


class RunTotals(Protocol):
    """What the hook counts into: the run's totals (``batch.runner.BatchTotals``)."""

    usage: Usage
    cost: float
    unknown_cost: bool
    stopped: str | None


logger = logging.getLogger(__name__)


class RowGrader:
    """Grades the rows of batch run ``run_id`` and records them against it."""

    def __init__(
        self,
        criteria: Iterable[str],
        backend: Backend,
        store: Store,
        run_id: int,
        totals: RunTotals,
        *,
        persona: str | None = None,
        channel: str | None = None,
        use_cache: bool = True,
        limit: asyncio.Semaphore | None = None,
        personas_dirs: Iterable[str | Path] = (),
    ) -> None:
        self.scores = ScoreStore(store)
        self.grader = Grader(criteria, backend, store=self.scores, persona=persona, channel=channel,
                             use_cache=use_cache, limit=limit, personas_dirs=personas_dirs)  # fmt: skip
        self.run_id = run_id
        self.totals = totals

    async def grade(self, outcome: RowOutcome, result_key: str, language: str) -> None:
        """Grade a row the run wrote copy for (a failed or skipped row has none), in the
        language it was written in; the grades go to ``outcome.scores`` and the store."""
        if outcome.status in (Status.FAILED, Status.SKIPPED) or not outcome.fields or self.totals.stopped:
            return
        try:
            await self._grade(outcome, result_key, language)
        except STOPPING as exc:
            self.totals.stopped = self.totals.stopped or f"grading stopped: {exc}"
        except (sqlite3.Error, OSError) as exc:  # the row is stored already: stop, keep it
            self.totals.stopped = (
                self.totals.stopped or f"the result store cannot be written ({one_line(exc)})"
            )
        except Exception:  # a grade is optional: whatever went wrong, the row stands as generated
            logger.debug("row %d: grading failed", outcome.row.number, exc_info=True)

    async def _grade(self, outcome: RowOutcome, result_key: str, language: str) -> None:
        product = outcome.row.product or {}
        scores = await self.grader.grade(outcome.fields, product, result_key, language=language)
        graders = {
            c: self.grader.grader_key(self.grader.template_for(c, language)) for c in self.grader.criteria
        }
        for position, score in enumerate(scores):
            if score.score is not None:
                self.scores.record_row(self.run_id, outcome.row.number, result_key, graders[score.criterion],
                                       score.criterion, position)  # fmt: skip
            if not score.cached:
                self.totals.usage = self.totals.usage + Usage(score.input_tokens, score.output_tokens)
                if score.cost is None:
                    self.totals.unknown_cost = True
                else:
                    self.totals.cost += score.cost
        outcome.scores = scores
