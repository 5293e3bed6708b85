"""Output models of the templates that build on a study: executive-summary, swot, persona-draft.

``ExecutiveSummary`` and ``Swot`` are written from the text of the other study sections and,
like them, carry a ``figures`` list of every number to verify before use.

``PersonaDraft`` is a persona sheet drafted from a short brief. Its fields mirror
:class:`copyassist.persona.Persona` name for name, sub-model for sub-model, but every field is
required (strict structured output has no optional keys): an unknown value is an empty string or
an empty list, and :meth:`PersonaDraft.to_persona_data` drops those before the persona model
validates the draft.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from copyassist.outputs.base import CopyOutput, kinds
from copyassist.outputs.market import (
    Line,
    Name,
    Part,
    Text,
    bullets,
    figures_section,
    join_blocks,
    label,
    lead,
    section,
)

LongText = Annotated[str, Field(max_length=1200)]
Word = Annotated[str, Field(max_length=60)]

_FIGURES_FROM_SECTIONS = (
    "Every figure, percentage, market size, price or named study this answer repeats from the "
    "study sections, each restated as a claim to verify before use; empty when none was used"
)

_LABELS: dict[str, dict[str, str]] = {
    "summary": {"en": "Summary", "fr": "Synthèse"},
    "key_findings": {"en": "Key findings", "fr": "Points clés"},
    "recommendation": {"en": "Recommendation", "fr": "Recommandation"},
    "strengths": {"en": "Strengths", "fr": "Forces"},
    "weaknesses": {"en": "Weaknesses", "fr": "Faiblesses"},
    "opportunities": {"en": "Opportunities", "fr": "Opportunités"},
    "threats": {"en": "Threats", "fr": "Menaces"},
    "kind": {"en": "Kind", "fr": "Type"},
    "user": {"en": "user persona", "fr": "persona utilisateur"},
    "buyer": {"en": "buyer persona", "fr": "persona acheteur"},
    "marketing": {"en": "marketing persona", "fr": "persona marketing"},
    "demographics": {"en": "Demographics", "fr": "Données démographiques"},
    "age_range": {"en": "Age", "fr": "Âge"},
    "gender": {"en": "Gender", "fr": "Genre"},
    "location": {"en": "Location", "fr": "Lieu"},
    "income": {"en": "Income", "fr": "Revenus"},
    "family": {"en": "Family", "fr": "Famille"},
    "psychographics": {"en": "Psychographics", "fr": "Profil psychographique"},
    "interests": {"en": "Interests", "fr": "Centres d'intérêt"},
    "habits": {"en": "Habits", "fr": "Habitudes"},
    "lifestyle": {"en": "Lifestyle", "fr": "Mode de vie"},
    "attitudes": {"en": "Attitudes", "fr": "Attitudes"},
    "personality": {"en": "Personality", "fr": "Personnalité"},
    "goals": {"en": "Goals (the why)", "fr": "Objectifs (le pourquoi)"},
    "needs": {"en": "Needs (the how)", "fr": "Besoins (le comment)"},
    "motivations": {"en": "Motivations", "fr": "Motivations"},
    "pain_points": {"en": "Pain points", "fr": "Irritants"},
    "objections": {"en": "Objections", "fr": "Objections"},
    "skills": {"en": "Skills", "fr": "Compétences"},
    "digital_skills": {"en": "Digital skills", "fr": "Compétences numériques"},
    "information_sources": {"en": "Information sources", "fr": "Sources d'information"},
    "channels": {"en": "Channels", "fr": "Canaux"},
    "favourite_brands": {"en": "Favourite brands", "fr": "Marques préférées"},
    "tone": {"en": "Tone that speaks to them", "fr": "Ton qui lui parle"},
    "vocabulary": {"en": "Vocabulary", "fr": "Vocabulaire"},
}


_label = partial(label, table=_LABELS)
_lead = partial(lead, table=_LABELS)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ExecutiveSummary(CopyOutput):
    """The executive summary of a market study, written from its other sections."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: LongText = Field(
        description="The study in a few short paragraphs, using only what the sections say"
    )
    key_findings: list[Line] = Field(
        max_length=8, description="The findings that matter most for the seller, most important first"
    )
    recommendation: Text = Field(
        description="The main course of action the study points to for the seller's offer"
    )
    figures: list[Line] = Field(max_length=12, description=_FIGURES_FROM_SECTIONS)

    def as_text(self, language: str = "en") -> str:
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("key_findings", language), bullets(self.key_findings)),
            section(_label("recommendation", language), self.recommendation),
            figures_section(self.figures, language),
        )


class Swot(CopyOutput):
    """Strengths, weaknesses, opportunities and threats of the seller's brand or offer."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    strengths: list[Line] = Field(
        max_length=6, description="Internal strengths of the seller's brand or offer in the category"
    )
    weaknesses: list[Line] = Field(
        max_length=6, description="Internal weaknesses of the seller's brand or offer in the category"
    )
    opportunities: list[Line] = Field(
        max_length=6, description="External opportunities in the market the seller could seize"
    )
    threats: list[Line] = Field(
        max_length=6, description="External threats: competition, prices, regulation, demand"
    )
    figures: list[Line] = Field(max_length=12, description=_FIGURES_FROM_SECTIONS)

    def as_text(self, language: str = "en") -> str:
        quadrants = ("strengths", "weaknesses", "opportunities", "threats")
        return join_blocks(
            *(section(_label(key, language), bullets(getattr(self, key))) for key in quadrants),
            figures_section(self.figures, language),
        )


class DraftDemographics(Part):
    """Mirrors :class:`copyassist.persona.Demographics`; an empty string means not known."""

    age_range: Name = Field(description="Age range, e.g. 30-45")
    gender: Name = Field(description="Gender, or an empty string when the brief leaves it open")
    location: Name = Field(description="City or region, and the kind of area (urban, suburban, rural)")
    income: Name = Field(description="Income bracket, as an order of magnitude")
    family: Name = Field(description="Household and family situation")


class DraftPsychographics(Part):
    """Mirrors :class:`copyassist.persona.Psychographics`."""

    interests: list[Line] = Field(max_length=8, description="What they are interested in")
    habits: list[Line] = Field(max_length=6, description="Everyday and shopping habits")
    lifestyle: Line = Field(description="Their way of life, in one sentence")
    attitudes: list[Line] = Field(
        max_length=5, description="Beliefs and attitudes that shape their purchases"
    )


_OPTIONAL_TEXT = ("tone",)
_DEMOGRAPHICS = ("age_range", "gender", "location", "income", "family")
_PSYCHOGRAPHIC_LISTS = ("interests", "habits", "attitudes")
_LISTS = (
    "personality",
    "goals",
    "needs",
    "motivations",
    "pain_points",
    "objections",
    "skills",
    "digital_skills",
    "information_sources",
    "channels",
    "favourite_brands",
    "vocabulary",
)


def _kept(items: list[str]) -> list[str]:
    return [item.strip() for item in items if item.strip()]


class PersonaDraft(CopyOutput):
    """A buyer persona drafted from a short brief; fields mirror :class:`copyassist.persona.Persona`."""

    other_fields = "notes"

    kind: Literal["user", "buyer", "marketing"] = Field(
        description="user: who uses the product; buyer: who chooses and pays; marketing: a segment to address"
    )
    name: Name = Field(
        min_length=1, description="A first name and a short label, e.g. 'Claire, jeune active'"
    )
    language: Literal["fr", "en"] = Field(description="The language the persona sheet is written in")
    bio: Line = Field(min_length=1, description="One line: job, city, age, habits")
    demographics: DraftDemographics = Field(description="Who they are, in facts")
    psychographics: DraftPsychographics = Field(description="How they think and live")
    personality: list[Name] = Field(max_length=6, description="Personality traits")
    goals: list[Line] = Field(
        min_length=1, max_length=5, description="What they want to achieve in life or work: the why"
    )
    needs: list[Line] = Field(
        max_length=6, description="What they concretely need from a product or a seller: the how"
    )
    motivations: list[Line] = Field(max_length=5, description="What drives them to buy")
    pain_points: list[Line] = Field(
        min_length=1, max_length=6, description="What frustrates them today, as a buyer"
    )
    objections: list[Line] = Field(
        max_length=5, description="What makes them hesitate before buying, in their own words"
    )
    skills: list[Line] = Field(max_length=6, description="Skills from their job or everyday life")
    digital_skills: list[Line] = Field(
        max_length=5, description="How they get on with devices and online shopping"
    )
    information_sources: list[Line] = Field(
        max_length=6, description="Sources they trust to get informed before buying"
    )
    channels: list[Line] = Field(max_length=6, description="Where they shop and spend time online")
    favourite_brands: list[Name] = Field(max_length=6, description="Brands they like")
    tone: Line = Field(description="The tone of voice that speaks to them")
    vocabulary: list[Word] = Field(max_length=12, description="Words and phrases they use themselves")

    @field_validator("kind", mode="before")
    @classmethod
    def _client_is_the_buyer(cls, value: Any) -> Any:
        """A persona sheet's own word for the buyer (and French for it)."""
        return "buyer" if isinstance(value, str) and value.strip().casefold() == "client" else value

    def to_persona_data(self) -> dict[str, Any]:
        """The draft as data :class:`copyassist.persona.Persona` validates.

        Empty strings (optional persona fields left blank) and blank list items are dropped,
        the bio is kept on one line and surrounding whitespace is trimmed.
        """
        data = self.model_dump()
        data["name"] = data["name"].strip()
        data["bio"] = _one_line(data["bio"])
        for key in _OPTIONAL_TEXT:
            if not data[key].strip():
                del data[key]
        for key in _LISTS:
            data[key] = _kept(data[key])
        data["demographics"] = {k: v.strip() for k, v in data["demographics"].items() if v.strip()}
        psychographics = data["psychographics"]
        for key in _PSYCHOGRAPHIC_LISTS:
            psychographics[key] = _kept(psychographics[key])
        if not psychographics["lifestyle"].strip():
            del psychographics["lifestyle"]
        return data

    def as_text(self, language: str = "en") -> str:
        demographics = "\n".join(
            f"- {_lead(key, language)} {value}"
            for key in _DEMOGRAPHICS
            if (value := getattr(self.demographics, key).strip())
        )
        psycho = self.psychographics
        psychographics = "\n".join(
            line
            for line in (
                self._list_line("interests", psycho.interests, language),
                self._list_line("habits", psycho.habits, language),
                f"- {_lead('lifestyle', language)} {psycho.lifestyle}" if psycho.lifestyle.strip() else "",
                self._list_line("attitudes", psycho.attitudes, language),
            )
            if line
        )
        header = f"# {self.name}\n*{_label(self.kind, language)}*\n\n{_one_line(self.bio)}"
        lists = [section(_label(key, language), bullets(getattr(self, key))) for key in _LISTS]
        tone = section(_label("tone", language), self.tone.strip())
        return join_blocks(
            header,
            section(_label("demographics", language), demographics),
            section(_label("psychographics", language), psychographics),
            *lists[:-1],
            tone,
            lists[-1],
        )

    @staticmethod
    def _list_line(key: str, items: list[str], language: str) -> str:
        kept = _kept(items)
        return f"- {_lead(key, language)} {', '.join(kept)}" if kept else ""
