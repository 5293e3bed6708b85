"""One listing graded on every criterion asked, each in the listing's own language.

A grade is one call of the criterion's template (``score-<criterion>``) through the pipeline,
so a malformed answer or a grade out of 1..5 is sent back once to be repaired, like any
output, and its tokens and cost are counted. Grades already in the store are reused, and a
grade asked for twice at once (two rows with the same listing) is made once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from copyassist import errors
from copyassist.backends import Backend, Usage
from copyassist.batch.store import Store
from copyassist.errors import TemplateError, one_line
from copyassist.outputs.score import ListingGrade
from copyassist.persona import Persona, load_persona
from copyassist.pipeline import agenerate
from copyassist.prices import estimate_cost
from copyassist.product import Product
from copyassist.product_language import choose_language
from copyassist.rules.profiles import load_profile
from copyassist.scoring.criteria import detection_data, listing_text, require_persona, template_name
from copyassist.scoring.model import Score
from copyassist.scoring.store import ScoreStore
from copyassist.templates import Template, load_template, template_languages

#: calls per grade at most: the answer and one repair
DEFAULT_GRADE_ATTEMPTS = 2
#: Errors after which no further grade can be made: the caller stops grading.
STOPPING = (errors.CostCapReached, errors.AuthenticationError, errors.QuotaExceededError)


def listing_key(listing: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """The result key of a listing graded as it is (not a batch row): its copy and its data."""
    return Store.result_key(template="listing", template_version=None, persona=None,
                            product={"copy": dict(listing), "data": dict(data)}, model=None,
                            params=None, channel=None, language=None)  # fmt: skip


class Grader:
    """Grades listings on ``criteria`` with ``backend``; ``store`` (optional) keeps the grades.

    ``language`` forces the grading language (else the channel's, else each listing's own);
    ``limit`` bounds the grading calls in flight (a batch passes its own call semaphore)."""

    def __init__(
        self,
        criteria: Iterable[str],
        backend: Backend,
        *,
        store: ScoreStore | None = None,
        persona: str | Path | Persona | None = None,
        channel: str | None = None,
        keywords: Iterable[str] = (),
        language: str | None = None,
        max_attempts: int = DEFAULT_GRADE_ATTEMPTS,
        use_cache: bool = True,
        prompts_dirs: Iterable[str | Path] = (),
        personas_dirs: Iterable[str | Path] = (),
        limit: asyncio.Semaphore | None = None,
    ) -> None:
        self.criteria = tuple(criteria)
        self.backend = backend
        self.store = store
        self.channel = channel
        self.keywords = list(keywords)
        self.max_attempts = max_attempts
        self.use_cache = use_cache
        self.prompts_dirs = list(prompts_dirs)
        self._persona = load_persona(persona, personas_dirs) if isinstance(persona, str | Path) else persona
        profile = load_profile(channel) if channel else None
        self._forced = language or (profile.language if profile is not None else None)
        self._limit = limit or asyncio.Semaphore(8)
        self._pending: dict[tuple[str, str, str], asyncio.Future[Score]] = {}
        self._templates: dict[tuple[str, str], Template] = {}
        require_persona(self.criteria, self._persona, self.prompts_dirs)
        for criterion in self.criteria:  # a template that cannot grade fails before any call
            languages = template_languages(template_name(criterion), self.prompts_dirs)
            template = self.template_for(criterion, self._forced or languages[0])
            if template.output_model is not ListingGrade:
                raise TemplateError(f"{template.path}: a grading template's output is ListingGrade")

    @property
    def persona_name(self) -> str | None:
        return None if self._persona is None else self._persona.slug or self._persona.name

    def template_for(self, criterion: str, language: str) -> Template:
        key = (criterion, language)
        if key not in self._templates:
            self._templates[key] = load_template(template_name(criterion), language, self.prompts_dirs)
        return self._templates[key]

    def language_for(self, criterion: str, listing: Mapping[str, str], declared: str | None = None) -> str:
        """The language a listing is graded in: forced, else the one it states or is written in."""
        available = template_languages(template_name(criterion), self.prompts_dirs)
        return choose_language(detection_data(listing), self._forced, available, declared).language

    def grader_key(self, template: Template) -> str:
        """What shapes a grade besides the listing, hashed."""
        return Store.result_key(
            template=template.name, template_version=template.meta.version, persona=self.persona_name,
            product={}, model=f"{self.backend.name}:{self.backend.model}",
            params={"keywords": self.keywords, "attempts": self.max_attempts}, channel=self.channel,
            language=template.language,
        )  # fmt: skip

    async def grade(
        self,
        listing: Mapping[str, str],
        product: Mapping[str, Any],
        result_key: str,
        *,
        language: str | None = None,
        declared: str | None = None,
    ) -> list[Score]:
        """The listing's grade on every criterion, in order. A grade that cannot be made is a
        Score with an error; a STOPPING error (a spending cap, a refused key) is raised."""
        grades = [
            self._grade_once(c, listing, product, result_key, language, declared) for c in self.criteria
        ]
        return list(await asyncio.gather(*grades))

    async def _grade_once(
        self, criterion: str, listing: Mapping[str, str], product: Mapping[str, Any], result_key: str,
        language: str | None, declared: str | None,
    ) -> Score:  # fmt: skip
        template = self.template_for(criterion, language or self.language_for(criterion, listing, declared))
        grader = self.grader_key(template)
        if self.use_cache and self.store is not None:
            stored = self.store.get(result_key, criterion, grader)
            if stored is not None:
                return stored
        pending = self._pending.get((result_key, criterion, grader))
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Score] = asyncio.get_running_loop().create_future()
        self._pending[(result_key, criterion, grader)] = future
        try:
            score = await self._call(criterion, template, listing, product)
            if self.store is not None and score.score is not None:
                self.store.put(result_key, grader, score)
            future.set_result(score)
            return score
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody may be waiting for it
            raise
        finally:
            del self._pending[(result_key, criterion, grader)]

    async def _call(
        self, criterion: str, template: Template, listing: Mapping[str, str], product: Mapping[str, Any]
    ) -> Score:
        language = template.language
        async with self._limit:
            try:
                result = await agenerate(
                    template, Product.from_mapping(product, "listing"), backend=self.backend,
                    max_attempts=self.max_attempts, persona=self._persona, channel=self.channel,
                    text=listing_text(listing, language), keywords=self.keywords or None,
                )  # fmt: skip
            except STOPPING:
                raise
            except errors.CopyAssistError as exc:
                return self._failed(criterion, language, exc)
        output = result.output
        assert isinstance(output, ListingGrade)  # checked when the grader was made
        return Score(
            criterion, output.score, " ".join(output.reason.split()), language, result.model,
            result.usage.input_tokens, result.usage.output_tokens, result.cost,
        )  # fmt: skip

    def _failed(self, criterion: str, language: str, exc: errors.CopyAssistError) -> Score:
        """A grade that did not come out, with what its calls still cost."""
        spent = exc.usage if isinstance(exc.usage, Usage) else Usage()
        model = self.backend.model
        local = self.backend.name == "local"
        cost = 0.0 if local else estimate_cost(model, spent.input_tokens, spent.output_tokens)
        return Score(criterion, None, "", language, model, spent.input_tokens, spent.output_tokens, cost,
                     error=one_line(exc))  # fmt: skip
