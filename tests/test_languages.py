"""Output languages beyond French and English: German, Spanish and Italian copy, written from
the English (else French) template bodies and checked in its own language."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from copyassist import generate, prepare
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.compact import compact_variant
from copyassist.errors import ConfigError, InputError, TemplateError
from copyassist.languages import (
    OUTPUT_LANGUAGES,
    body_language,
    language_name,
    normalized,
    output_languages,
    writable_languages,
)
from copyassist.product_language import LanguageChoice, choose_language
from copyassist.rules import claims, leftovers, units
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.checks import check_promotional
from copyassist.rules.language import check_language
from copyassist.rules.profiles import load_profile
from copyassist.templates import load_template, output_languages_of, parse_template
from tests.helpers import FakeBackend, assert_exited

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = str(ROOT / "examples" / "product.json")
RULES = FieldRules(no_promotional=True)
runner = CliRunner()

#: every bundled template that writes copy or a plan (the graders and persona sheets aside)
COPY_TEMPLATES = sorted(
    p.name.split(".")[0]
    for p in (ROOT / "prompts").glob("*.en.j2")
    if not p.name.startswith(("score-", "persona-draft", "translate"))  # translate: its own test below
)
ASKED = {"de": "Write in German", "es": "Write in Spanish", "it": "Write in Italian"}

LAMP = {
    "title": "Lumio desk lamp",
    "brand": "Lumio",
    "description": "LED desk lamp, 3 brightness levels, 1500 mAh battery, 2 years warranty, 30 hours.",
}
ENGLISH_COPY = (
    "This oak desk lamp gives a warm, even light and fits any living room or study. "
    "It is light, sturdy and easy to assemble, and its battery lasts a whole evening."
)
GERMAN_COPY = (
    "Diese Schreibtischlampe aus Eichenholz spendet ein warmes, gleichmäßiges Licht und passt in jedes "
    "Wohnzimmer. Sie ist leicht, stabil und einfach zu montieren, und ihr Akku hält einen ganzen Abend."
)


#: a value for every input a template may need (each gets those it declares)
INPUTS: dict[str, Any] = {
    "persona": "fitness-fan", "category": "Luminaires", "text": "Lumio sells desk lamps.",
    "location": "France", "competitors": ["Lampa"], "objective": "sales",
}  # fmt: skip


def _prepare(name: str, language: str) -> Any:
    meta = load_template(name, "en").meta
    wanted = {k: v for k, v in INPUTS.items() if k in meta.inputs.required + meta.inputs.optional}
    return prepare(name, LAMP, language=language, **wanted)


def _text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages)


# --- the module --------------------------------------------------------------------------------


def test_the_output_languages_and_their_names() -> None:
    assert OUTPUT_LANGUAGES == output_languages() == ("fr", "en", "de", "es", "it")
    assert [language_name(code, "en") for code in OUTPUT_LANGUAGES] == [
        "French", "English", "German", "Spanish", "Italian",
    ]  # fmt: skip
    assert [language_name(code, "fr") for code in OUTPUT_LANGUAGES] == [
        "français", "anglais", "allemand", "espagnol", "italien",
    ]  # fmt: skip
    assert language_name("de-DE", "fr-FR") == "allemand"
    assert language_name("it", "nl") == "Italian", "a body in another language reads English names"


def test_which_body_writes_which_language() -> None:
    assert body_language("fr", ["en", "fr"]) == "fr"
    assert body_language("en", ["en", "fr"]) == "en"
    assert [body_language(code, ["en", "fr"]) for code in ("de", "es", "it")] == ["en", "en", "en"]
    assert body_language("de", ["fr"]) == "fr", "French where only French exists"
    assert body_language("de", ["de", "en"]) == "de", "a German version of its own wins"
    assert body_language("nl", ["nl"]) == "nl"
    assert writable_languages(["fr"]) == ["de", "en", "es", "fr", "it"]
    assert writable_languages(["nl"]) == ["nl"]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: body_language("nl", ["en", "fr"]),
            "unsupported language 'nl'; supported: de, en, es, fr, it",
        ),
        (lambda: normalized("pt-BR"), "unsupported language 'pt-BR'; supported: de, en, es, fr, it"),
        (lambda: body_language("de", ["nl"]), "no template body writes 'de'"),
    ],
)
def test_an_unsupported_language_is_one_line_listing_the_supported(call: Any, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        call()
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)
    assert normalized("DE") == "de" and normalized("it_IT") == "it"


# --- templates ---------------------------------------------------------------------------------


def test_german_is_written_from_the_english_body() -> None:
    template = load_template("product-title", "de-DE")
    assert (template.language, template.prompt_language) == ("de", "en")
    assert template.path.name == "product-title.en.j2"
    messages = template.render({"product": LAMP})
    system, user = messages[0]["content"], messages[-1]["content"]
    assert "Write in German." in system and user.endswith("Write in German.")
    assert "English" not in _text(messages)
    assert output_languages_of("product-title") == ["de", "en", "es", "fr", "it"]


@pytest.mark.parametrize("language", ["de", "es", "it"])
@pytest.mark.parametrize("name", COPY_TEMPLATES)
def test_every_copy_template_asks_for_the_output_language(name: str, language: str) -> None:
    prepared = _prepare(name, language)
    text = _text(prepared.messages)
    assert ASKED[language] in text and "in English" not in text
    assert prepared.template.language == language and prepared.context["language"] == language


@pytest.mark.parametrize("name", COPY_TEMPLATES)
def test_french_and_english_prompts_say_what_they_said(name: str) -> None:
    """The language line renders as it was written before it became an input."""
    for language, line, other in (("fr", "en français", "English"), ("en", "in English", "français")):
        prepared = _prepare(name, language)
        source = prepared.template.path.read_text("utf-8")
        expected = source.replace("{{ language_name }}", "français" if language == "fr" else "English")
        text = _text(prepared.messages)
        assert line in text and other not in text
        assert prepared.template.language == prepared.template.prompt_language == language
        for sentence in ("Write in English.", "Écris en français.", "Rédigez en français."):
            assert (sentence in text) == (sentence in expected)


def test_the_french_only_typography_line_is_not_asked_of_other_languages(tmp_path: Path) -> None:
    french = load_template("product-title", "fr").render({"product": LAMP})
    assert "avec les accents et la typographie du français" in french[0]["content"]
    (tmp_path / "titre.fr.j2").write_text(
        (ROOT / "prompts" / "product-title.fr.j2").read_text("utf-8").replace("product-title", "titre"),
        "utf-8",
    )
    german = load_template("titre", "de", [tmp_path]).render({"product": LAMP})
    assert (german[0]["content"].splitlines()[1]) == "Écris en allemand."
    assert german[-1]["content"].endswith("Écris en allemand.")


def test_a_template_that_never_names_the_language_is_told_it(tmp_path: Path) -> None:
    head = "---\nname: mine\ntask: title\ndescription: x\noutput: ProductTitle\n---\n"
    (tmp_path / "mine.en.j2").write_text(head + "<<user>>\nA title for {{ product.title }}.\n", "utf-8")
    spanish = load_template("mine", "es", [tmp_path]).render({"product": LAMP})
    assert spanish[-1]["content"] == "A title for Lumio desk lamp.\n\nWrite in Spanish."
    english = load_template("mine", "en", [tmp_path]).render({"product": LAMP})
    assert english[-1]["content"] == "A title for Lumio desk lamp."


def test_an_unknown_language_names_the_ones_the_template_writes() -> None:
    with pytest.raises(TemplateError, match=r"no 'pt' version; available: de, en, es, fr, it$"):
        load_template("bullets", "pt")


def test_the_compact_version_keeps_the_output_language() -> None:
    compact = compact_variant(load_template("product-title", "it"))
    assert compact.path.parent.name == "compact" and compact.language == "it"
    assert "Write in Italian." in _text(compact.render({"product": LAMP}))
    assert parse_template(compact.path).language == "en"


# --- choosing the language of a row ------------------------------------------------------------


def test_a_row_that_declares_german_is_written_in_german() -> None:
    available = output_languages_of("product-title")
    assert choose_language({**LAMP, "language": "de-DE"}, None, available) == LanguageChoice("de", "declared")
    german = {"description": GERMAN_COPY}
    assert choose_language(german, None, available) == LanguageChoice("de", "detected")
    assert choose_language(german) == LanguageChoice("fr", "default", seen="de"), "fr/en templates only"
    assert choose_language(LAMP, None, available).language == "en", "English stays English"
    assert prepare("product-title", {**LAMP, "language": "it"}).template.language == "it"


def test_a_batch_writes_each_row_in_its_declared_language(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    with feed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "language"])
        writer.writerow(["A", "Lampe de bureau LED", "Lumio", "fr"])
        writer.writerow(["B", "Schreibtischlampe LED", "Lumio", "de"])
        writer.writerow(["C", "Lampada da scrivania LED", "Lumio", "it"])
    backend = FakeBackend([{"title": "Lumio LED"}])
    store = Store(tmp_path / "store.sqlite3")
    try:
        run_batch(feed, tmp_path / "out.csv", template="product-title", backend=backend, store=store)
    finally:
        store.close()
    asked = sorted(
        next(line for line in _text(call).splitlines() if line.startswith(("Écris en", "Write in")))
        for call in backend.calls
    )
    assert asked == ["Write in German.", "Write in Italian.", "Écris en français, avec les accents et la "
                     "typographie du français."]  # fmt: skip


# --- the language check ------------------------------------------------------------------------


def test_english_copy_fails_when_german_was_asked() -> None:
    found = check_language("description", ENGLISH_COPY, RULES, CheckContext(language="de"))
    assert [v.rule for v in found] == ["language.mismatch"] and "not in de as asked" in found[0].message
    assert check_language("description", GERMAN_COPY, RULES, CheckContext(language="de")) == []
    assert check_language("description", GERMAN_COPY, RULES, CheckContext(language="en")) != []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Kabellose Bluetooth Kopfhörer mit Geräuschunterdrückung und 30 Stunden Akku"),
        ("de", "Smartwatch Kairos S2 mit GPS, AMOLED-Display und Schlafüberwachung"),
        ("es", "Zapatillas de running para hombre ligeras y transpirables"),
        ("es", "Esta lámpara de roble ofrece una luz cálida y encaja en cualquier salón."),
        ("it", "Scarpe da corsa uomo leggere e traspiranti"),
        ("it", "Questa lampada in rovere offre una luce calda e si adatta a ogni soggiorno."),
    ],
)
def test_copy_in_the_asked_language_passes(language: str, text: str) -> None:
    assert check_language("title", text, RULES, CheckContext(language=language)) == []


def test_generate_sends_english_copy_back_when_german_was_asked() -> None:
    shared = {"headline": "Schreibtischlampe aus Eiche", "call_to_action": "Jetzt entdecken"}
    answers = [{**shared, "description": text} for text in (ENGLISH_COPY, GERMAN_COPY)]
    backend = FakeBackend(answers)
    result = generate("product-description", LAMP, backend=backend, language="de", max_attempts=2)
    assert len(backend.calls) == 2, "the English answer was refused"
    assert "description: written in en" in backend.calls[1][-1]["content"]
    assert result.language == "de" and result.output.description == GERMAN_COPY  # type: ignore[attr-defined]


# --- channels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["amazon-de", "amazon-es", "amazon-it"])
def test_the_european_amazon_stores(channel: str) -> None:
    profile, amazon = load_profile(channel), load_profile("amazon")
    assert profile.language == channel[-2:]
    for kind in ("title", "bullets", "description"):
        assert profile.rules_for(kind) == amazon.rules_for(kind), kind
    assert profile.rules_for("title").max_chars == 200 and profile.rules_for("bullets").max_items == 5


def test_amazon_de_writes_german_and_holds_its_limits() -> None:
    long_title = ("Lumio Schreibtischlampe LED " + "mit warmem Licht und Akku " * 9).strip()
    short_title = "Lumio Schreibtischlampe LED mit Akku"
    backend = FakeBackend([{"title": long_title}, {"title": short_title}])
    result = generate("product-title", LAMP, backend=backend, channel="amazon-de", max_attempts=2)
    assert result.language == "de" and "Write in German." in backend.calls[0][0]["content"]
    assert "at most 200 characters" in backend.calls[1][-1]["content"], "the 262-character title was refused"
    assert result.status in ("ok", "repaired") and result.output.title == short_title  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="amazon-de listings must be in 'de', not 'fr'"):
        generate("product-title", LAMP, backend=FakeBackend(["{}"]), channel="amazon-de", language="fr")


# --- word lists --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "de",
            "Schreibtischlampe LED, kostenloser Versand, Sonderangebot",
            ["kostenloser Versand", "Sonderangebot"],
        ),
        ("de", "Schreibtischlampe LED im Sale", ["Sale"]),
        ("es", "Lámpara LED con envío gratis, rebajas", ["envío gratis", "rebajas"]),
        ("it", "Lampada LED in offerta, spedizione gratuita", ["spedizione gratuita", "in offerta"]),
        ("it", "Sale marino integrale di Sicilia", []),
        ("es", "El agua sale fría del grifo", []),
        ("de", "Reduziert Geräusche um 30 dB", []),
    ],
)
def test_promotional_words_in_german_spanish_italian(language: str, text: str, expected: list[str]) -> None:
    found = check_promotional("title", text, RULES, CheckContext(language=language))
    assert sorted(v.text for v in found) == sorted(expected)


@pytest.mark.parametrize(
    ("language", "text", "superlative", "health"),
    [
        ("de", "Die beste Lampe, heilt Kopfschmerzen", "beste", "heilt"),
        ("es", "El mejor té, desintoxicante", "El mejor", "desintoxicante"),
        ("it", "Il migliore tè, dimagrante", "Il migliore", "dimagrante"),
    ],
)
def test_claims_in_german_spanish_italian(language: str, text: str, superlative: str, health: str) -> None:
    context = CheckContext(language=language)
    assert superlative in [v.text for v in claims.check_superlatives("title", text, RULES, context)]
    assert health in [v.text for v in claims.check_health("title", text, RULES, context)]
    assert (
        claims.check_superlatives(
            "title", "Am besten geeignet für kleine Räume", RULES, CheckContext(language="de")
        )
        == []
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Hier ist Ihr Titel: Lampe"),
        ("es", "¡Claro! Aquí tienes la descripción"),
        ("it", "Ecco il titolo"),
    ],
)
def test_the_model_speaking_of_itself_in_german_spanish_italian(language: str, text: str) -> None:
    found = leftovers.check_ai_disclaimer("title", text, RULES, CheckContext(language=language))
    assert [v.rule for v in found] == ["leftover.ai_disclaimer"]


# --- the facts guard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Akku mit 1.500 mAh und 2 Jahren Garantie", []),
        ("de", "Akku mit 2.500 mAh", [("facts.unsupported", "2.500 mAh")]),
        ("de", "Laufzeit: 300 Stunden", [("facts.unsupported", "300 Stunden")]),
        ("de", "Laufzeit: 30 Minuten", [("facts.unit_changed", "30 Minuten")]),
        (
            "it",
            "batteria da 1.500 mAh, 30 ore di autonomia, garanzia 3 anni",
            [("facts.unsupported", "3 anni")],
        ),
        ("es", "batería de 1.500 mAh y 2 años de garantía", []),
        ("en", "battery of 1.500 mAh", [("facts.unsupported", "1.500 mAh")]),
    ],
)
def test_figures_read_the_way_the_language_writes_them(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    context = CheckContext(language=language, product=LAMP)
    assert [(v.rule, v.text) for v in units.check_facts("description", text, RULES, context)] == expected


def test_a_price_with_dot_thousands_and_decimal_comma() -> None:
    product = {"title": "Sofa", "price": 1299.9, "currency": "EUR"}
    context = CheckContext(language="de", product=product)
    assert units.check_facts("description", "Nur 1.299,90 €", RULES, context) == []
    assert [v.text for v in units.check_facts("description", "Nur 1.399,90 €", RULES, context)] == [
        "1.399,90 €"
    ]


# --- the command line --------------------------------------------------------------------------


def _answer(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "x", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps(content)}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }  # fmt: skip


@respx.mock
def test_generate_dash_l_de_sends_the_english_body_asking_for_german(
    monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test")
    route = respx_mock.post("https://api.openai.com/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, json=_answer({"title": "Kairos S2 GPS-Smartwatch mit AMOLED-Display"})
        )
    )
    result = runner.invoke(app, ["generate", "product-title", "-p", PRODUCT, "-l", "de", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["language"] == "de"
    sent = json.loads(route.calls[0].request.content)["messages"]
    assert "Write in German." in sent[0]["content"] and "Write in English" not in _text(sent)
    assert "You are a product listing specialist" in sent[0]["content"], "the English body"


def test_render_dash_l_it_and_an_unsupported_language() -> None:
    shown = runner.invoke(app, ["render", "bullets", "-l", "it", "-p", PRODUCT])
    assert shown.exit_code == 0, shown.output
    assert "Write in Italian" in shown.output
    refused = runner.invoke(app, ["render", "bullets", "-l", "pt", "-p", PRODUCT])
    assert_exited(refused, 2)
    assert "no 'pt' version; available: de, en, es, fr, it" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_a_template_file_of_ones_own_writes_the_language_asked(tmp_path: Path) -> None:
    path = tmp_path / "mine.en.j2"
    head = "---\nname: mine\ntask: title\ndescription: x\noutput: ProductTitle\n---\n"
    path.write_text(head + "<<user>>\nA title for {{ product.title }}, in {{ language_name }}.\n", "utf-8")
    prepared = prepare(str(path), LAMP, language="es")
    assert prepared.template.language == "es" and prepared.messages[-1]["content"].endswith("in Spanish.")
    assert prepare(str(path), LAMP).template.language == "en"
    with pytest.raises(InputError, match="unsupported language 'pt'"):
        prepare(str(path), LAMP, language="pt")


def test_a_grader_asks_its_reason_in_the_listing_language_through_its_partial() -> None:
    template = load_template("score-clear", "de")
    values = {"text": GERMAN_COPY, "product": LAMP}
    text = _text(template.render(values))
    assert "one short sentence, in German" in text and "Write in German." not in text
    english = _text(load_template("score-clear", "en").render(values))
    assert "one short sentence, in English" in english


def test_persona_sheets_stay_french_or_english() -> None:
    from copyassist.drafts.persona import draft_persona

    with pytest.raises(InputError, match="persona sheets are written in fr or en, not 'de'"):
        draft_persona("Berliner Studenten, 20-25", language="de", backend=FakeBackend(["{}"]))


def test_german_articles_are_no_repeated_words() -> None:
    from copyassist.rules.checks import check_repeated_words

    rules = FieldRules(max_word_repeats=2)
    title = "Lampe für die Küche, für die Werkstatt und für die Garage, mit Akku und mit USB und mit Clip"
    assert check_repeated_words("title", title, rules, CheckContext(language="de")) == []
    found = check_repeated_words("title", "Lampe Lampe Lampe", rules, CheckContext(language="de"))
    assert [v.text for v in found] == ["lampe"]


def test_generate_refuses_an_unsupported_language_before_looking_for_a_model() -> None:
    """No backend is set up here: the language is what the one line is about."""
    refused = runner.invoke(app, ["generate", "product-title,bullets", "-l", "pt", "-s", "title=Lampe"])
    assert_exited(refused, 2)
    assert refused.output.strip() == (
        "copyassist: error: template 'product-title' has no 'pt' version; available: de, en, es, fr, it "
        "(option --lang)"
    )


@pytest.mark.parametrize(
    ("language", "cut", "whole"),
    [
        ("de", "Leichte Lampe aus Eiche mit warmem Licht und", "Passt sich jedem Raum an"),
        ("es", "Lámpara ligera de roble con luz cálida y", "Lámpara ligera de roble con luz cálida"),
        ("it", "Lampada leggera in rovere con luce calda e", "Lampada leggera in rovere con luce calda"),
    ],
)
def test_a_line_cut_on_a_connector_in_german_spanish_italian(language: str, cut: str, whole: str) -> None:
    from copyassist.rules.truncation import truncation_check

    check_truncated = truncation_check("bullets")
    context = CheckContext(language=language)
    assert [v.rule for v in check_truncated("bullets", cut, RULES, context)] == ["text.truncated"]
    assert check_truncated("bullets", whole, RULES, context) == []


@pytest.mark.parametrize(("language", "shoppers"), [("de", "German"), ("es", "Spanish"), ("it", "Italian")])
def test_a_translation_is_asked_in_the_new_languages(language: str, shoppers: str) -> None:
    prepared = prepare("translate", LAMP, language=language, translate_from="en")
    text = _text(prepared.messages)
    assert f"for {shoppers}-speaking shoppers" in text and "written in English" in text
    assert prepared.template.language == language
