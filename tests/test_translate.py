"""Translating a listing: the prompt, the facts guard against the source, brand terms, batch and CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from copyassist import errors
from copyassist.backends import OpenAIBackend
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.pipeline import generate, prepare
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.translation import check_translation, check_translation_facts
from tests.helpers import assert_exited

OPENAI = "https://api.openai.com/v1/chat/completions"
SERVER = "http://127.0.0.1:9/v1"
PRODUCT: dict[str, Any] = {
    "title": "Lampe de bureau LED Lumio 40 cm",
    "brand": "Lumio",
    "description": "Lampe LED de 8 W au bras orientable de 40 cm, 1,2 kg. Garantie 2 ans.",
    "features": ["3 modes d'éclairage", "Port USB-C"],
}
GOOD_EN: dict[str, Any] = {
    "title": "Lumio LED Desk Lamp with 40 cm Adjustable Arm",
    "bullets": ["3 lighting modes", "USB-C port"],
    "description": "An 8 W LED lamp with a 40 cm (15.7 in) adjustable arm, weighing 1.2 kg (2.6 lb). "
    "2-year warranty.",
    "seo_title": None,
    "meta_description": None,
    "keywords": ["led desk lamp", "adjustable desk lamp", "usb-c desk lamp"],
}


def chat(content: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(content)}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}}  # fmt: skip


def backend() -> OpenAIBackend:
    return OpenAIBackend(model="gpt-4.1-mini", api_key="sk-t")


def translate(answer: dict[str, Any], **options: Any) -> tuple[Any, list[dict[str, Any]]]:
    """``generate("translate", PRODUCT)`` fr -> en against a mocked OpenAI; the result and the
    request bodies sent."""
    sent: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=chat(answer))

    with respx.mock:
        respx.post(OPENAI).mock(side_effect=reply)
        options = {"translate_from": "fr", "language": "en", "max_attempts": 1, **options}
        result = generate("translate", PRODUCT, backend=backend(), **options)
    return result, sent


def rules_of(result: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for violation in result.violations:
        found.setdefault(violation.rule, []).append(violation.text)
    return found


def test_the_prompt_carries_the_source_listing_and_the_target_market() -> None:
    result, sent = translate(GOOD_EN, channel="amazon")
    messages = sent[0]["messages"]
    system, user = messages[0]["content"], messages[-1]["content"]
    assert "written in English for English-speaking shoppers" in system
    assert "written in French" in user and "Sales channel: amazon" in user
    for text in (PRODUCT["title"], PRODUCT["description"], *PRODUCT["features"]):
        assert text in user, f"the source listing's {text!r} is in the prompt"
    assert "the brand Lumio stays as it is written" in user
    assert sent[0]["response_format"]["json_schema"]["name"] == "TranslatedListing"
    assert result.language == "en" and result.output.title == GOOD_EN["title"]


def test_the_french_version_translates_into_french() -> None:
    prepared = prepare("translate", {"title": "Lumio LED Desk Lamp 40 cm", "brand": "Lumio"},
                       language="fr", translate_from="en")  # fmt: skip
    prompt = "\n".join(m["content"] for m in prepared.messages)
    assert "rédigée en anglais, pour des acheteurs francophones" in prompt
    assert "- Titre : Lumio LED Desk Lamp 40 cm" in prompt
    assert prepared.context["source_listing"] == {"title": "Lumio LED Desk Lamp 40 cm"}


def test_a_faithful_translation_with_converted_units_passes() -> None:
    result, _ = translate(GOOD_EN)
    assert not [v for v in result.violations if v.rule.startswith(("translation.", "facts."))]
    assert result.status == "ok", result.violations


def test_a_number_absent_from_the_source_is_flagged() -> None:
    invented = {**GOOD_EN, "description": GOOD_EN["description"] + " 10 W USB charging, IP44 rated."}
    result, _ = translate(invented)
    found = rules_of(result)
    assert found["translation.new_number"] == ["10 W"]
    assert found["translation.new_claim"] == ["IP44"]
    assert result.status != "ok"


def test_a_figure_with_another_unit_is_a_unit_change_not_a_conversion() -> None:
    source = {"description": "Bras de 40 cm, 1,2 kg, 20 °C."}
    context = CheckContext(language="en", source_listing=source, source_language="fr")
    check = check_translation_facts

    def rules(text: str) -> list[tuple[str, str]]:
        return [(v.rule, v.text) for v in check("description", text, FieldRules(), context)]

    assert rules("A 40 cm arm (15.7 in), 1.2 kg (2.6 lb), 68 °F.") == []
    assert rules("A 15.7 x 15.7 inch arm.") == []
    assert rules("A 40 mm arm.") == [("translation.unit_changed", "40 mm")]
    assert rules("A 40 cm arm, 3 lb.") == [("translation.new_number", "3 lb")]


def test_the_brand_is_kept_verbatim() -> None:
    renamed = {**GOOD_EN, "title": "LUMIO LED Desk Lamp with 40 cm Adjustable Arm"}
    result, _ = translate(renamed)
    assert rules_of(result)["translation.brand_changed"] == ["Lumio"]
    message = next(v.message for v in result.violations if v.rule == "translation.brand_changed")
    assert "'LUMIO'" in message


def test_a_source_field_left_out_is_flagged() -> None:
    result, _ = translate({**GOOD_EN, "bullets": None})
    assert "bullets" in [v.field for v in result.violations if v.rule == "translation.field_missing"]


def test_a_source_field_of_seo_columns_is_translated_too() -> None:
    product = {**PRODUCT, "attributes": {"Meta description": "Lampe LED Lumio 40 cm, 8 W."}}
    prepared = prepare("translate", product, language="en", translate_from="fr")
    assert prepared.context["source_listing"]["meta_description"] == "Lampe LED Lumio 40 cm, 8 W."
    assert "- Meta description: Lampe LED Lumio 40 cm, 8 W." in prepared.messages[-1]["content"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"translate_from": "en", "language": "en"}, "translate_from='en' is also the language to write in"),
        ({"translate_from": "xx", "language": "en"}, "unknown language 'xx' for translate_from"),
        ({"language": "en"}, "needs the language of the listing to translate"),
    ],
)
def test_language_errors_are_one_line(options: dict[str, Any], expected: str) -> None:
    with pytest.raises(errors.ConfigError) as raised:
        prepare("translate", PRODUCT, **options)
    assert expected in str(raised.value) and "\n" not in str(raised.value)


def test_a_product_with_no_copy_has_nothing_to_translate() -> None:
    with pytest.raises(errors.InputError, match="nothing to translate"):
        prepare("translate", {"brand": "Lumio", "attributes": {"couleur": "noir"}},
                language="en", translate_from="fr")  # fmt: skip


def test_translate_from_with_a_template_that_does_not_translate() -> None:
    with pytest.raises(errors.ConfigError, match="does not translate a listing"):
        prepare("product-title", PRODUCT, language="en", translate_from="fr")


def write_feed(path: Path) -> Path:
    rows = [
        ["sku", "title", "description", "brand"],
        ["L-1", PRODUCT["title"], PRODUCT["description"], "Lumio"],
    ]
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_batch_translate_from_writes_the_target_columns(tmp_path: Path) -> None:
    sent: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["messages"][-1]["content"])
        return httpx.Response(200, json=chat({**GOOD_EN, "bullets": None}))

    args = ["batch", str(write_feed(tmp_path / "feed.csv")), "-t", "translate", "--translate-from", "fr",
            "-l", "en", "-o", str(tmp_path / "out.csv"), "--db", str(tmp_path / "s.db"),
            "--provider", "compatible", "--base-url", SERVER, "--model", "m"]  # fmt: skip
    with respx.mock:
        respx.post(f"{SERVER}/chat/completions").mock(side_effect=reply)
        result = CliRunner().invoke(app, args)
    assert_exited(result, 0)
    assert len(sent) == 1 and PRODUCT["description"] in sent[0], "row 1's listing is the source"
    rows = read_csv(tmp_path / "out.csv")
    assert rows[0]["copyassist_title"] == GOOD_EN["title"]
    assert rows[0]["copyassist_description"] == GOOD_EN["description"]
    assert rows[0]["copyassist_bullets"] == "" and rows[0]["copyassist_keywords"].startswith("led desk lamp")
    assert rows[0]["title"] == PRODUCT["title"], "the seller's own column keeps the source"


def test_library_batch_a_row_with_no_source_text_fails_alone(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [{"sku": "A", "title": PRODUCT["title"], "brand": "Lumio"}, {"sku": "B", "brand": "Lumio"}]
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n", "utf-8")
    answer = {**GOOD_EN, "bullets": None, "description": None, "title": "Lumio LED Desk Lamp 40 cm"}
    with respx.mock:
        respx.post(OPENAI).mock(return_value=httpx.Response(200, json=chat(answer)))
        run_batch(feed, tmp_path / "out.jsonl", template="translate", translate_from="fr", language="en",
                  backend=backend(), store=Store(tmp_path / "s.db"), max_attempts=1)  # fmt: skip
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert rows[0]["copyassist_title"] == "Lumio LED Desk Lamp 40 cm"
    assert rows[1]["copyassist_status"] in ("failed", "skipped")
    assert rows[1]["copyassist_title"] in ("", None)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--translate-from", "en", "-l", "en"], "is also the language to write in"),
        (["--translate-from", "nl", "-l", "en"], "unknown language 'nl'"),
        (["--translate-from", "fr"], "needs the language to write every row in"),
    ],
)
def test_batch_errors_are_one_line_before_any_call(tmp_path: Path, flags: list[str], expected: str) -> None:
    args = ["batch", str(write_feed(tmp_path / "feed.csv")), "-t", "translate", *flags,
            "-o", str(tmp_path / "out.csv"), "--db", str(tmp_path / "s.db"),
            "--provider", "compatible", "--base-url", SERVER, "--model", "m"]  # fmt: skip
    with respx.mock:  # nothing mocked: any call would fail
        result = CliRunner().invoke(app, args)
    assert_exited(result, result.exit_code)
    assert result.exit_code != 0 and expected in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2


def test_generate_translates_a_product_file(tmp_path: Path) -> None:
    product = tmp_path / "product.json"
    product.write_text(json.dumps(PRODUCT), "utf-8")
    args = ["generate", "translate", "--translate-from", "fr", "-l", "en", "-p", str(product),
            "--provider", "compatible", "--base-url", SERVER, "--model", "m", "--json"]  # fmt: skip
    with respx.mock:
        respx.post(f"{SERVER}/chat/completions").mock(return_value=httpx.Response(200, json=chat(GOOD_EN)))
        result = CliRunner().invoke(app, args)
    assert_exited(result, 0)
    printed = json.loads(result.output)
    assert printed["language"] == "en" and printed["output"]["title"] == GOOD_EN["title"]


def test_a_field_left_in_the_source_language_is_flagged() -> None:
    untouched = {**GOOD_EN, "description": "Une lampe LED de 8 W avec bras de 40 cm, 1,2 kg. Garantie 2 ans."}
    result, _ = translate(untouched)
    assert [v.field for v in result.violations if v.rule == "translation.untranslated"] == ["description"]
    assert rules_of(translate(GOOD_EN)[0]).get("translation.untranslated") is None


def test_international_words_shared_with_the_source_are_not_untranslated() -> None:
    source = {"title": "Smartphone Samsung Galaxy S24 Ultra 256 Go Noir"}
    context = CheckContext(language="en", brand="Samsung", source_listing=source, source_language="fr")
    title = "Samsung Galaxy S24 Ultra Smartphone 256 GB Black"
    assert check_translation("title", title, FieldRules(), context) == []


def test_the_source_keywords_are_a_reference_and_given_keywords_the_target() -> None:
    product = {**PRODUCT, "keywords": ["lampe de bureau", "lampe led"]}
    prompt = prepare("translate", product, language="en", translate_from="fr").messages[-1]["content"]
    assert "for reference only (research the English ones anew): lampe de bureau, lampe led" in prompt
    assert "already researched" not in prompt
    given = prepare("translate", product, language="en", translate_from="fr", keywords=["desk lamp"])
    assert "(already researched for this market): desk lamp." in given.messages[-1]["content"]


def test_counts_and_spelt_numbers_are_the_source_facts() -> None:
    source = {"title": "Tente Randa 2 places", "bullets": "3 arceaux"}
    context = CheckContext(language="en", brand="Randa", source_listing=source, source_language="fr")
    assert check_translation("title", "Randa 2-Person Tent", FieldRules(), context) == []
    assert [v.text for v in check_translation("title", "Randa 4-Person Tent", FieldRules(), context)] == [
        "4-Person"
    ]
    kept = {**GOOD_EN, "bullets": ["Three lighting modes", "USB-C port"]}
    assert "translation.dropped_fact" not in rules_of(translate(kept)[0])
    dropped = {**GOOD_EN, "description": "An LED lamp with an adjustable arm. 2-year warranty."}
    assert sorted(rules_of(translate(dropped)[0])["translation.dropped_fact"]) == ["1,2 kg", "8 W"]


def test_english_inches_become_french_centimetres() -> None:
    source = {"title": "Lumio 15.6 inch laptop stand", "description": 'Fits 15.6" laptops, 2.2 lb.'}
    context = CheckContext(language="fr", brand="Lumio", source_listing=source, source_language="en")
    text = "Support Lumio pour ordinateur portable 15,6 pouces (39,6 cm), 2,2 lb (1 kg)."
    assert check_translation("description", text, FieldRules(), context) == []
