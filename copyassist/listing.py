"""A whole listing for one product: several templates in one pass, each field knowing the ones
written before it.

``generate_listing("listing", product)`` (a set name, ``"product-title,seo"`` or a list) runs the
templates in order through ``generate``: each field is checked by its own template's rules and
repaired on its own, and a later template that declares the ``listing`` input is given the
fields already written (column -> text: ``{"title": ..., "headline": ..., ...}``), rendered by
``_partials/listing.<lang>.j2``. A field is passed on only when its own facts were supported: an
invented figure is not handed to the next template to repeat (and, if repeated, the facts guard
flags it there too: an earlier field never supports a claim).

Column names: every field of a listing has its own output column, so two templates writing the
same column (``product-description`` and ``seo-rewrite`` both write ``description``) cannot share
a listing: ``listing_columns`` refuses them at once with a one-line ``TemplateError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copyassist.backends import Backend, Usage
from copyassist.batch.fields import output_fields
from copyassist.errors import TemplateError
from copyassist.pipeline import DEFAULT_ATTEMPTS, _backend_for, agenerate, generate
from copyassist.product import Product
from copyassist.results import CopyResult
from copyassist.rules.base import Violation
from copyassist.status import FILL_STATUSES, Status, worst_status
from copyassist.template_sets import resolve_templates
from copyassist.templates import Template, load_template, template_languages

#: The template input that carries the fields already written (``_partials/listing.<lang>.j2``).
LISTING_INPUT = "listing"
#: Rules whose violation keeps a field out of the fields passed on: its facts are not the data's.
_FACTS_RULES = ("facts.",)


def accepts_listing(template: Template) -> bool:
    """Whether ``template`` declares the ``listing`` input (so it can be given earlier fields)."""
    inputs = template.meta.inputs
    return LISTING_INPUT in inputs.optional or LISTING_INPUT in inputs.required


def passes_on(status: str, violations: Iterable[str]) -> bool:
    """Whether a written field is handed to the later templates of its listing: it has copy
    (not failed or skipped) and no claim of it was unsupported by the product data.

    ``violations`` are ``rule: message`` lines (or rule ids)."""
    if status not in (*FILL_STATUSES, Status.FLAGGED):
        return False
    return not any(str(v).startswith(_FACTS_RULES) for v in violations)


def listing_columns(templates: Mapping[str, Sequence[str]]) -> list[str]:
    """The output columns of a listing (template name -> its columns), in order; a one-line
    TemplateError when two templates write the same column."""
    owner: dict[str, str] = {}
    for name, columns in templates.items():
        for column in columns:
            if column in owner:
                raise TemplateError(
                    f"templates {owner[column]!r} and {name!r} both write the {column!r} column; "
                    "run them in separate batches"
                )
            owner[column] = name
    return list(owner)


@dataclass(frozen=True)
class ListingResult:
    """One product's listing: each field's ``CopyResult``, in the order they were written."""

    results: tuple[CopyResult, ...]

    @property
    def templates(self) -> list[str]:
        return [r.template for r in self.results]

    def __getitem__(self, template: str) -> CopyResult:
        for result in self.results:
            if result.template == template:
                return result
        raise KeyError(template)

    @property
    def status(self) -> str:
        """The worst field's status (``status.worst_status``), a ``Status`` name."""
        return worst_status(r.status for r in self.results)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for result in self.results:
            total = total + result.usage
        return total

    @property
    def cost(self) -> float | None:
        """Every field's cost summed; None when one of them is unknown."""
        costs = [r.cost for r in self.results]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    @property
    def violations(self) -> list[Violation]:
        """Every field's violations, in field order (each names its field's column)."""
        return [v for result in self.results for v in result.violations]

    @property
    def fields(self) -> dict[str, str]:
        """Every column of every field, in order (column -> text)."""
        merged: dict[str, str] = {}
        for result in self.results:
            merged.update(output_fields(result.output, result.language))
        return merged

    def to_dict(self) -> dict[str, Any]:
        usage = self.usage
        return {
            "templates": self.templates,
            "status": str(self.status),
            "fields": {r.template: r.to_dict() for r in self.results},
            "usage": {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens},
            "cost_usd": self.cost,
        }


def _written(result: CopyResult) -> dict[str, str]:
    """What a finished field hands to the later templates (nothing if its facts failed)."""
    if not passes_on(result.status, (v.rule for v in result.violations)):
        return {}
    return output_fields(result.output, result.language)


def _any_version(name: str, options: Mapping[str, Any]) -> Template:
    """The template in the language asked, else in any it has: for what every version shares
    (its output model, its inputs)."""
    dirs: Iterable[str | Path] = options.get("prompts_dirs") or ()
    if name.endswith(".j2"):
        return load_template(name, "en", dirs)
    languages = template_languages(name, dirs)
    language = options.get("language")
    chosen = str(language) if language in languages or not languages else languages[0]
    return load_template(name, chosen, dirs)


def plan_listing(templates: str | Sequence[str], options: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(template, whether it takes the ``listing`` input) for each field, in order; every name
    and the columns checked before any call."""
    names = resolve_templates(templates, options.get("prompts_dirs") or ())
    found = {name: _any_version(name, options) for name in names}
    listing_columns({name: t.output_model.columns for name, t in found.items()})
    return [(name, accepts_listing(t)) for name, t in found.items()]


def _options_for(
    chains: bool, written: dict[str, str], options: dict[str, Any], language: str | None
) -> dict[str, Any]:
    chosen = dict(options)
    if language is not None:
        chosen["language"] = language  # every field in the language the first one was written in
    if written and chains:
        chosen[LISTING_INPUT] = dict(written)
    return chosen


def generate_listing(
    templates: str | Sequence[str],
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    **options: Any,
) -> ListingResult:
    """Write every field of a listing for one product (see the module docstring); options are
    ``generate``'s, given to every template."""
    plan = plan_listing(templates, options)
    chosen = _backend_for(backend, provider, model, base_url)
    results: list[CopyResult] = []
    written: dict[str, str] = {}
    language = options.pop("language", None)
    for name, chains in plan:
        result = generate(name, product, backend=chosen, max_attempts=max_attempts,
                          **_options_for(chains, written, options, language))  # fmt: skip
        language = language or result.language
        results.append(result)
        written.update(_written(result))
    return ListingResult(tuple(results))


async def agenerate_listing(
    templates: str | Sequence[str],
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    **options: Any,
) -> ListingResult:
    """The async twin of ``generate_listing``: fields one after the other, awaiting each."""
    plan = plan_listing(templates, options)
    chosen = _backend_for(backend, provider, model, base_url)
    results: list[CopyResult] = []
    written: dict[str, str] = {}
    language = options.pop("language", None)
    for name, chains in plan:
        result = await agenerate(name, product, backend=chosen, max_attempts=max_attempts,
                                 **_options_for(chains, written, options, language))  # fmt: skip
        language = language or result.language
        results.append(result)
        written.update(_written(result))
    return ListingResult(tuple(results))
