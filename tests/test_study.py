"""Market study drafts and persona drafts, with the provider mocked by respx.

The mock answers every request with a valid object built from the JSON schema the request
carries, so these tests follow the real SDK path and the real templates and output models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

import copyassist
from copyassist.backends import OpenAIBackend
from copyassist.backends.retry import RetryPolicy
from copyassist.cli import app
from copyassist.drafts.document import SECTIONS
from copyassist.drafts.persona import draft_persona, save_persona
from copyassist.drafts.study import study
from copyassist.errors import PersonaError
from copyassist.persona import validate_persona_file

API = "https://api.openai.com/v1/chat/completions"
SENTENCE = "Les ventes de montres connectées progressent vite en France"
FIGURE_SENTENCE = "Le marché pèse 2 milliards d'euros selon une étude Xerfi de 2024"


def sample(schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
    """A valid value for ``schema``: French sentences for text, the minimum number of items."""
    if "$ref" in schema:
        return sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return sample(schema["anyOf"][0], defs, name)
    kind = schema.get("type")
    if kind == "object":
        return {key: sample(sub, defs, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(1, schema.get("minItems", 1))
        return [sample(schema.get("items", {}), defs, name) for _ in range(count)]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    text = FIGURE_SENTENCE if name == "summary" else SENTENCE
    if name == "language":
        text = "fr"
    if name == "bio":
        text = "Infirmière de 34 ans à Nantes, court quatre fois par semaine"
    limit = schema.get("maxLength")
    return text[:limit] if limit else text


def answer_from_schema(request: httpx.Request, fail: set[str]) -> httpx.Response:
    body = json.loads(request.content)
    spec = body["response_format"]["json_schema"]
    if spec["name"] in fail:
        return httpx.Response(400, json={"error": {"message": f"refused {spec['name']}"}})
    content = json.dumps(sample(spec["schema"], spec["schema"].get("$defs", {})), ensure_ascii=False)
    return httpx.Response(
        200,
        json={
            "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 500, "completion_tokens": 200, "total_tokens": 700},
        },
    )  # fmt: skip


@pytest.fixture
def backend() -> OpenAIBackend:
    return OpenAIBackend(model="gpt-4.1-mini", api_key="sk-t", retry=RetryPolicy(max_attempts=1))


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "concurrent.csv"
    path.write_text(
        "nom;prix\nMontre GPS Polar Pacer;199\nMontre Garmin Forerunner 55;179\n", encoding="utf-8"
    )
    return path


def titles(result: copyassist.StudyResult) -> list[str]:
    return [s.key for s in result.sections]


@respx.mock
def test_the_document_has_every_section_in_order(
    backend: OpenAIBackend, catalogue: Path, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(side_effect=lambda r: answer_from_schema(r, set()))
    result = study("montres connectées", brand="Kairos", offer="montres GPS à moins de 200 €",
                   location="France", language="fr", competitors=["Garmin", "Polar"],
                   competitor_catalogue=catalogue, personas=["fitness-fan"], backend=backend)  # fmt: skip
    assert titles(result) == list(SECTIONS)
    assert all(s.output is not None for s in result.sections), [s.error for s in result.sections]
    document = result.to_markdown()
    headings = [line for line in document.splitlines() if line.startswith(("## ", "### "))]
    positions = [next(i for i, h in enumerate(headings) if s.title in h) for s in result.sections]
    assert positions == sorted(positions)
    assert document.splitlines()[2].startswith("> **Brouillon à vérifier.**")
    assert "## Chiffres à vérifier" in document
    assert result.usage.input_tokens == 500 * len(SECTIONS)


@respx.mock
def test_figures_are_marked_and_tabled(backend: OpenAIBackend, respx_mock: respx.MockRouter) -> None:
    respx_mock.post(API).mock(side_effect=lambda r: answer_from_schema(r, set()))
    result = study("montres connectées", language="fr", sections=["trends", "summary"], backend=backend)
    document = result.to_markdown()
    assert "2 milliards *(à vérifier)*" in document
    assert "selon une étude Xerfi de 2024 *(à vérifier)*" in document
    table = document.split("## Chiffres à vérifier", 1)[1]
    assert "2 milliards" in table and "Xerfi" in table
    assert {f.source for f in result.figures} == {"listed", "text"}


@respx.mock
def test_a_failed_section_is_reported_and_the_others_survive(
    backend: OpenAIBackend, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(side_effect=lambda r: answer_from_schema(r, {"CustomerBehaviour"}))
    result = study(
        "sacs à dos", language="fr", sections=["trends", "behaviour", "demographics"], backend=backend
    )
    by_key = {s.key: s for s in result.sections}
    assert by_key["behaviour"].output is None and "refused" in (by_key["behaviour"].error or "")
    assert by_key["trends"].output is not None and by_key["demographics"].output is not None
    document = result.to_markdown()
    assert "**Section non rédigée**" in document and "Tendances du marché" in document


def test_sections_that_lack_an_input_say_which(backend: OpenAIBackend) -> None:
    result = study("sacs à dos", language="en", sections=["opportunities", "channels"], backend=backend)
    errors_by_key = {s.key: s.error for s in result.sections}
    assert "competitor_catalogue" in (errors_by_key["opportunities"] or "")
    assert "personas" in (errors_by_key["channels"] or "")


@respx.mock
def test_html_output_escapes_what_the_model_wrote(
    backend: OpenAIBackend, respx_mock: respx.MockRouter
) -> None:
    def hostile(request: httpx.Request) -> httpx.Response:
        response = answer_from_schema(request, set())
        payload = response.json()
        content = json.loads(payload["choices"][0]["message"]["content"])
        content["summary"] = "Tendance forte <script>alert(1)</script> chez les coureurs"
        payload["choices"][0]["message"]["content"] = json.dumps(content)
        return httpx.Response(200, json=payload)

    respx_mock.post(API).mock(side_effect=hostile)
    page = study("montres", language="fr", sections=["trends"], backend=backend).to_html()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert page.startswith("<!doctype html>") and "<h2>" in page


@respx.mock
def test_a_drafted_persona_round_trips_through_the_persona_model(
    backend: OpenAIBackend, tmp_path: Path, respx_mock: respx.MockRouter
) -> None:
    answers: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        response = answer_from_schema(request, set())
        answers.append(json.loads(response.json()["choices"][0]["message"]["content"]))
        return response

    respx_mock.post(API).mock(side_effect=answer)
    persona = draft_persona("femmes 30-45 ans à Lyon, déco éco-responsable", language="fr", backend=backend)
    (drafted,) = answers
    assert drafted["bio"] and drafted["goals"] and drafted["demographics"]
    assert persona.model_dump(mode="json", include=set(drafted)) == drafted  # every field kept as drafted
    path = save_persona(persona, "lyonnaise-deco", tmp_path)
    reloaded = validate_persona_file(path)
    assert reloaded.model_dump() == persona.model_dump()
    assert "&" not in path.read_text("utf-8")  # no YAML anchors: the loader refuses them


def test_saving_never_overwrites_without_force(tmp_path: Path) -> None:
    persona = copyassist.load_persona("busy-parent")
    first = save_persona(persona, "sophie", tmp_path)
    before = first.read_text("utf-8")
    with pytest.raises(PersonaError, match="force=True"):
        save_persona(persona, "sophie", tmp_path)
    assert first.read_text("utf-8") == before
    assert save_persona(persona, "sophie", tmp_path, force=True) == first


@respx.mock
def test_cli_study_and_personas_new(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli")
    respx_mock.post(API).mock(side_effect=lambda r: answer_from_schema(r, set()))
    runner = CliRunner()
    out = tmp_path / "etude.md"
    result = runner.invoke(app, ["study", "--category", "montres connectées", "--sections", "trends,swot",
                                 "--lang", "fr", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").startswith("# Étude de marché : montres connectées")

    args = [
        "personas",
        "new",
        "étudiants à Lille qui achètent d'occasion",
        "--name",
        "etudiant",
        "--dir",
        str(tmp_path),
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code != 0 and "--force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["aucune autre section", "il faut le catalogue d'un concurrent", "il faut un persona"]),
        ("en", ["no other section was written", "needs a competitor catalogue", "needs a persona"]),
    ],
)
def test_a_study_says_its_missing_sections_in_its_language(language: str, expected: list[str]) -> None:
    from tests.helpers import FakeBackend

    backend = FakeBackend(["unused"])
    result = study("montres connectées", language=language, sections=["opportunities", "channels", "summary"],
                   backend=backend)  # fmt: skip
    errors = [s.error or "" for s in result.sections]
    assert backend.calls == []  # nothing could be written: nothing was asked
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), errors
    if language == "fr":
        assert "Section non rédigée** : il faut le catalogue" in result.to_markdown()
