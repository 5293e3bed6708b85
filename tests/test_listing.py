"""A whole listing in one pass: template sets, fields chained in order, one claim set, statuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from copyassist import generate_listing, resolve_templates
from copyassist.errors import TemplateError
from copyassist.listing import listing_columns, passes_on
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.leftovers import PROMPT_ECHO
from copyassist.rules.listing_claims import RULE as CONFLICT
from copyassist.rules.listing_claims import check_listing_claims
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_text
from copyassist.status import Status, worst_status
from copyassist.template_sets import list_sets, load_set
from tests.helpers import FakeBackend

LISTING = ["product-title", "product-description", "bullets", "seo"]

PRODUCT = {
    "title": "Montre connectée Kairos S2",
    "brand": "Kairos",
    "category": "Montres connectées",
    "description": "Montre connectée sport avec GPS intégré et suivi du sommeil.",
    "features": ["GPS intégré", "Autonomie 10 jours", "Étanche 5 ATM"],
}
TITLE = {"title": "Montre connectée Kairos S2 GPS intégré"}
DESCRIPTION = {
    "headline": "Le GPS intégré au poignet",
    "description": "Avec son GPS intégré, la Kairos S2 suit vos sorties sans téléphone. "
    "Son autonomie de 10 jours vous accompagne toute la semaine, et elle est étanche 5 ATM.",
    "call_to_action": "Découvrez la Kairos S2.",
}
BULLETS = {
    "bullets": [
        "GPS intégré : suivez vos parcours sans emporter votre téléphone.",
        "Autonomie 10 jours : une semaine de sport sans penser à la recharge.",
        "Étanche 5 ATM : gardez-la sous la pluie et à la piscine.",
    ]
}
SEO = {
    "seo_title": "Montre connectée Kairos S2 avec GPS intégré",
    "meta_description": "La montre connectée Kairos S2 : GPS intégré, autonomie de 10 jours et "
    "étanchéité 5 ATM. Découvrez-la pour vos sorties sportives.",
    "keywords": ["montre connectée", "montre gps", "kairos s2", "montre sport", "montre étanche"],
}


def user_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages if m["role"] == "user")


# -- sets ------------------------------------------------------------------------------------


def test_the_listing_set_ships_and_resolves_in_order() -> None:
    assert resolve_templates("listing") == LISTING
    assert load_set("listing").description("fr") and load_set("listing").description("en")
    assert "listing" in [s.name for s in list_sets()]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("product-title,seo", ["product-title", "seo"]),
        (" product-title , seo ", ["product-title", "seo"]),
        (["product-title", "seo"], ["product-title", "seo"]),
        (["product-title,bullets", "seo"], ["product-title", "bullets", "seo"]),
        ("listing,faq", [*LISTING, "faq"]),
        (["faq", "listing"], ["faq", *LISTING]),
    ],
)
def test_specs_resolve_to_template_names(spec: Any, expected: list[str]) -> None:
    assert resolve_templates(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("lsting", r"unknown template or template set 'lsting' \(did you mean 'listing'\?\)"),
        ("product-title,nope", r"unknown template or template set 'nope'"),
        ("", r"no template given"),
        (" , ", r"no template given"),
        ([], r"no template given"),
        ("listing,seo", r"template 'seo' is asked for twice"),
        ("seo,seo", r"template 'seo' is asked for twice"),
    ],
)
def test_bad_specs_are_one_line_errors(spec: Any, message: str) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        resolve_templates(spec)
    assert "\n" not in str(caught.value)


def test_a_user_set_is_found_before_the_bundled_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sets = tmp_path / "prompts" / "sets"
    sets.mkdir(parents=True)
    (sets / "listing.yaml").write_text(
        "name: listing\ndescription: {fr: Titre et SEO, en: Title and SEO}\n"
        "templates: [product-title, seo]\n",
        "utf-8",
    )
    (sets / "short.yaml").write_text(
        "name: short\ndescription: Title only\ntemplates: [product-title]\n", "utf-8"
    )
    monkeypatch.setenv("COPYASSIST_PROMPTS_PATH", str(tmp_path / "prompts"))
    assert resolve_templates("listing") == ["product-title", "seo"]
    assert resolve_templates("short,bullets") == ["product-title", "bullets"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: bad\ndescription: x\ntemplates: [product-title, titel]\n", r"unknown template 'titel'"),
        ("name: bad\ndescription: x\ntemplates: []\n", r"the set lists no template"),
        ("name: bad\ndescription: x\ntemplates: [seo, bullets, seo]\n", r"template 'seo' is listed twice"),
        ("name: other\ndescription: x\ntemplates: [seo]\n", r"name 'other' differs from the file name"),
        ("name: bad\ndescription: x\ntemplates: [seo]\norder: 1\n", r"order: Extra inputs"),
        ("name: bad\ndescription: {de: x}\ntemplates: [seo]\n", r"description"),
        ("name: bad\ndescription: x\n", r"templates: Field required"),
        ("name: [\n", r"bad.yaml"),
    ],
)
def test_a_wrong_set_file_is_a_one_line_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "bad.yaml").write_text(body, "utf-8")
    monkeypatch.setenv("COPYASSIST_PROMPTS_PATH", str(tmp_path))
    with pytest.raises(TemplateError, match=message) as caught:
        resolve_templates("bad")
    assert "\n" not in str(caught.value) and "bad.yaml" in str(caught.value)


def test_two_templates_writing_one_column_are_refused_before_any_call() -> None:
    with pytest.raises(
        TemplateError, match=r"'product-description' and 'seo-rewrite' both write the 'description'"
    ):
        listing_columns({"product-description": ("headline", "description"), "seo-rewrite": ("description",)})
    backend = FakeBackend([TITLE])
    with pytest.raises(TemplateError, match="both write"):
        generate_listing("product-description,seo-rewrite", PRODUCT, backend=backend, language="fr")
    assert backend.calls == []


def test_a_row_takes_its_worst_fields_status() -> None:
    assert worst_status(["ok", "repaired", "ok"]) == Status.REPAIRED
    assert worst_status(["repaired", "fallback"]) == Status.FALLBACK
    assert worst_status(["fallback", "flagged", "ok"]) == Status.FLAGGED
    assert worst_status(["flagged", "failed"]) == Status.FAILED
    assert worst_status([]) == Status.SKIPPED


# -- chaining --------------------------------------------------------------------------------


def test_each_field_is_written_knowing_the_fields_before_it() -> None:
    backend = FakeBackend([TITLE, DESCRIPTION, BULLETS, SEO])
    listing = generate_listing("listing", PRODUCT, backend=backend, language="fr")
    assert listing.templates == LISTING and len(backend.calls) == 4
    title, description, bullets, seo = (user_text(call) for call in backend.calls)
    assert "Déjà rédigé pour ce produit" not in title
    assert "Titre : Montre connectée Kairos S2 GPS intégré" in description
    for later in (bullets, seo):
        assert "Titre : Montre connectée Kairos S2 GPS intégré" in later
        assert "Accroche : Le GPS intégré au poignet" in later
    assert "Points forts : GPS intégré : suivez vos parcours" in seo
    assert listing["seo"].output.seo_title == SEO["seo_title"]
    assert listing.fields["title"] == TITLE["title"] and listing.fields["bullets"].count("\n") == 2
    assert listing.usage.input_tokens == 400 and listing.status in (Status.OK, Status.FLAGGED)


def test_english_listing_prompts_carry_the_fields_too() -> None:
    product = {"title": "Lumio Desk Lamp LED", "brand": "Lumio", "features": ["3 colour temperatures"]}
    backend = FakeBackend([{"title": "Lumio Desk Lamp LED"}, {"headline": "Light that fits your day",
                           "description": "Three colour temperatures for work and rest.",
                           "call_to_action": "Discover the Lumio lamp."}])  # fmt: skip
    generate_listing(["product-title", "product-description"], product, backend=backend, language="en")
    assert "Already written for this product" in user_text(backend.calls[1])
    assert "- Title: Lumio Desk Lamp LED" in user_text(backend.calls[1])


def test_the_compact_prompts_chain_the_fields_too() -> None:
    backend = FakeBackend([TITLE, DESCRIPTION])
    generate_listing(
        "product-title,product-description", PRODUCT, backend=backend, language="fr", compact=True
    )
    assert "Déjà écrit pour ce produit" in user_text(backend.calls[1])
    assert "Montre connectée Kairos S2 GPS intégré" in user_text(backend.calls[1])


def test_a_title_with_an_invented_figure_is_not_passed_on_and_its_repeat_is_flagged() -> None:
    invented = {"title": "Montre connectée Kairos S2 étanche 50 m"}
    repeated = {
        **DESCRIPTION,
        "description": "La Kairos S2 est étanche 50 m : nagez sans crainte avec le GPS intégré.",
    }
    backend = FakeBackend([invented, invented, repeated])  # a repeated answer ends the attempts
    listing = generate_listing("product-title,product-description", PRODUCT, backend=backend, language="fr")
    title = listing["product-title"]
    assert title.status == Status.FALLBACK and [v.rule for v in title.rejected] == ["facts.unit_changed"]
    handed_on = user_text(backend.calls[2])
    assert "50 m" not in handed_on and f"Titre : {title.output.title}" in handed_on  # the rule-built title
    description = listing["product-description"]
    assert any(v.rule.startswith("facts.") and v.text == "50 m" for v in description.violations)
    assert listing.status == Status.FLAGGED


def test_a_flagged_field_with_unsupported_facts_is_not_handed_on() -> None:
    invented = {**DESCRIPTION, "headline": "Le GPS intégré et 3 ans de garantie"}
    backend = FakeBackend([invented, invented, BULLETS])
    listing = generate_listing("product-description,bullets", PRODUCT, backend=backend, language="fr")
    assert listing["product-description"].status == Status.FLAGGED
    assert "Déjà rédigé" not in user_text(backend.calls[-1])


def test_passes_on_only_fields_whose_facts_held() -> None:
    assert passes_on("ok", [])
    assert passes_on("flagged", ["length.max_chars: too long"])
    assert not passes_on("flagged", ["facts.unsupported: figure '50 m' is not in the product data"])
    assert not passes_on("failed", []) and not passes_on("skipped", [])


def test_a_field_repeating_an_earlier_one_is_no_prompt_echo() -> None:
    """The earlier fields are in the prompt as data: saying the title again echoes no instruction."""
    from copyassist.pipeline import prepare
    from copyassist.rules.validate import check_context

    title = "Montre connectée Kairos S2 avec GPS intégré pour le sport et le suivi du sommeil"
    prepared = prepare("product-description", PRODUCT, language="fr", listing={"title": title})
    context = check_context(prepared.context, prepared.messages)
    profile = load_profile("generic")
    text = f"Voici la {title}, qui vous suit partout."
    found = check_text("description", text, profile.rules_for("description"), context, profile)
    assert PROMPT_ECHO not in {v.rule for v in found}
    without = check_context({**prepared.context, "listing": None}, prepared.messages)
    echoed = check_text("description", text, profile.rules_for("description"), without, profile)
    assert PROMPT_ECHO in {v.rule for v in echoed}  # the same words, were they instructions


def test_a_later_field_contradicting_an_earlier_one_is_flagged_even_if_the_data_has_both() -> None:
    product = {"title": "Montre Kairos", "attributes": {"étanchéité": "IP67 ou IP68 selon le modèle"}}
    context = CheckContext(language="fr", product=product, listing={"title": "Montre Kairos IP67"})
    found = check_listing_claims("description", "Une montre certifiée IP68.", FieldRules(), context)
    assert [v.rule for v in found] == [CONFLICT] and "IP68" in found[0].message
    assert check_listing_claims("description", "Une montre IP67.", FieldRules(), context) == []
    assert check_listing_claims("description", "IP68", FieldRules(), CheckContext(product=product)) == []


def test_listing_result_to_dict_carries_every_field() -> None:
    backend = FakeBackend([TITLE, DESCRIPTION])
    listing = generate_listing("product-title,product-description", PRODUCT, backend=backend, language="fr")
    data = json.loads(json.dumps(listing.to_dict()))
    assert data["templates"] == ["product-title", "product-description"]
    assert data["fields"]["product-description"]["output"]["headline"] == DESCRIPTION["headline"]
    assert data["usage"]["input_tokens"] == 200 and data["status"] == str(listing.status)


def test_templates_list_shows_the_sets() -> None:
    from typer.testing import CliRunner

    from copyassist.cli import app

    shown = CliRunner().invoke(app, ["templates", "list"])
    assert shown.exit_code == 0
    line = next(line for line in shown.output.splitlines() if line.startswith("listing "))
    assert "product-title, product-description, bullets, seo" in line
    rows = json.loads(CliRunner().invoke(app, ["templates", "list", "--json"]).output)
    assert {"name": "listing", "set": LISTING, "description": load_set("listing").description()} in rows
