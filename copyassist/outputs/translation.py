"""The output model of the ``translate`` template: an existing listing rewritten for another market.

Its fields mirror the listing fields a seller's feed holds, each of the channel kind whose rules
it is checked by. Only the title is always there: the other fields are null when the source
listing has no such field (``copyassist.rules.translation`` flags a field dropped or added).
Nullable fields stay required, so the schema still suits strict structured-output modes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from copyassist.outputs.base import CopyOutput, join_blocks, kinds
from copyassist.outputs.copywriting import Keyword

#: The listing fields a translation carries over, in the order a listing shows them.
LISTING_FIELDS = ("title", "bullets", "description", "seo_title", "meta_description")

_NULL_HELP = "; null when the source listing has no such field"


class TranslatedListing(CopyOutput):
    """A product listing adapted for another market: same facts and brand names, not word for word."""

    field_kinds = kinds(
        title="title",
        bullets="bullets",
        description="description",
        seo_title="seo_title",
        meta_description="meta_description",
        keywords="data",
    )
    columns = (*LISTING_FIELDS, "keywords")

    title: str = Field(
        min_length=1,
        max_length=200,
        description="The product title for the target market, on one line, brand names unchanged",
    )
    bullets: list[Annotated[str, Field(min_length=1, max_length=400)]] | None = Field(
        max_length=10,
        description="The feature bullets, one for each source bullet, no bullet character" + _NULL_HELP,
    )
    description: str | None = Field(
        max_length=8000,
        description="The product description, every fact of the source kept" + _NULL_HELP,
    )
    seo_title: str | None = Field(
        max_length=120, description="The page title shown in search results" + _NULL_HELP
    )
    meta_description: str | None = Field(
        max_length=320, description="The meta description shown in search results" + _NULL_HELP
    )
    keywords: list[Keyword] = Field(
        min_length=3,
        max_length=15,
        description=(
            "Search terms shoppers of the target market type for this product, researched anew "
            "in the target language rather than translated, the most important first"
        ),
    )

    def as_text(self, language: str = "en") -> str:
        bullets = "\n".join(f"- {bullet.strip()}" for bullet in self.bullets or [])
        return join_blocks(
            self.title, bullets, self.description or "", self.seo_title or "", self.meta_description or ""
        )


__all__ = ["LISTING_FIELDS", "TranslatedListing"]
