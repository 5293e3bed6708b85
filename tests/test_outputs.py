"""What an output model declares about itself, and that the checks and the batch both read it."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import Field

from copyassist.batch.fields import OUTPUT_FIELDS, output_fields
from copyassist.outputs import OUTPUT_MODELS, CopyOutput
from copyassist.outputs.base import ChannelKind, FieldKind, kinds
from copyassist.outputs.copywriting import Bullets, ProductTitle, SeoOutput
from copyassist.outputs.market import MarketTrends, Trend
from copyassist.rules.base import FIELD_KINDS, CheckContext, FieldRules, Profile, Violation
from copyassist.rules.validate import validate_output

MODELS = sorted(OUTPUT_MODELS.items())
EN = CheckContext(language="en")


def rules_of(found: list[Violation]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in found}


def test_the_channel_kinds_are_the_ones_profiles_set_rules_for() -> None:
    assert get_args(ChannelKind) == FIELD_KINDS


@pytest.mark.parametrize(("name", "model"), MODELS)
def test_every_model_declares_a_known_kind_for_every_field(name: str, model: type[CopyOutput]) -> None:
    allowed = {kind for literal in get_args(FieldKind) for kind in get_args(literal)}
    assert set(model.field_kinds) <= set(model.model_fields), name
    for field in model.model_fields:
        assert model.kind_of(field) in allowed, f"{name}.{field}"


@pytest.mark.parametrize(("name", "model"), MODELS)
def test_copy_models_list_every_field_and_drafts_are_notes(name: str, model: type[CopyOutput]) -> None:
    if model.other_fields is None:
        assert set(model.field_kinds) == set(model.model_fields), name
    else:  # studies, plans, persona drafts: only their figures are not notes
        assert model.other_fields == "notes"
        assert set(model.field_kinds) <= {"figures"}


def test_a_model_that_leaves_a_field_without_a_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="no field kind for call_to_action"):

        class HalfDeclared(CopyOutput):
            field_kinds = kinds(headline="title")
            headline: str = Field(description="headline")
            call_to_action: str = Field(description="call to action")


def test_a_kind_for_a_field_the_model_lacks_is_refused() -> None:
    with pytest.raises(TypeError, match="names no field: tilte"):

        class Typo(CopyOutput):
            field_kinds = kinds(tilte="title", title="title")
            title: str = Field(description="title")


def test_columns_must_be_distinct_with_one_whole_text_at_most() -> None:
    with pytest.raises(TypeError, match="columns"):

        class TwoWholeTexts(CopyOutput):
            field_kinds = kinds(title="title")
            columns = ("text", "faq")
            title: str = Field(description="title")


def test_kind_of_a_missing_field_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        ProductTitle.kind_of("description")


def test_output_fields_lists_every_column_any_model_writes() -> None:
    assert OUTPUT_FIELDS == (
        "title", "headline", "description", "call_to_action", "bullets", "seo_title",
        "meta_description", "keywords", "text", "faq",
    )  # fmt: skip


@pytest.mark.parametrize(("name", "model"), MODELS)
def test_each_model_writes_its_declared_columns(name: str, model: type[CopyOutput]) -> None:
    assert set(model.columns) <= set(OUTPUT_FIELDS)
    whole_text = [c for c in model.columns if c not in model.model_fields]
    assert len(whole_text) <= 1, name


class Listing(CopyOutput):
    """A test model: its declaration alone decides both how it is checked and written."""

    field_kinds = kinds(points="bullets", tags="data")
    columns = ("points", "tags")
    points: list[str] = Field(description="points")
    tags: list[str] = Field(description="tags")


class LooseListing(CopyOutput):
    """The same fields, ``points`` declared as plain copy."""

    field_kinds = kinds(points="copy", tags="data")
    columns = ("points", "tags")
    points: list[str] = Field(description="points")
    tags: list[str] = Field(description="tags")


def test_the_validator_and_the_batch_read_the_same_declaration() -> None:
    profile = Profile("test", fields={"bullets": FieldRules(max_items=2)})
    data = {"points": ["Steel case", "Leather strap", "Ten bars"], "tags": ["the best", "watch"]}
    strict, loose = Listing(**data), LooseListing(**data)
    assert ("points", "count.max_items") in rules_of(validate_output(strict, profile, EN))
    assert output_fields(strict) == {
        "points": "Steel case\nLeather strap\nTen bars",
        "tags": "the best, watch",
    }
    assert ("points", "count.max_items") not in rules_of(validate_output(loose, profile, EN))
    assert output_fields(loose)["points"] == "Steel case, Leather strap, Ten bars"
    assert not any(v.field.startswith("tags") for v in validate_output(strict, profile, EN)), "data"


def test_channel_kinds_bring_the_channel_rules_of_that_kind() -> None:
    profile = Profile(
        "test", fields={"seo_title": FieldRules(max_chars=10), "title": FieldRules(max_chars=500)}
    )
    seo = SeoOutput(
        seo_title="A watch with a long title", meta_description="A watch.", keywords=["a", "b", "c"]
    )
    assert ("seo_title", "length.max_chars") in rules_of(validate_output(seo, profile, EN))


def test_notes_get_no_claim_checks_but_copy_does() -> None:
    profile = Profile("test")
    study = MarketTrends(
        summary="The best watches sell online.",
        trends=[Trend(name="Online", description="The best sales are online.", impact="Sell online.")],
        dynamics=[],
        figures=["The best 40 % of sales"],
    )
    bullets = Bullets(bullets=["The best watch for runners."])
    assert not any(v.rule.startswith("claims.") for v in validate_output(study, profile, EN))
    assert ("bullets[0]", "claims.superlative") in rules_of(validate_output(bullets, profile, EN))


def test_only_models_that_declare_a_fallback_build_one() -> None:
    product = {"title": "Montre connectée", "brand": "Acme"}
    with_fallback = [m for m in OUTPUT_MODELS.values() if m.fallback_kind is not None]
    assert with_fallback == [ProductTitle]
    assert all(m.rule_built(product, 80) is None for m in OUTPUT_MODELS.values() if m not in with_fallback)
    built = ProductTitle.rule_built(product, 12)
    assert built is not None and 0 < len(built.title) <= 12
    assert ProductTitle.rule_built({}, 80) is None
