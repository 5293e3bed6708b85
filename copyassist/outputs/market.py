"""Output models of the market-study templates.

market-trends, customer-behaviour, target-demographics, competitive-benchmark and opportunities.
A model's knowledge of a market is unverified, so every model here has a ``figures`` list: the
templates ask the model to restate in it any figure, percentage, market size, price or named
study it used, as a claim to check before use, and ``as_text`` prints it under its own heading.

Nested items derive from :class:`Part`, not from ``CopyOutput``, so they are not registered as
template outputs. Strings and lists carry tight maximum lengths: they bound the answer of small
local models under grammar-constrained decoding.

``as_text`` takes an optional ``language`` (``"fr"`` or ``"en"``) for its headings only.

Studies and plans are drafts for the seller, not copy a shopper reads: their fields get only the
leftover and language checks (``other_fields = "notes"``), ``figures`` none (``"data"``), and a
batch writes them as one ``text`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from copyassist.i18n import language_code, localized
from copyassist.outputs.base import CopyOutput, kinds

Name = Annotated[str, Field(max_length=80)]
Line = Annotated[str, Field(max_length=240)]
Text = Annotated[str, Field(max_length=600)]

FIGURES_DESCRIPTION = (
    "Every figure, percentage, market size, price or named study mentioned in this answer, "
    "each restated as a claim to verify before use; empty when none was used"
)
SUMMARY_DESCRIPTION = "A short synthesis of the answer, in a few sentences"

_LABELS: dict[str, dict[str, str]] = {
    "summary": {"en": "Summary", "fr": "Synthèse"},
    "figures": {"en": "Figures to verify", "fr": "Chiffres à vérifier"},
    "trends": {"en": "Trends", "fr": "Tendances"},
    "impact": {"en": "Impact for the seller", "fr": "Impact pour le vendeur"},
    "dynamics": {"en": "Market dynamics", "fr": "Dynamiques du marché"},
    "preferences": {"en": "Preferences", "fr": "Préférences"},
    "drivers": {"en": "Purchase drivers", "fr": "Leviers d'achat"},
    "how_to_use": {"en": "How to use it", "fr": "Comment l'exploiter"},
    "barriers": {"en": "Barriers to purchase", "fr": "Freins à l'achat"},
    "groups": {"en": "Target groups", "fr": "Groupes cibles"},
    "needs": {"en": "Needs", "fr": "Besoins"},
    "why_it_fits": {"en": "Why it fits", "fr": "Pourquoi le produit leur convient"},
    "offers": {"en": "Competing offers", "fr": "Offres concurrentes"},
    "selling_points": {"en": "Selling points", "fr": "Arguments de vente"},
    "pricing": {"en": "Pricing strategy", "fr": "Stratégie de prix"},
    "recommendations": {"en": "Recommendations", "fr": "Recommandations"},
    "gaps": {"en": "Gaps in the catalogue", "fr": "Manques du catalogue"},
    "evidence": {"en": "Evidence", "fr": "Indice"},
    "how_to_fill": {"en": "How to fill it", "fr": "Comment le combler"},
    "usps": {"en": "Unique selling points", "fr": "Arguments différenciants"},
    "basis": {"en": "Basis", "fr": "Fondement"},
}


def label(key: str, language: str, table: Mapping[str, Mapping[str, str]] = _LABELS) -> str:
    """The heading ``key`` in ``language``, in English for a language the table lacks."""
    return localized(table[key], language)


def lead(key: str, language: str, table: Mapping[str, Mapping[str, str]] = _LABELS) -> str:
    """The label ``key`` followed by a colon, spaced the French way in French."""
    colon = " :" if language_code(language) == "fr" else ":"
    return f"{label(key, language, table)}{colon}"


def bullets(items: Iterable[str], indent: str = "") -> str:
    return "\n".join(f"{indent}- {item}" for item in items if item)


def section(title: str, body: str) -> str:
    """A Markdown section, or nothing when the body is empty."""
    return f"## {title}\n{body}" if body.strip() else ""


def figures_section(figures: Iterable[str], language: str) -> str:
    return section(label("figures", language), bullets(figures))


def join_blocks(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block)


class Part(BaseModel):
    """A nested item of an output; unknown keys are refused as in the outputs themselves."""

    model_config = ConfigDict(extra="forbid")


class Trend(Part):
    name: Name = Field(description="Short name of the trend")
    description: Text = Field(description="What is changing in the category and why")
    impact: Line = Field(description="What the trend means for a seller of this category")


class MarketTrends(CopyOutput):
    """Trends and dynamics of a product category."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    trends: list[Trend] = Field(max_length=8, description="The main trends, most important first")
    dynamics: list[Line] = Field(
        max_length=6,
        description="Forces behind demand and supply: seasonality, regulation, prices, channels",
    )
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        trends = "\n".join(
            f"- **{t.name}** — {t.description}\n  {lead('impact', language)} {t.impact}" for t in self.trends
        )
        return join_blocks(
            section(label("summary", language), self.summary),
            section(label("trends", language), trends),
            section(label("dynamics", language), bullets(self.dynamics)),
            figures_section(self.figures, language),
        )


class PurchaseDriver(Part):
    name: Name = Field(description="Short name of the driver")
    description: Line = Field(description="Why it weighs on the purchase decision")
    how_to_use: Line = Field(description="How a seller can act on it in offers and copy")


class CustomerBehaviour(CopyOutput):
    """Customer preferences and purchase drivers in a category."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    preferences: list[Line] = Field(
        max_length=8, description="What buyers of the category tend to prefer and expect"
    )
    purchase_drivers: list[PurchaseDriver] = Field(
        max_length=8, description="What makes them buy, most decisive first"
    )
    barriers: list[Line] = Field(
        max_length=6, description="What holds them back or makes them abandon a purchase"
    )
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        drivers = "\n".join(
            f"- **{d.name}** — {d.description}\n  {lead('how_to_use', language)} {d.how_to_use}"
            for d in self.purchase_drivers
        )
        return join_blocks(
            section(label("summary", language), self.summary),
            section(label("preferences", language), bullets(self.preferences)),
            section(label("drivers", language), drivers),
            section(label("barriers", language), bullets(self.barriers)),
            figures_section(self.figures, language),
        )


class DemographicGroup(Part):
    name: Name = Field(description="Short name of the group")
    description: Line = Field(description="Who they are: age, situation, way of life")
    needs: list[Line] = Field(max_length=5, description="Their needs the product can meet")
    why_it_fits: Line = Field(description="Why the product suits this group in particular")


class TargetDemographics(CopyOutput):
    """Groups of people in a location who would benefit from a product."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    groups: list[DemographicGroup] = Field(
        max_length=10, description="The target groups, most promising first"
    )
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        groups = "\n\n".join(
            f"### {g.name}\n{g.description}\n"
            f"{lead('needs', language)}\n{bullets(g.needs)}\n"
            f"{lead('why_it_fits', language)} {g.why_it_fits}"
            for g in self.groups
        )
        return join_blocks(
            section(label("groups", language), groups),
            figures_section(self.figures, language),
        )


class CompetitorOffer(Part):
    name: Name = Field(description="The competitor or the kind of offer")
    selling_points: list[Line] = Field(max_length=5, description="What the offer puts forward")
    pricing_strategy: Line = Field(
        description="How the offer is priced: positioning, promotions, bundles, delivery costs"
    )


class CompetitiveBenchmark(CopyOutput):
    """Selling points and pricing strategies of offers comparable to the seller's."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    offers: list[CompetitorOffer] = Field(max_length=8, description="The offers compared")
    recommendations: list[Line] = Field(
        max_length=6, description="How the seller's offer could stand out from these offers"
    )
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        offers = "\n\n".join(
            f"### {o.name}\n{lead('selling_points', language)}\n{bullets(o.selling_points)}\n"
            f"{lead('pricing', language)} {o.pricing_strategy}"
            for o in self.offers
        )
        return join_blocks(
            section(label("summary", language), self.summary),
            section(label("offers", language), offers),
            section(label("recommendations", language), bullets(self.recommendations)),
            figures_section(self.figures, language),
        )


class CatalogueGap(Part):
    need: Line = Field(description="The need or the kind of product the catalogue leaves unmet")
    evidence: Line = Field(description="What in the catalogue extract shows the gap")
    how_to_fill: Line = Field(description="How the seller could fill it")


class SellingPoint(Part):
    claim: Line = Field(description="The selling point, as it could be claimed")
    basis: Line = Field(description="The product data or the gap that supports the claim")


class Opportunities(CopyOutput):
    """Gaps in a competitor's catalogue and the unique selling points the seller could claim."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    gaps: list[CatalogueGap] = Field(max_length=8, description="Gaps, most promising first")
    unique_selling_points: list[SellingPoint] = Field(
        max_length=6, description="Selling points the seller could claim against this catalogue"
    )
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        gaps = "\n".join(
            f"- **{g.need}**\n  {lead('evidence', language)} {g.evidence}\n"
            f"  {lead('how_to_fill', language)} {g.how_to_fill}"
            for g in self.gaps
        )
        usps = "\n".join(
            f"- **{p.claim}**\n  {lead('basis', language)} {p.basis}" for p in self.unique_selling_points
        )
        return join_blocks(
            section(label("summary", language), self.summary),
            section(label("gaps", language), gaps),
            section(label("usps", language), usps),
            figures_section(self.figures, language),
        )
