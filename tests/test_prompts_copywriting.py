"""The copywriting templates (fr + en) and their output models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from copyassist.outputs import OUTPUT_MODELS, copywriting
from copyassist.outputs.base import CopyOutput

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGES = ("fr", "en")
LANGUAGE_INSTRUCTION = {"fr": "Écris en français.", "en": "Write in English."}
#: the line as the body writes it: the output language is an input (copyassist.languages)
LANGUAGE_LINE = {"fr": "Écris en {{ language_name }}.", "en": "Write in {{ language_name }}."}

TEMPLATES = {
    "product-title": "ProductTitle",
    "product-description": "ProductDescription",
    "bullets": "Bullets",
    "seo": "SeoOutput",
    "seo-rewrite": "SeoRewrite",
    "aida": "AidaOutput",
    "bab": "BabOutput",
    "ppp": "PppOutput",
    "sss": "SssOutput",
    "faq": "FaqOutput",
}

MODELS: list[type[CopyOutput]] = [
    value
    for value in vars(copywriting).values()
    if isinstance(value, type) and issubclass(value, CopyOutput) and value is not CopyOutput
]

PRODUCT: dict[str, Any] = {
    "title": "Théière en fonte Kyusu 0,8 L",
    "brand": "Maison Ardoise",
    "category": "Arts de la table",
    "description": "Théière en fonte émaillée avec filtre inox amovible.",
    "features": ["fonte émaillée", "filtre inox amovible", "compatible induction"],
    "attributes": {"contenance": "0,8 L", "couleur": "noir mat"},
    "price": 49.9,
    "currency": "EUR",
    "sku": "KY-08-NM",
    "gtin": None,
    "url": None,
    "keywords": [],
    "extra": {},
}

PERSONA: dict[str, Any] = {
    "kind": "buyer",
    "name": "Claire",
    "language": "fr",
    "bio": "38 ans, infirmière à Nantes, boit du thé vert chaque soir",
    "demographics": {"age_range": "35-44", "location": "Nantes"},
    "psychographics": {"interests": ["thé", "cuisine"]},
    "personality": ["pragmatique"],
    "goals": ["savourer un thé vert sans amertume après le travail"],
    "needs": ["un filtre facile à nettoyer"],
    "motivations": ["objets durables"],
    "pain_points": ["feuilles de thé qui passent dans la tasse", "théières qui rouillent"],
    "objections": ["la fonte est lourde et fragile"],
    "skills": [],
    "digital_skills": ["achète sur Amazon.fr"],
    "information_sources": ["avis clients"],
    "channels": ["amazon"],
    "favourite_brands": [],
    "tone": "chaleureux",
    "vocabulary": ["infusion", "thé en vrac"],
}


def _front_matter(name: str, language: str) -> dict[str, Any]:
    source = (PROMPTS / f"{name}.{language}.j2").read_text(encoding="utf-8")
    assert source.startswith("---\n")
    end = source.index("\n---\n", 4)
    front = yaml.safe_load(source[4:end])
    assert isinstance(front, dict)
    return front


def _body(name: str, language: str) -> str:
    source = (PROMPTS / f"{name}.{language}.j2").read_text(encoding="utf-8")
    return source[source.index("\n---\n", 4) + 5 :]


def _context(name: str, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"product": PRODUCT, **extra}
    if name == "seo-rewrite":
        context["text"] = "Une belle théière noire en fonte pour votre thé."
    return context


def _render(name: str, language: str, **values: Any) -> list[dict[str, str]]:
    from copyassist.templates import load_template

    return load_template(name, language).render(_context(name, **values))


# --- front matter -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_exists_in_both_languages_with_matching_front_matter(name: str) -> None:
    fr, en = (_front_matter(name, language) for language in LANGUAGES)
    for front in (fr, en):
        assert front["name"] == name
        assert front["version"] == 1
        assert front["output"] == TEMPLATES[name]
        assert front["description"]
    for key in ("task", "output", "inputs", "version"):
        assert fr[key] == en[key], key
    assert fr["defaults"].keys() == en["defaults"].keys()
    numeric = {k: v for k, v in fr["defaults"].items() if not isinstance(v, str)}
    assert numeric == {k: v for k, v in en["defaults"].items() if not isinstance(v, str)}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_front_matter_output_is_a_known_model(name: str) -> None:
    front = _front_matter(name, "fr")
    assert front["output"] in OUTPUT_MODELS
    assert OUTPUT_MODELS[front["output"]].__module__ == copywriting.__name__


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_front_matter_defaults_are_sized(name: str) -> None:
    defaults = _front_matter(name, "en")["defaults"]
    assert 0 <= defaults["temperature"] <= 1
    assert 200 <= defaults["max_tokens"] <= 2000
    inputs = _front_matter(name, "en")["inputs"]
    assert "persona" in inputs["optional"]
    assert "tone" in inputs["optional"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_body_contract(name: str, language: str) -> None:
    body = _body(name, language)
    assert LANGUAGE_LINE[language] in body
    assert f'{{% include "_partials/persona.{language}.j2" %}}' in body
    assert f'{{% include "_partials/product.{language}.j2" %}}' in body
    assert "json" not in body.lower(), "the JSON format is appended by code, not the template"
    assert body.lstrip().startswith("<<system>>")


# --- output models ------------------------------------------------------------------------


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema]
    found.extend(schema.get("$defs", {}).values())
    return [node for node in found if node.get("type") == "object"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_output_schema_is_strict(model: type[CopyOutput]) -> None:
    schema = model.model_json_schema()
    for node in _objects(schema):
        properties = node["properties"]
        assert properties
        assert sorted(node["required"]) == sorted(properties), node.get("title")
        assert node["additionalProperties"] is False, node.get("title")
        for prop_name, prop in properties.items():
            assert prop.get("description"), f"{node.get('title')}.{prop_name}"
            assert "default" not in prop
            assert "anyOf" not in prop, "no Optional fields in strict mode"
            if prop.get("type") == "string":
                assert 0 < prop["maxLength"] <= 8000
            if prop.get("type") == "array":
                assert prop["minItems"] >= 1
                assert prop["maxItems"] <= 15


def test_every_template_output_model_is_in_this_module() -> None:
    assert {m.__name__ for m in MODELS} == set(TEMPLATES.values())


def test_title_refuses_extra_keys_and_overlong_titles() -> None:
    with pytest.raises(ValidationError):
        copywriting.ProductTitle.model_validate({"title": "Théière", "price": "49 €"})
    with pytest.raises(ValidationError):
        copywriting.ProductTitle(title="x" * 201)
    with pytest.raises(ValidationError):
        copywriting.ProductTitle.model_validate({})
    assert copywriting.ProductTitle(title="  Théière en fonte  ").as_text() == "Théière en fonte"


def test_bullets_as_text_one_line_per_bullet() -> None:
    out = copywriting.Bullets(bullets=["Fonte émaillée : garde la chaleur", "Filtre inox : amovible"])
    assert out.as_text().splitlines() == [
        "- Fonte émaillée : garde la chaleur",
        "- Filtre inox : amovible",
    ]
    with pytest.raises(ValidationError):
        copywriting.Bullets(bullets=[])
    with pytest.raises(ValidationError):
        copywriting.Bullets(bullets=["b"] * 11)


def test_description_as_text_keeps_headline_body_and_call_to_action_in_order() -> None:
    out = copywriting.ProductDescription(
        headline="Le thé comme vous l'aimez",
        description="<p>Une fonte qui garde la chaleur.</p>",
        call_to_action="Ajoutez-la à votre panier.",
    )
    text = out.as_text()
    assert text.index("Le thé") < text.index("<p>Une fonte") < text.index("Ajoutez-la")
    assert text.count("\n\n") == 2


def test_seo_as_text_lists_title_meta_and_keywords() -> None:
    out = copywriting.SeoOutput(
        seo_title="Théière en fonte 0,8 L | Maison Ardoise",
        meta_description="Une théière en fonte émaillée avec filtre inox amovible.",
        keywords=["théière fonte", "théière japonaise", "théière induction"],
    )
    text = out.as_text()
    assert "Théière en fonte 0,8 L | Maison Ardoise" in text
    assert "filtre inox amovible" in text
    assert "théière fonte, théière japonaise, théière induction" in text
    with pytest.raises(ValidationError):
        copywriting.SeoOutput(seo_title="t", meta_description="m", keywords=["a", "b"])


def test_seo_rewrite_as_text_has_description_then_keywords() -> None:
    out = copywriting.SeoRewrite(description="Texte réécrit.", keywords=["a", "b", "c"])
    assert out.as_text().startswith("Texte réécrit.")
    assert out.as_text().endswith("a, b, c")


@pytest.mark.parametrize(
    ("model", "parts"),
    [
        (copywriting.AidaOutput, ("attention", "interest", "desire", "action")),
        (copywriting.BabOutput, ("before", "after", "bridge")),
        (copywriting.PppOutput, ("picture", "promise", "prove", "push")),
        (copywriting.SssOutput, ("star", "story", "solution")),
    ],
    ids=lambda value: getattr(value, "__name__", "parts"),
)
def test_framework_models_have_their_parts_and_return_the_assembled_text(
    model: type[CopyOutput], parts: tuple[str, ...]
) -> None:
    assert list(model.model_fields) == [*parts, "text"]
    values = {part: f"partie {part}" for part in parts}
    out = model.model_validate({**values, "text": "  Le texte assemblé.  "})
    assert out.as_text() == "Le texte assemblé."
    with pytest.raises(ValidationError):
        model.model_validate(values)


def test_faq_as_text_contains_every_question_and_answer() -> None:
    items = [
        {"question": "Est-elle compatible induction ?", "answer": "Oui, elle l'est."},
        {"question": "Le filtre se retire-t-il ?", "answer": "Oui, il est amovible."},
        {"question": "Quelle contenance ?", "answer": "0,8 L."},
    ]
    out = copywriting.FaqOutput.model_validate({"items": items})
    text = out.as_text()
    for item in items:
        assert item["question"] in text
        assert item["answer"] in text
    assert text.index(items[0]["question"]) < text.index(items[0]["answer"])
    assert text.index(items[0]["answer"]) < text.index(items[1]["question"])
    with pytest.raises(ValidationError):
        copywriting.FaqOutput.model_validate({"items": [{"question": "Q ?"}]})
    with pytest.raises(ValidationError):
        copywriting.FaqOutput.model_validate({"items": []})


# --- rendering ----------------------------------------------------------------------------


def _joined(messages: list[dict[str, str]]) -> str:
    return "\n".join(message["content"] for message in messages)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_render_with_persona_uses_persona_product_and_language(name: str, language: str) -> None:
    messages = _render(name, language, persona=PERSONA)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert all(set(m) == {"role", "content"} for m in messages)
    text = _joined(messages)
    for pain_point in PERSONA["pain_points"]:
        assert pain_point in text
    for objection in PERSONA["objections"]:
        assert objection in text
    assert LANGUAGE_INSTRUCTION[language] in text
    assert PRODUCT["title"] in text
    assert "Maison Ardoise" in text
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_render_without_persona_has_no_persona_guidance(name: str, language: str) -> None:
    text = _joined(_render(name, language))
    assert LANGUAGE_INSTRUCTION[language] in text
    assert PERSONA["pain_points"][0] not in text
    assert "Claire" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_render_passes_keywords_and_tone(name: str, language: str) -> None:
    text = _joined(_render(name, language, keywords=["théière fonte"], tone="espiègle"))
    assert "théière fonte" in text
    assert "espiègle" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_bab_before_starts_from_the_first_pain_point(language: str) -> None:
    user = _render("bab", language, persona=PERSONA)[-1]["content"]
    # once in the BAB-specific instruction, once in the persona guidance
    assert user.count(PERSONA["pain_points"][0]) == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_faq_count_and_default(language: str) -> None:
    assert " 6 " in _render("faq", language)[-1]["content"]
    assert " 9 " in _render("faq", language, count=9)[-1]["content"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_bullets_count_default_is_five(language: str) -> None:
    assert " 5 " in _render("bullets", language)[-1]["content"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_title_limit_and_no_price_rule(language: str) -> None:
    text = _joined(_render("product-title", language))
    assert "150" in text
    assert "80" in _joined(_render("product-title", language, max_chars=80))
    assert ("prix" if language == "fr" else "price") in text.lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_description_html_format_lists_the_allowed_tags(language: str) -> None:
    plain = _joined(_render("product-description", language))
    html = _joined(_render("product-description", language, format="html"))
    for tag in ("<p>", "<ul>", "<li>", "<strong>", "<em>", "<h2>", "<h3>"):
        assert tag in html
        assert tag not in plain
    assert "200" in plain


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["aida", "bab", "ppp", "sss"])
def test_frameworks_take_objective_and_words(name: str, language: str) -> None:
    default = _joined(_render(name, language))
    assert ("fiche produit" if language == "fr" else "product page") in default
    assert "150" in default
    custom = _joined(_render(name, language, objective="newsletter", words=90))
    assert "newsletter" in custom
    assert "90" in custom


@pytest.mark.parametrize("language", LANGUAGES)
def test_seo_rewrite_quotes_the_text_and_needs_it(language: str) -> None:
    from copyassist.errors import InputError
    from copyassist.templates import load_template

    text = _joined(_render("seo-rewrite", language))
    assert "Une belle théière noire en fonte pour votre thé." in text
    with pytest.raises(InputError):
        load_template("seo-rewrite", language).render({"product": PRODUCT})


def test_product_data_is_not_compiled_as_template() -> None:
    product = {**PRODUCT, "title": "Théière {{ 7*7 }}"}
    text = _joined(_render("product-title", "fr", product=product))
    assert "Théière {{ 7*7 }}" in text
    assert "49" not in text.replace("49.9", "")
