"""What one row of a dry run would cost at most, field by field (``api.dry_run``)."""

from __future__ import annotations

from typing import Any

from copyassist.attempts import worst_case_tokens
from copyassist.backends import Backend, Usage, build_request
from copyassist.batch.runner import BatchRunner
from copyassist.budget import prompt_tokens_at_most
from copyassist.feeds import FeedRow
from copyassist.listing import LISTING_INPUT, accepts_listing, passes_on
from copyassist.option_names import accepted_by
from copyassist.pipeline import prepare
from copyassist.product import Product
from copyassist.tokens import count_message_tokens


class RowEstimator:
    """Rows of one dry run, one after the other (a row the same as an earlier one costs nothing)."""

    def __init__(self, runner: BatchRunner, backend: Backend) -> None:
        self.runner = runner
        self.backend = backend
        self._seen: set[str] = set()

    def row(self, row: FeedRow, language: str) -> list[tuple[Usage, bool]] | None:
        """(worst-case tokens, counted exactly) of each field the row would generate: none when
        all are in the store; None when the row is the same as an earlier one.

        A listing's later field is looked up in the store only when the fields before it are
        there (its key holds them); its prompt is counted without them, plus the most they can
        hold: the ``max_tokens`` of each earlier field it would be given."""
        runner, settings = self.runner, self.runner.settings
        fields = settings.listing or (settings.templates,)
        written: dict[str, str] | None = {}  # None once an earlier field is not in the store
        before = 0  # the most tokens the fields before this one can write
        estimates: list[tuple[Usage, bool]] = []
        for index, found in enumerate(fields):
            template = found[language]
            chains = accepts_listing(template) and bool(settings.listing)
            upstream = dict(written or {}) if chains else {}
            key = runner.key_for(row, template, upstream) if written is not None else None
            if index == 0 and key is not None:
                if key in self._seen:
                    return None
                self._seen.add(key)
            stored = runner.store.get(key) if key is not None and settings.use_cache else None
            if stored is not None:
                if written is not None and passes_on(stored.status, stored.violations):
                    written.update(stored.fields)
                before += int({**template.parameters, **settings.params}.get("max_tokens") or 0)
                continue
            written = None
            inputs: dict[str, Any] = {
                **accepted_by(template, settings.options),
                **({LISTING_INPUT: upstream} if upstream else {}),
            }
            prepared = prepare(template, Product.from_mapping(row.product or {}), persona=settings.persona,
                               channel=settings.channel, params=settings.params, **inputs)  # fmt: skip
            max_tokens = int(prepared.params.get("max_tokens") or 0)
            sent = build_request(
                prepared.prompt, self.backend.structured_mode
            ).messages  # as generate sends them
            exact = count_message_tokens(sent, self.backend.model).exact
            prompt = prompt_tokens_at_most(sent, self.backend.model) + (
                before if chains and not upstream else 0
            )
            estimates.append(
                (
                    worst_case_tokens(
                        prompt, max_tokens, settings.max_attempts, template.language, settings.variants
                    ),
                    exact,
                )
            )
            before += max_tokens
        return estimates
