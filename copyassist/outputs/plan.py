"""Output models of the marketing-plan templates.

marketing-channels, content-strategy, ugc-plan, affiliate-plan and influencer-plan. Each plan
ends with SMART objectives (specific, measurable, achievable, realistic, time-bound) and, like
the market studies, a ``figures`` list of every number to verify before use.
"""

from __future__ import annotations

from functools import partial

from pydantic import Field

from copyassist.outputs.base import CopyOutput, kinds
from copyassist.outputs.market import (
    FIGURES_DESCRIPTION,
    SUMMARY_DESCRIPTION,
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

_LABELS: dict[str, dict[str, str]] = {
    "summary": {"en": "Summary", "fr": "Synthèse"},
    "objectives": {"en": "SMART objectives", "fr": "Objectifs SMART"},
    "specific": {"en": "Specific", "fr": "Spécifique"},
    "measurable": {"en": "Measurable", "fr": "Mesurable"},
    "achievable": {"en": "Achievable", "fr": "Atteignable"},
    "realistic": {"en": "Realistic", "fr": "Réaliste"},
    "time_bound": {"en": "Time-bound", "fr": "Temporellement défini"},
    "channels": {"en": "Channels", "fr": "Canaux"},
    "why": {"en": "Why", "fr": "Pourquoi"},
    "tactics": {"en": "Tactics", "fr": "Actions"},
    "kpi": {"en": "KPI", "fr": "Indicateur clé"},
    "pillars": {"en": "Content pillars", "fr": "Piliers de contenu"},
    "purpose": {"en": "Purpose", "fr": "Rôle"},
    "formats": {"en": "Formats", "fr": "Formats"},
    "ideas": {"en": "Ideas", "fr": "Idées"},
    "cadence": {"en": "Publishing rhythm", "fr": "Rythme de publication"},
    "campaigns": {"en": "Campaigns", "fr": "Campagnes"},
    "ask": {"en": "What customers are asked", "fr": "Ce qui est demandé aux clients"},
    "incentive": {"en": "Incentive", "fr": "Contrepartie"},
    "channel": {"en": "Channel", "fr": "Canal"},
    "steps": {"en": "Steps", "fr": "Étapes"},
    "guidelines": {"en": "Rules to follow", "fr": "Règles à respecter"},
    "partners": {"en": "Affiliate partners", "fr": "Partenaires affiliés"},
    "commission": {"en": "Commission model", "fr": "Modèle de rémunération"},
    "activation": {"en": "How they promote", "fr": "Mode de promotion"},
    "profiles": {"en": "Influencer profiles", "fr": "Profils d'influenceurs"},
    "platform": {"en": "Platform", "fr": "Plateforme"},
    "collaboration": {"en": "Collaboration", "fr": "Collaboration"},
    "messages": {"en": "Key messages", "fr": "Messages clés"},
}


_label = partial(label, table=_LABELS)
_lead = partial(lead, table=_LABELS)


class SmartObjective(Part):
    specific: Line = Field(description="Specific: exactly what is to be achieved, and with whom")
    measurable: Line = Field(description="Measurable: the indicator and the target value")
    achievable: Line = Field(description="Achievable: the means that make it reachable")
    realistic: Line = Field(description="Realistic: why it is relevant given the seller's means")
    time_bound: Line = Field(description="Time-bound: the deadline or the period")


def _objectives(objectives: list[SmartObjective], language: str) -> str:
    keys = ("specific", "measurable", "achievable", "realistic", "time_bound")
    blocks = []
    for number, objective in enumerate(objectives, start=1):
        lines = [f"{_lead(key, language)} {getattr(objective, key)}" for key in keys]
        blocks.append(f"{number}. " + "\n   ".join(lines))
    return section(_label("objectives", language), "\n".join(blocks))


_OBJECTIVES_DESCRIPTION = "SMART objectives of the plan, most important first"


class MarketingChannel(Part):
    name: Name = Field(description="The channel")
    why: Line = Field(description="Why it reaches the target persona")
    tactics: list[Line] = Field(max_length=4, description="Concrete actions on this channel")
    kpi: Line = Field(description="The indicator to follow on this channel")


class MarketingChannels(CopyOutput):
    """The marketing channels to use for a persona, with SMART objectives."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    channels: list[MarketingChannel] = Field(max_length=8, description="The channels, highest priority first")
    objectives: list[SmartObjective] = Field(max_length=5, description=_OBJECTIVES_DESCRIPTION)
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        channels = "\n\n".join(
            f"### {c.name}\n{_lead('why', language)} {c.why}\n"
            f"{_lead('tactics', language)}\n{bullets(c.tactics)}\n"
            f"{_lead('kpi', language)} {c.kpi}"
            for c in self.channels
        )
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("channels", language), channels),
            _objectives(self.objectives, language),
            figures_section(self.figures, language),
        )


class ContentPillar(Part):
    theme: Name = Field(description="The theme of the pillar")
    purpose: Line = Field(description="What this content does for the persona and the seller")
    formats: list[Name] = Field(max_length=4, description="Content formats for this pillar")
    channels: list[Name] = Field(max_length=4, description="Where this content is published")
    ideas: list[Line] = Field(max_length=4, description="Concrete content ideas")


class ContentStrategy(CopyOutput):
    """A content strategy for a persona, with SMART objectives."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    pillars: list[ContentPillar] = Field(max_length=6, description="The content pillars")
    cadence: Line = Field(description="The publishing rhythm per channel")
    objectives: list[SmartObjective] = Field(max_length=5, description=_OBJECTIVES_DESCRIPTION)
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        pillars = "\n\n".join(
            f"### {p.theme}\n{_lead('purpose', language)} {p.purpose}\n"
            f"{_lead('formats', language)} {', '.join(p.formats)}\n"
            f"{_lead('channels', language)} {', '.join(p.channels)}\n"
            f"{_lead('ideas', language)}\n{bullets(p.ideas)}"
            for p in self.pillars
        )
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("pillars", language), pillars),
            section(_label("cadence", language), self.cadence),
            _objectives(self.objectives, language),
            figures_section(self.figures, language),
        )


class UgcCampaign(Part):
    name: Name = Field(description="Short name of the campaign")
    ask: Line = Field(description="The content customers are invited to create")
    incentive: Line = Field(description="What customers get in return, if anything")
    channel: Name = Field(description="Where the content is collected or shown")


class UgcPlan(CopyOutput):
    """A user-generated content plan for a persona, with SMART objectives."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    campaigns: list[UgcCampaign] = Field(max_length=6, description="The UGC campaigns")
    collection_steps: list[Line] = Field(
        max_length=6, description="How content is collected, moderated and reused, in order"
    )
    guidelines: list[Line] = Field(
        max_length=6,
        description="Rules: consent and usage rights, disclosure of incentives, moderation",
    )
    objectives: list[SmartObjective] = Field(max_length=5, description=_OBJECTIVES_DESCRIPTION)
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        campaigns = "\n\n".join(
            f"### {c.name}\n{_lead('ask', language)} {c.ask}\n"
            f"{_lead('incentive', language)} {c.incentive}\n"
            f"{_lead('channel', language)} {c.channel}"
            for c in self.campaigns
        )
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("campaigns", language), campaigns),
            section(_label("steps", language), bullets(self.collection_steps)),
            section(_label("guidelines", language), bullets(self.guidelines)),
            _objectives(self.objectives, language),
            figures_section(self.figures, language),
        )


class AffiliatePartner(Part):
    kind: Name = Field(description="The kind of affiliate (never an invented name)")
    why: Line = Field(description="Why their audience matches the target persona")
    commission_model: Line = Field(description="How they would be paid, as a proposal to test")
    activation: Line = Field(description="How they would promote the offer")


class AffiliatePlan(CopyOutput):
    """An affiliate marketing plan for a persona, with SMART objectives."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    partners: list[AffiliatePartner] = Field(
        max_length=6, description="The kinds of affiliates to recruit, highest priority first"
    )
    programme_steps: list[Line] = Field(
        max_length=8,
        description="Setting up the programme in order: tracking, recruitment, material, follow-up",
    )
    objectives: list[SmartObjective] = Field(max_length=5, description=_OBJECTIVES_DESCRIPTION)
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        partners = "\n\n".join(
            f"### {p.kind}\n{_lead('why', language)} {p.why}\n"
            f"{_lead('commission', language)} {p.commission_model}\n"
            f"{_lead('activation', language)} {p.activation}"
            for p in self.partners
        )
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("partners", language), partners),
            section(_label("steps", language), bullets(self.programme_steps)),
            _objectives(self.objectives, language),
            figures_section(self.figures, language),
        )


class InfluencerProfile(Part):
    tier: Name = Field(description="Audience size tier (nano, micro, macro...), never a real name")
    niche: Line = Field(description="Their subject and audience")
    platform: Name = Field(description="Where they publish")
    why: Line = Field(description="Why their audience matches the target persona")
    collaboration: Line = Field(description="The kind of collaboration proposed")


class InfluencerPlan(CopyOutput):
    """An influencer marketing plan for a persona, with SMART objectives."""

    field_kinds = kinds(figures="data")
    other_fields = "notes"

    summary: Text = Field(description=SUMMARY_DESCRIPTION)
    profiles: list[InfluencerProfile] = Field(
        max_length=6, description="The influencer profiles to approach, highest priority first"
    )
    key_messages: list[Line] = Field(
        max_length=5, description="The messages influencers are briefed to convey"
    )
    guidelines: list[Line] = Field(
        max_length=6,
        description="Rules: disclosure of the partnership, contract, content approval",
    )
    objectives: list[SmartObjective] = Field(max_length=5, description=_OBJECTIVES_DESCRIPTION)
    figures: list[Line] = Field(max_length=12, description=FIGURES_DESCRIPTION)

    def as_text(self, language: str = "en") -> str:
        profiles = "\n\n".join(
            f"### {p.tier} · {p.platform}\n{p.niche}\n{_lead('why', language)} {p.why}\n"
            f"{_lead('collaboration', language)} {p.collaboration}"
            for p in self.profiles
        )
        return join_blocks(
            section(_label("summary", language), self.summary),
            section(_label("profiles", language), profiles),
            section(_label("messages", language), bullets(self.key_messages)),
            section(_label("guidelines", language), bullets(self.guidelines)),
            _objectives(self.objectives, language),
            figures_section(self.figures, language),
        )
