"""A backend that answers from the answers collected from batch files, and calls nothing.

Once every row is settled, the output is written by the ordinary batch run with this backend:
rows settled are answered from the store, and the rows whose requests failed are replayed to
the same failure, so the output, the report and the exit code are a live run's. What it returns
costs nothing more: the answers were paid for, and counted, when they were collected.
"""

from __future__ import annotations

from copyassist.backends.base import Backend, Completion, Prompt, StructuredMode, Usage
from copyassist.backends.retry import RetryPolicy
from copyassist.remote.answers import BatchLineError, as_call_result
from copyassist.remote.requests import custom_id, request_body
from copyassist.remote.tables import RemoteTables


class CollectedAnswers:
    """``inner``'s name, model and requests; answers from ``tables`` only."""

    def __init__(self, inner: Backend, tables: RemoteTables) -> None:
        self.inner = inner
        self.tables = tables
        self.name = inner.name
        self.model = inner.model

    @property
    def structured_mode(self) -> StructuredMode:
        return self.inner.structured_mode

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        known = self.tables.get(custom_id(request_body(self.inner, prompt)))
        if known is None or known.state != "answered" or known.answer is None:
            raise BatchLineError("no answer collected for this request yet; run the same command again")
        answer = {**known.answer, "input_tokens": 0, "output_tokens": 0}  # paid when collected
        result = as_call_result(answer, self.model)
        if isinstance(result, Exception):
            raise result
        return Completion(result.text, result.model, Usage(), result.finish_reason)

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.complete(prompt)

    def close(self) -> None:
        """Nothing of its own: the inner backend is its owner's to close."""

    async def aclose(self) -> None:
        """As ``close``."""
