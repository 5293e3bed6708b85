"""Market-study and marketing-plan drafts: one template per section, one document.

Each section is its own generation (with its own re-asks); a section that fails is reported in
the document and the others are kept. Nothing the model writes is passed off as fact: the
document opens with a warning, every figure, percentage, amount or cited study in the text is
marked "to verify", and a table of them closes the document (see ``drafts.document``).

``max_cost`` caps what a study spends as in bulk mode (``budget.CostCap``): a call is sent only
when its worst case still fits. ``estimate_study`` is the dry run: what a study costs at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copyassist import errors
from copyassist.attempts import worst_case_tokens
from copyassist.backends import Backend, Usage, build_request, estimating_backend, get_backend
from copyassist.budget import CappedBackend, CostCap, prompt_tokens_at_most
from copyassist.drafts.document import SECTIONS, SectionResult, StudyResult
from copyassist.feeds import read_rows
from copyassist.i18n import localized
from copyassist.option_names import accepted_by
from copyassist.persona import Persona, load_persona
from copyassist.pipeline import generate, prepare
from copyassist.prices import estimate_cost
from copyassist.product import Product
from copyassist.product_language import choose_language
from copyassist.results import CopyResult
from copyassist.templates import load_template
from copyassist.tokens import count_message_tokens

#: Sections written from the text of the others, after them.
_FROM_OTHERS = ("swot", "summary")
MAX_CATALOGUE_ROWS = 300
#: what a section's heading adds to the text handed to the sections written from the others
_HEADING_TOKENS = 20
#: errors after which no further section can be written
_FATAL = (errors.AuthenticationError, errors.QuotaExceededError, errors.ConfigError, errors.CostCapReached)

TITLES: dict[str, dict[str, str]] = {
    "summary": {"en": "Executive summary", "fr": "Synthèse"},
    "trends": {"en": "Market trends", "fr": "Tendances du marché"},
    "behaviour": {"en": "Customer behaviour and purchase drivers", "fr": "Comportements et moteurs d'achat"},
    "demographics": {"en": "Target demographics", "fr": "Cibles démographiques"},
    "benchmark": {"en": "Competitive benchmark", "fr": "Benchmark concurrentiel"},
    "opportunities": {"en": "Opportunities", "fr": "Opportunités"},
    "swot": {"en": "SWOT", "fr": "SWOT"},
    "channels": {"en": "Marketing channels", "fr": "Canaux marketing"},
    "content": {"en": "Content strategy", "fr": "Stratégie de contenu"},
    "ugc": {"en": "User-generated content", "fr": "Contenus générés par les clients"},
    "affiliation": {"en": "Affiliation", "fr": "Affiliation"},
    "influencers": {"en": "Influencers", "fr": "Influenceurs"},
}

#: Why a section was not written, in the study's language.
MISSING: dict[str, dict[str, str]] = {
    "catalogue": {
        "en": "needs a competitor catalogue: competitor_catalogue=FILE",
        "fr": "il faut le catalogue d'un concurrent : competitor_catalogue=FICHIER",
    },
    "persona": {
        "en": "needs a persona: personas=[NAME]",
        "fr": "il faut un persona : personas=[NOM]",
    },
    "others": {"en": "no other section was written", "fr": "aucune autre section n'a été rédigée"},
    "stopped": {"en": "not written: {reason}", "fr": "non rédigée : {reason}"},
}


def catalogue_text(path: str | Path, limit: int = MAX_CATALOGUE_ROWS) -> str:
    """A competitor's catalogue (CSV/JSONL/JSON) as lines the opportunities section can read."""
    lines = []
    for row in read_rows(path):
        if row.error or not row.data:
            continue
        values = [str(v).strip() for v in row.data.values() if str(v or "").strip()]
        lines.append("- " + " | ".join(values)[:300])
        if len(lines) >= limit:
            break
    if not lines:
        raise errors.InputError(f"{path}: the competitor catalogue holds no readable rows")
    return "\n".join(lines)


def _persona_label(persona: str | Path | Persona) -> tuple[str, Persona]:
    loaded = persona if isinstance(persona, Persona) else load_persona(persona)
    return loaded.slug or loaded.name, loaded


def _choose(sections: Iterable[str] | None) -> list[str]:
    chosen = list(sections) if sections else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise errors.InputError(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return [s for s in SECTIONS if s in chosen]  # always in document order


@dataclass
class _Planned:
    """One section of a study to write, or why it cannot be."""

    key: str
    persona: tuple[str, Persona] | None = None
    text: str | None = None  # the catalogue, for opportunities
    missing: str | None = None  # a key of MISSING: the section is reported, not written
    from_others: bool = False  # written from the text of the sections before it


def _plan(keys: list[str], loaded: list[tuple[str, Persona]], catalogue: str | None) -> list[_Planned]:
    """The sections in the order they are written: those from the others last."""
    planned: list[_Planned] = []
    for key in keys:
        per_persona = SECTIONS[key][1]
        if key in _FROM_OTHERS:
            continue
        if key == "opportunities" and catalogue is None:
            planned.append(_Planned(key, missing="catalogue"))
        elif per_persona and not loaded:
            planned.append(_Planned(key, missing="persona"))
        elif per_persona:
            planned.extend(_Planned(key, persona) for persona in loaded)
        else:
            planned.append(_Planned(key, text=catalogue if key == "opportunities" else None))
    planned.extend(_Planned(key, from_others=True) for key in _FROM_OTHERS if key in keys)
    return planned


@dataclass(frozen=True)
class StudyEstimate:
    """What a study would cost at most, from ``estimate_study``: nothing is called."""

    sections: int  # generations to make
    input_tokens: int  # at most: every attempt made, each re-ask at its longest
    output_tokens: int  # at most: max_tokens per attempt
    cost: float | None
    model: str
    tokens_exact: bool


class _Setup:
    """What ``study`` and ``estimate_study`` both work out from their arguments."""

    def __init__(
        self, category: str | None, product: Product | Mapping[str, Any] | None, brand: str | None,
        offer: str | None, location: str | None, competitors: Sequence[str],
        competitor_catalogue: str | Path | None, personas: Sequence[str | Path | Persona],
        sections: Iterable[str] | None, language: str | None,
    ) -> None:  # fmt: skip
        if product is not None and not isinstance(product, Product):
            product = Product.from_mapping(product)
        data = product.model_dump(exclude_defaults=True) if product else None
        self.language = choose_language(data, language).language
        found = category or (product.category if product else None) or (product.title if product else None)
        if not found:
            raise errors.InputError(
                "a study needs a product category: category='montres connectées'"
            ).with_hint("category")
        self.category: str = found
        self.subject = product or Product(title=found, category=found, brand=brand)
        loaded = [_persona_label(p) for p in personas]
        catalogue = catalogue_text(competitor_catalogue) if competitor_catalogue else None
        self.planned = _plan(_choose(sections), loaded, catalogue)
        self.shared: dict[str, Any] = {
            "category": found, "brand": brand, "location": location, "objective": offer,
            "competitors": list(competitors) or None,
        }  # fmt: skip

    def inputs_of(self, template: str, language: str) -> dict[str, Any]:
        """The shared inputs a section's template takes (each declares those it uses)."""
        return accepted_by(load_template(template, language), self.shared)


def estimate_study(
    category: str | None = None,
    product: Product | Mapping[str, Any] | None = None,
    *,
    brand: str | None = None,
    offer: str | None = None,
    location: str | None = None,
    language: str | None = None,
    competitors: Sequence[str] = (),
    competitor_catalogue: str | Path | None = None,
    personas: Sequence[str | Path | Persona] = (),
    sections: Iterable[str] | None = None,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    max_attempts: int = 3,
) -> StudyEstimate:
    """The dry run of ``study`` (same arguments): tokens and cost at most; calls nothing.

    A section written from the others is counted with all their answers at ``max_tokens``."""
    setup = _Setup(category, product, brand, offer, location, competitors, competitor_catalogue,
                   personas, sections, language)  # fmt: skip
    language = setup.language
    # priced as the study would send it, with no key needed: nothing is sent
    chosen = backend or estimating_backend(provider, model=model) or get_backend(provider, model=model)
    total, exact, count, written = Usage(), True, 0, 0
    for planned in setup.planned:
        if planned.missing:
            continue
        template, _ = SECTIONS[planned.key]
        prepared = prepare(template, setup.subject, language=language,
                           persona=planned.persona[1] if planned.persona else None,
                           text="-" if planned.from_others else planned.text,
                           **setup.inputs_of(template, language))  # fmt: skip
        sent = build_request(prepared.prompt, chosen.structured_mode).messages
        exact = exact and count_message_tokens(sent, chosen.model).exact
        prompt = prompt_tokens_at_most(sent, chosen.model) + (written if planned.from_others else 0)
        max_tokens = int(prepared.params.get("max_tokens") or 0)
        total = total + worst_case_tokens(prompt, max_tokens, max_attempts, prepared.template.language)
        written += max_tokens + _HEADING_TOKENS
        count += 1
    local = chosen.name == "local"
    cost = 0.0 if local else estimate_cost(chosen.model, total.input_tokens, total.output_tokens)
    return StudyEstimate(count, total.input_tokens, total.output_tokens, cost, chosen.model, exact)


def study(
    category: str | None = None,
    product: Product | Mapping[str, Any] | None = None,
    *,
    brand: str | None = None,
    offer: str | None = None,
    location: str | None = None,
    language: str | None = None,
    competitors: Sequence[str] = (),
    competitor_catalogue: str | Path | None = None,
    personas: Sequence[str | Path | Persona] = (),
    sections: Iterable[str] | None = None,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    max_attempts: int = 3,
    max_cost: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> StudyResult:
    """Draft a market study and marketing plan for a category (or a product's category).

    With ``max_cost`` (USD), no call is sent that could cross it; the sections it leaves out
    say so, and those written are kept."""
    setup = _Setup(category, product, brand, offer, location, competitors, competitor_catalogue,
                   personas, sections, language)  # fmt: skip
    language = setup.language
    chosen_backend = backend or get_backend(provider, model=model)
    caller = chosen_backend if max_cost is None else CappedBackend(chosen_backend, CostCap(max_cost))
    results: dict[tuple[str, str | None], SectionResult] = {}
    fatal: str | None = None

    def spent(usage: object) -> tuple[Usage, float | None]:
        if not isinstance(usage, Usage):
            return Usage(), 0.0
        if chosen_backend.name == "local":
            return usage, 0.0
        return usage, estimate_cost(chosen_backend.model, usage.input_tokens, usage.output_tokens)

    def run(planned: _Planned, text: str | None) -> None:
        nonlocal fatal
        key, persona = planned.key, planned.persona
        result = SectionResult(key, localized(TITLES[key], language), persona[0] if persona else None)
        results[(key, result.persona)] = result
        if fatal:
            result.error = localized(MISSING["stopped"], language).format(reason=fatal)
            return
        if progress:
            progress(result.title + (f" ({result.persona})" if result.persona else ""))
        template, _ = SECTIONS[key]
        try:
            generated: CopyResult = generate(
                template, setup.subject, backend=caller, language=language, max_attempts=max_attempts,
                persona=persona[1] if persona else None, text=text, **setup.inputs_of(template, language),
            )  # fmt: skip
        except _FATAL as exc:
            fatal = str(exc)
            result.error = fatal
            result.usage, result.cost = spent(exc.usage)
        except errors.CopyAssistError as exc:
            result.error = str(exc)
            result.usage, result.cost = spent(exc.usage)  # the failed section's answers were paid
        else:
            result.output, result.status = generated.output, generated.status
            result.usage, result.cost = generated.usage, generated.cost

    def written_so_far() -> str:
        parts = [f"## {r.title}\n{r.text(language)}" for r in results.values() if r.output is not None]
        return "\n\n".join(parts)

    for planned in setup.planned:
        title = localized(TITLES[planned.key], language)
        if planned.missing:
            error = localized(MISSING[planned.missing], language)
            results[(planned.key, None)] = SectionResult(planned.key, title, error=error)
        elif not planned.from_others:
            run(planned, planned.text)
        elif so_far := written_so_far():
            run(planned, so_far)
        else:
            error = localized(MISSING["others"], language)
            results[(planned.key, None)] = SectionResult(planned.key, title, error=error)
    ordered = sorted(results.values(), key=lambda r: list(SECTIONS).index(r.key))
    usage = sum((r.usage for r in ordered), Usage())
    costs = [r.cost for r in ordered]
    total_cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    return StudyResult(setup.category, brand, language, chosen_backend.model, ordered, usage, total_cost)
