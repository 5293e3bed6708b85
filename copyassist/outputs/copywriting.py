"""Output models of the copywriting templates: titles, descriptions, bullets, SEO, frameworks, FAQ.

Every field is required and has a description, because the JSON schema of these models is what
the language model is shown (strict structured-output modes refuse optional properties). The
length bounds are deliberately tight: they stop runaway answers and keep grammar-constrained
decoding of small local models short. Class docstrings end up in the schema too, so they are
written for the model: plain sentences, no markup.

``FaqItem`` is a plain model, not a ``CopyOutput``, so it is not registered as a template output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from copyassist.i18n import localized
from copyassist.outputs.base import CopyOutput, join_blocks, kinds
from copyassist.rules.fallback import fallback_title

#: One keyword or key phrase, as a shopper would type it.
Keyword = Annotated[str, Field(min_length=1, max_length=80)]

_KEYWORDS_HELP = "the most important first"


def _join_keywords(keywords: list[str]) -> str:
    return ", ".join(keyword.strip() for keyword in keywords if keyword.strip())


_LABELS = {
    "seo_title": {"en": "SEO title", "fr": "Titre SEO"},
    "meta_description": {"en": "Meta description", "fr": "Méta-description"},
    "keywords": {"en": "Keywords", "fr": "Mots-clés"},
}


def _label(key: str, language: str) -> str:
    return localized(_LABELS[key], language)


class ProductTitle(CopyOutput):
    """A product title for a marketplace listing or shop page."""

    field_kinds = kinds(title="title")
    columns = ("title",)
    fallback_kind = "title"

    title: str = Field(
        min_length=1,
        max_length=200,
        description=(
            "The product title, on one line, within the requested character limit; "
            "no price, no promotional claim"
        ),
    )

    @classmethod
    def rule_built(
        cls, product: Mapping[str, Any], max_chars: int | None, channel: str | None = None
    ) -> ProductTitle | None:
        """The product's name, brand and key attributes, within ``max_chars``."""
        title = fallback_title(product, max_chars, channel)
        return cls(title=title) if title else None

    def as_text(self, language: str = "en") -> str:
        return self.title.strip()


class ProductDescription(CopyOutput):
    """A persuasive product description: headline, body and call to action."""

    field_kinds = kinds(headline="copy", description="description", call_to_action="copy")
    columns = ("headline", "description", "call_to_action")

    headline: str = Field(
        min_length=1,
        max_length=150,
        description="A short headline that states the main benefit, plain text, no markup",
    )
    description: str = Field(
        min_length=1,
        max_length=8000,
        description=(
            "The description body, unique selling points first; plain text paragraphs, or HTML "
            "using only p, ul, li, strong, em, h2 and h3 when HTML was requested"
        ),
    )
    call_to_action: str = Field(
        min_length=1,
        max_length=200,
        description="One closing sentence inviting the reader to act, plain text",
    )

    def as_text(self, language: str = "en") -> str:
        return join_blocks(self.headline, self.description, self.call_to_action)


class Bullets(CopyOutput):
    """Key feature bullet points of a product."""

    field_kinds = kinds(bullets="bullets")
    columns = ("bullets",)

    bullets: list[Annotated[str, Field(min_length=1, max_length=400)]] = Field(
        min_length=1,
        max_length=10,
        description=(
            "The bullet points, most important first; each one names a feature and the benefit "
            "it brings, without a leading bullet character"
        ),
    )

    def as_text(self, language: str = "en") -> str:
        return "\n".join(f"- {bullet.strip()}" for bullet in self.bullets)


class SeoOutput(CopyOutput):
    """Search engine metadata for a product page."""

    field_kinds = kinds(seo_title="seo_title", meta_description="meta_description", keywords="data")
    columns = ("seo_title", "meta_description", "keywords")

    seo_title: str = Field(
        min_length=1,
        max_length=120,
        description="The page title shown in search results, within the requested length",
    )
    meta_description: str = Field(
        min_length=1,
        max_length=320,
        description="The meta description shown under the title in search results",
    )
    keywords: list[Keyword] = Field(
        min_length=3,
        max_length=15,
        description=f"Target keywords and key phrases, {_KEYWORDS_HELP}",
    )

    def as_text(self, language: str = "en") -> str:
        return "\n".join(
            [
                f"{_label('seo_title', language)}: {self.seo_title.strip()}",
                f"{_label('meta_description', language)}: {self.meta_description.strip()}",
                f"{_label('keywords', language)}: {_join_keywords(self.keywords)}",
            ]
        )


class SeoRewrite(CopyOutput):
    """An existing product description rewritten for search engines."""

    field_kinds = kinds(description="description", keywords="data")
    columns = ("description", "keywords")

    description: str = Field(
        min_length=1,
        max_length=8000,
        description="The rewritten description, same facts as the original, keywords worked in",
    )
    keywords: list[Keyword] = Field(
        min_length=3,
        max_length=15,
        description=f"The essential keywords the rewritten description targets, {_KEYWORDS_HELP}",
    )

    def as_text(self, language: str = "en") -> str:
        keywords = f"{_label('keywords', language)}: {_join_keywords(self.keywords)}"
        return join_blocks(self.description, keywords)


# Copywriting frameworks: each part on its own, then ``text``, the parts assembled into one
# flowing piece of copy. ``as_text`` is that assembled text, the one column a batch writes and
# the one field checked as a description; the parts get the content checks only.

_PART = 1500
_ASSEMBLED = 6000
_ASSEMBLED_HELP = (
    "The finished copy: the parts above joined into one flowing text, in the same order, without part labels"
)


class AidaOutput(CopyOutput):
    """AIDA copy: attention, interest, desire, action."""

    field_kinds = kinds(attention="copy", interest="copy", desire="copy", action="copy", text="description")

    attention: str = Field(
        min_length=1, max_length=_PART, description="Attention: a hook that stops the reader"
    )
    interest: str = Field(
        min_length=1,
        max_length=_PART,
        description="Interest: the facts that make the reader want to know more",
    )
    desire: str = Field(
        min_length=1,
        max_length=_PART,
        description="Desire: the benefits that make the reader want the product",
    )
    action: str = Field(min_length=1, max_length=_PART, description="Action: a clear call to action")
    text: str = Field(min_length=1, max_length=_ASSEMBLED, description=_ASSEMBLED_HELP)

    def as_text(self, language: str = "en") -> str:
        return self.text.strip()


class BabOutput(CopyOutput):
    """Before-after-bridge copy."""

    field_kinds = kinds(before="copy", after="copy", bridge="copy", text="description")

    before: str = Field(
        min_length=1,
        max_length=_PART,
        description="Before: the reader's situation and problem today, without the product",
    )
    after: str = Field(
        min_length=1,
        max_length=_PART,
        description="After: the same reader once the problem is solved",
    )
    bridge: str = Field(
        min_length=1,
        max_length=_PART,
        description=("Bridge: how the product takes the reader from before to after, then a call to act"),
    )
    text: str = Field(min_length=1, max_length=_ASSEMBLED, description=_ASSEMBLED_HELP)

    def as_text(self, language: str = "en") -> str:
        return self.text.strip()


class PppOutput(CopyOutput):
    """Picture-promise-prove-push copy."""

    field_kinds = kinds(picture="copy", promise="copy", prove="copy", push="copy", text="description")

    picture: str = Field(
        min_length=1,
        max_length=_PART,
        description="Picture: a concrete scene the reader recognises or wishes for",
    )
    promise: str = Field(
        min_length=1,
        max_length=_PART,
        description="Promise: what the product will do for the reader",
    )
    prove: str = Field(
        min_length=1,
        max_length=_PART,
        description="Prove: facts from the product data that back the promise",
    )
    push: str = Field(
        min_length=1,
        max_length=_PART,
        description="Push: a gentle, clear nudge to act now",
    )
    text: str = Field(min_length=1, max_length=_ASSEMBLED, description=_ASSEMBLED_HELP)

    def as_text(self, language: str = "en") -> str:
        return self.text.strip()


class SssOutput(CopyOutput):
    """Star-story-solution copy."""

    field_kinds = kinds(star="copy", story="copy", solution="copy", text="description")

    star: str = Field(
        min_length=1,
        max_length=_PART,
        description="Star: the main character, someone the reader identifies with",
    )
    story: str = Field(
        min_length=1,
        max_length=_PART,
        description="Story: the problem the star runs into, told as an illustrative scene",
    )
    solution: str = Field(
        min_length=1,
        max_length=_PART,
        description="Solution: how the product resolves the story, and a call to act",
    )
    text: str = Field(min_length=1, max_length=_ASSEMBLED, description=_ASSEMBLED_HELP)

    def as_text(self, language: str = "en") -> str:
        return self.text.strip()


class FaqItem(BaseModel):
    """One frequently asked question and its answer."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=200,
        description="A question a shopper would ask, in their words, ending with a question mark",
    )
    answer: str = Field(
        min_length=1,
        max_length=1200,
        description="A short, factual answer based only on the product data",
    )


class FaqOutput(CopyOutput):
    """Frequently asked questions about a product, with their answers."""

    field_kinds = kinds(items="faq")
    columns = ("faq",)

    items: list[FaqItem] = Field(
        min_length=1,
        max_length=15,
        description="The questions with their answers, the most decisive for a purchase first",
    )

    def as_text(self, language: str = "en") -> str:
        return "\n\n".join(f"{item.question.strip()}\n{item.answer.strip()}" for item in self.items)


__all__ = [
    "AidaOutput",
    "BabOutput",
    "Bullets",
    "FaqItem",
    "FaqOutput",
    "PppOutput",
    "ProductDescription",
    "ProductTitle",
    "SeoOutput",
    "SeoRewrite",
    "SssOutput",
]
