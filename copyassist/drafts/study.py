"""Market-study and marketing-plan drafts: one template per section, one document.

Each section is its own generation (with its own re-asks); a section that fails is reported in
the document and the others are kept. Nothing the model writes is passed off as fact: the
document opens with a warning, every figure, percentage, amount or cited study in the text is
marked "to verify", and a table of them closes the document (see ``drafts.document``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from copyassist import errors
from copyassist.backends import Backend, Usage, get_backend
from copyassist.drafts.document import SECTIONS, SectionResult, StudyResult
from copyassist.feeds import read_rows
from copyassist.i18n import localized
from copyassist.persona import Persona, load_persona
from copyassist.pipeline import CopyResult, generate
from copyassist.product import Product
from copyassist.product_language import choose_language

#: Sections written from the text of the others, after them.
_FROM_OTHERS = ("swot", "summary")
MAX_CATALOGUE_ROWS = 300

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
    progress: Callable[[str], None] | None = None,
) -> StudyResult:
    """Draft a market study and marketing plan for a category (or a product's category)."""
    if product is not None and not isinstance(product, Product):
        product = Product.from_mapping(product)
    category = category or (product.category if product else None) or (product.title if product else None)
    if not category:
        raise errors.InputError("a study needs a product category: category='montres connectées'").with_hint(
            "category"
        )
    data = product.model_dump(exclude_defaults=True) if product else None
    language = choose_language(data, language).language
    chosen_backend = backend or get_backend(provider, model=model)
    subject = product or Product(title=category, category=category, brand=brand)
    loaded = [_persona_label(p) for p in personas]
    catalogue = catalogue_text(competitor_catalogue) if competitor_catalogue else None
    keys = _choose(sections)
    shared: dict[str, Any] = {"category": category, "brand": brand, "location": location, "objective": offer,
              "competitors": list(competitors) or None}  # fmt: skip
    results: dict[tuple[str, str | None], SectionResult] = {}
    fatal: str | None = None

    def run(key: str, persona: tuple[str, Persona] | None, text: str | None = None) -> None:
        nonlocal fatal
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
                template, subject, backend=chosen_backend, language=language, max_attempts=max_attempts,
                persona=persona[1] if persona else None, text=text, **shared,
            )  # fmt: skip
        except (errors.AuthenticationError, errors.QuotaExceededError, errors.ConfigError) as exc:
            fatal = str(exc)
            result.error = fatal
        except errors.CopyAssistError as exc:
            result.error = str(exc)
        else:
            result.output, result.status = generated.output, generated.status
            result.usage, result.cost = generated.usage, generated.cost

    def written_so_far() -> str:
        parts = [f"## {r.title}\n{r.text(language)}" for r in results.values() if r.output is not None]
        return "\n\n".join(parts)

    for key in keys:
        per_persona = SECTIONS[key][1]
        if key in _FROM_OTHERS:
            continue
        if key == "opportunities" and catalogue is None:
            results[(key, None)] = SectionResult(
                key,
                localized(TITLES[key], language),
                error=localized(MISSING["catalogue"], language),
            )
        elif per_persona and not loaded:
            results[(key, None)] = SectionResult(
                key, localized(TITLES[key], language), error=localized(MISSING["persona"], language)
            )
        elif per_persona:
            for persona in loaded:
                run(key, persona)
        else:
            run(key, None, catalogue if key == "opportunities" else None)
    for key in _FROM_OTHERS:
        if key in keys:
            so_far = written_so_far()
            if so_far:
                run(key, None, so_far)
            else:
                results[(key, None)] = SectionResult(
                    key, localized(TITLES[key], language), error=localized(MISSING["others"], language)
                )
    ordered = sorted(results.values(), key=lambda r: list(SECTIONS).index(r.key))
    usage = sum((r.usage for r in ordered), Usage())
    costs = [r.cost for r in ordered]
    total_cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    return StudyResult(category, brand, language, chosen_backend.model, ordered, usage, total_cost)
