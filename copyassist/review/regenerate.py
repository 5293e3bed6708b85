"""One row written again for a reviewer: the run's template, persona, channel and options, with
the reviewer's note ("shorter", "mention the warranty") sent to the model as an instruction in
the row's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from copyassist.backends import Backend, Completion, Prompt
from copyassist.backends.base import StructuredMode
from copyassist.backends.retry import RetryPolicy
from copyassist.i18n import localized
from copyassist.listing import ListingResult, generate_listing
from copyassist.pipeline import generate
from copyassist.results import CopyResult
from copyassist.review.checking import Checker

_NOTE = {
    "en": "A reviewer read an earlier version of this copy and asks for this change: {note}\n"
    "Follow it, and keep to every other instruction above.",
    "fr": "Un relecteur a lu une version précédente de ce texte et demande ce changement : {note}\n"
    "Appliquez-le en respectant toutes les autres consignes ci-dessus.",
}


class NotedBackend:
    """A backend whose every request carries the reviewer's note as a last user message."""

    def __init__(self, backend: Backend, note: str, language: str) -> None:
        self.backend = backend
        self.name = backend.name
        self.model = backend.model
        self.message = {"role": "user", "content": localized(_NOTE, language).format(note=note.strip())}

    @property
    def structured_mode(self) -> StructuredMode:
        return self.backend.structured_mode

    def _noted(self, prompt: Prompt) -> Prompt:
        return dataclasses.replace(prompt, messages=[*prompt.messages, self.message])

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.backend.complete(self._noted(prompt), retry=retry)

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return await self.backend.acomplete(self._noted(prompt), retry=retry)

    def close(self) -> None:
        self.backend.close()

    async def aclose(self) -> None:
        await self.backend.aclose()


def regenerate_copy(
    checker: Checker, product: Mapping[str, Any], row_language: str | None, note: str, backend: Backend
) -> CopyResult | ListingResult:
    """One generation (repairs included) for ``product`` with the run's settings and ``note``;
    a listing run's row: its whole listing again, every field in order."""
    settings = checker.settings
    template = checker.template_for(product, row_language)
    caller: Backend = NotedBackend(backend, note, template.language) if note.strip() else backend
    if settings.listing:
        names = [found[template.language].name for found in settings.listing]
        return generate_listing(names, dict(product), backend=caller, max_attempts=settings.max_attempts,
                                language=template.language, persona=settings.persona,
                                channel=settings.channel, params=settings.params,
                                **settings.options)  # fmt: skip
    return generate(template, dict(product), backend=caller, max_attempts=settings.max_attempts,
                    persona=settings.persona, channel=settings.channel, params=settings.params,
                    **settings.options)  # fmt: skip
